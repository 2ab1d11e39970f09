"""What one client may hold of the HTTP server: the uvicorn options, and the protocol that enforces the rest.

uvicorn bounds the idle time between requests (``timeout_keep_alive``), the number of open
connections and tasks (``limit_concurrency``, answered 503 in plain text by uvicorn itself) and,
with h11 only, the header size. What it does not bound is done by ``GuardedProtocol``: the time
to send a request's headers (slowloris), their size with either parser, and a JSON body for the
400 uvicorn answers to a request it cannot parse. The body-read timeout, the body size and the
header count are checked in the app (``expapi.middleware``, ``expapi.request_guard``).
"""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from expapi.config import Config, load_config
from expapi.flavours import FLAVOURS, Flavour

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is optional in uvicorn; h11 always there
    HttpToolsProtocol = None


def uvicorn_options(config: Config) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` that apply ``[webserver]``'s limits."""
    webserver = config.webserver
    return {
        "http": PROTOCOL_PATH,
        "h11_max_incomplete_event_size": webserver.max_header_bytes,
        "timeout_keep_alive": webserver.keep_alive_timeout,
        "limit_concurrency": webserver.max_connections,
    }


@functools.lru_cache(maxsize=1)
def _worker_config() -> Config:
    # Each worker reads the configuration from the environment, as the app factory does:
    # uvicorn builds the protocol from a class, with no room for expapi's settings.
    return load_config()


def _header_read_timeout() -> float:
    return _worker_config().webserver.header_read_timeout


@functools.lru_cache(maxsize=1)
def _flavour() -> Flavour:
    return FLAVOURS[_worker_config().api.compat]


def _raw_response(status: int, reason: str, message: str) -> bytes:
    # Answered before the app sees the request, but written as the app writes its errors:
    # the flavour's JSON and its headers (Airflow 2's deprecation notice on every answer).
    flavour = _flavour()
    body = json.dumps({"error": message}, **flavour.dumps_options())
    body_bytes = (body + ("\n" if flavour.json_trailing_newline else "")).encode("utf-8")
    extra = "".join(f"{name}: {value}\r\n" for name, value in flavour.response_headers.items())
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n{extra}"
        f"content-length: {len(body_bytes)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body_bytes


HEADER_TIMEOUT = "The request headers did not arrive within {seconds:g} seconds"
HEADERS_TOO_LARGE = "The request headers are larger than {limit} bytes ([webserver] max_header_bytes)"


class GuardedProtocol:
    """Mixed into uvicorn's HTTP protocols: a deadline and a size bound on every request's headers.

    The deadline starts when the connection opens or the first byte of a further request
    arrives, and ends when the headers are complete; idle keep-alive time is uvicorn's own.
    """

    transport: asyncio.Transport
    cycle: Any
    config: Any

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._watch_headers(0)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        self._watch_headers(len(data))

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _watch_headers(self, received: int) -> None:
        if self.transport.is_closing() or not self._waiting_for_headers():
            self._stop_header_timer()
            self._header_bytes = 0
            return
        if self._header_bytes == 0 and received == 0 and self.cycle is not None:
            return  # idle after a response: uvicorn's keep-alive timeout applies
        self._header_bytes += received
        limit = self.config.h11_max_incomplete_event_size
        if limit is not None and self._header_bytes > limit:
            self._refuse(431, "Request Header Fields Too Large", HEADERS_TOO_LARGE.format(limit=limit))
            return
        if self._header_timer is None:
            seconds = _header_read_timeout()
            self._header_timer = asyncio.get_running_loop().call_later(seconds, self._headers_late, seconds)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self, seconds: float) -> None:
        self._header_timer = None
        if not self.transport.is_closing() and self._waiting_for_headers():
            self._refuse(408, "Request Timeout", HEADER_TIMEOUT.format(seconds=seconds))

    def _refuse(self, status: int, reason: str, message: str) -> None:
        self._stop_header_timer()
        self.transport.write(_raw_response(status, reason, message))
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        # uvicorn's own answer to bytes that are not HTTP is text/plain; the API speaks JSON.
        self._refuse(400, "Bad Request", msg)


class GuardedH11Protocol(GuardedProtocol, H11Protocol):
    """uvicorn's pure-Python HTTP/1.1 protocol, guarded."""


if HttpToolsProtocol is not None:

    class GuardedHttpToolsProtocol(GuardedProtocol, HttpToolsProtocol):
        """uvicorn's httptools protocol (its default when installed), guarded."""

    PROTOCOL_PATH = "expapi.http_limits:GuardedHttpToolsProtocol"
else:
    PROTOCOL_PATH = "expapi.http_limits:GuardedH11Protocol"
