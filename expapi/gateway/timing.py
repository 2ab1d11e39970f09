"""How long one API request waited on Airflow, for its access-log line.

The access log opens a tally per request; every upstream call made for that request adds to
it, from the handler's thread or the event loop alike (both run in a copy of the request's
context, and the tally itself is shared, not copied).
"""

from __future__ import annotations

import threading
from contextvars import ContextVar, Token
from dataclasses import dataclass, field


@dataclass
class UpstreamTime:
    """Seconds spent waiting on Airflow, and the number of calls."""

    seconds: float = 0.0
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, seconds: float) -> None:
        """Count one call that took ``seconds``."""
        with self._lock:
            self.seconds += seconds
            self.calls += 1


_tally: ContextVar[UpstreamTime | None] = ContextVar("expapi_upstream_time", default=None)


def open_tally() -> Token:
    """Start counting for the current request; pass the token to ``close_tally``."""
    return _tally.set(UpstreamTime())


def close_tally(token: Token) -> UpstreamTime:
    """Stop counting; the request's total."""
    tally = _tally.get() or UpstreamTime()
    _tally.reset(token)
    return tally


def record(seconds: float) -> None:
    """Add one upstream call to the current request's tally, if one is open."""
    tally = _tally.get()
    if tally is not None:
        tally.add(seconds)
