"""Failed password checks, counted per user and per client address, so guessing is slow and cheap to refuse.

Airflow's web login does the same with a rate limit (5 per 40 seconds by default). A
refused try costs no bcrypt check and no database read, so a flood of wrong passwords
from one address, or against one user, stops costing CPU after a handful of tries.
Counts live in the worker process (each worker counts on its own) and are kept only as
long as the window, for a bounded number of keys.

Only finished, failed checks count. Counting checks under way too would stop a burst of
concurrent guesses at exactly the limit, but would also refuse a client that opens with
many parallel requests before its credentials are cached; so a burst of N concurrent
guesses may cost up to N checks once.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from typing import Callable

from expapi.errors import TooManyRequests

TOO_MANY_FAILURES = "Too many failed logins; try again in {seconds} s"


class FailedLogins:
    """Times of recent failures per key (``("user", name)``, ``("address", ip)``); at ``limit`` within ``window`` seconds, tries wait.

    Used only from the event loop, so it needs no lock.
    """

    def __init__(self, limit: int, window: float, *, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def refuse_if_throttled(self, keys: Iterable[tuple[str, str]]) -> None:
        """Raise TooManyRequests (429 with Retry-After) while any key has ``limit`` failures in the window."""
        if self.limit <= 0:
            return
        now = self._clock()
        wait = 0.0
        for key in keys:
            times = self._recent(key, now)
            if times is not None and len(times) >= self.limit:
                wait = max(wait, times[0] + self.window - now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequests(TOO_MANY_FAILURES.format(seconds=seconds), headers={"Retry-After": str(seconds)})

    def record_failure(self, keys: Iterable[tuple[str, str]]) -> None:
        """Count one failed check against every key; the least recently failed keys go when there are too many."""
        if self.limit <= 0:
            return
        now = self._clock()
        for key in keys:
            times = self._recent(key, now)
            if times is None:
                times = self._failures[key] = deque(maxlen=self.limit)
            times.append(now)
            self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times
