"""The HTTP side of gateway mode: one connection pool to Airflow, driving ``exchange`` flows.

- ``AsyncUpstream``: the server's, one per worker process, opened in the app's lifespan
  (``open_upstream``). Async code awaits ``acall``; the service, which runs in connexion's
  handler threads, calls ``call``, which hands the request to the event loop and waits.
- ``SyncUpstream``: the CLI's ``local_client``, a plain ``httpx.Client`` with no event loop.

Both offer the same blocking ``call(method, api_path, ...)``, so ``stable_api`` takes either.
"""

from __future__ import annotations

import functools
import http.cookiejar
import logging
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar

import anyio.from_thread
import httpx

from expapi.config import GatewayConfig
from expapi.gateway import timing
from expapi.gateway.api_lines import ApiLine
from expapi.gateway.errors import UpstreamUnavailable
from expapi.gateway.exchange import JSON, Exchange, Flow
from expapi.gateway.tokens import Credentials
from expapi.gateway.urls import mask_url

log = logging.getLogger(__name__)

T = TypeVar("T")

# Connections to Airflow per worker process: requests beyond this wait for a free one (up to
# [gateway] timeout), so a burst of API calls cannot open unbounded connections upstream.
MAX_CONNECTIONS = 32
MAX_KEEPALIVE = 16


class Upstream(Protocol):
    """What ``stable_api`` needs: a blocking stable-API call and the line it speaks."""

    exchange: Exchange

    def call(
        self,
        method: str,
        api_path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        caller: Credentials | None = None,
        accept: str = JSON,
    ) -> httpx.Response: ...

    def api_line(self) -> ApiLine: ...


def _no_cookies() -> http.cookiejar.CookieJar:
    # Airflow 2 logs a Basic caller into a session; a shared jar would let the next caller ride
    # on that session (its API also accepts session cookies). Nothing is kept.
    return http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def client_options(config: GatewayConfig) -> dict[str, Any]:
    """httpx client settings from ``[gateway]``: timeout, TLS, limits, no cookies, no redirects."""
    verify: bool | ssl.SSLContext = config.verify_ssl
    if config.ca_bundle:
        verify = ssl.create_default_context(cafile=config.ca_bundle)
    return {
        "timeout": httpx.Timeout(config.timeout),
        "verify": verify,
        "limits": httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_KEEPALIVE),
        "cookies": _no_cookies(),
        "follow_redirects": False,
    }


def unavailable(exchange: Exchange, request: httpx.Request, exc: httpx.TransportError) -> UpstreamUnavailable:
    """The outcome of a request that got no answer: refused, timed out, or broken off."""
    what = f"{request.method} {request.url.path}"
    if isinstance(exc, httpx.PoolTimeout):
        reason = f"{what}: every connection to it was busy for {exchange.config.timeout:g} s"
    elif isinstance(exc, httpx.TimeoutException):
        reason = f"{what} got no answer within {exchange.config.timeout:g} s"
    elif isinstance(exc, httpx.ConnectError):
        reason = f"{what}: cannot connect ({_short(exc)})"
    else:
        reason = f"{what}: {type(exc).__name__} ({_short(exc)})"
    return UpstreamUnavailable(exchange.upstream, reason)


def _short(exc: Exception) -> str:
    # httpx repeats the URL in some messages; the masked base URL is already in ours.
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _log_call(request: httpx.Request, status: int | str, seconds: float) -> None:
    timing.record(seconds)
    log.debug("upstream %s %s -> %s in %.1f ms", request.method, mask_url(str(request.url)), status, seconds * 1000)


class SyncUpstream:
    """A blocking client of Airflow's stable API, for code with no event loop (the CLI)."""

    def __init__(self, config: GatewayConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.exchange = Exchange(config)
        self._http = httpx.Client(transport=transport, **client_options(config))

    def call(self, method: str, api_path: str, **options: Any) -> httpx.Response:
        """One stable-API call; see ``Exchange.call``."""
        return self.run(self.exchange.call(method, api_path, **options))

    def api_line(self) -> ApiLine:
        """The API line Airflow speaks (found on first use when ``api_version = auto``)."""
        return self.exchange.line or self.run(self.exchange.detect())

    def run(self, flow: Flow[T]) -> T:
        """Drive a flow to its end, sending each request it yields."""
        request = next(flow)
        while True:
            response = self._send(request)
            try:
                request = flow.send(response)
            except StopIteration as done:
                return done.value

    def _send(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self._http.send(request)
        except httpx.TransportError as exc:
            _log_call(request, type(exc).__name__, time.perf_counter() - started)
            raise unavailable(self.exchange, request, exc) from None
        _log_call(request, response.status_code, time.perf_counter() - started)
        return response

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> SyncUpstream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncUpstream:
    """The worker's shared client of Airflow's stable API: one pool, used from the loop and from threads."""

    def __init__(self, config: GatewayConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.exchange = Exchange(config)
        self._http = httpx.AsyncClient(transport=transport, **client_options(config))

    async def acall(self, method: str, api_path: str, **options: Any) -> httpx.Response:
        """One stable-API call, from async code."""
        return await self.arun(self.exchange.call(method, api_path, **options))

    def call(self, method: str, api_path: str, **options: Any) -> httpx.Response:
        """One stable-API call, from a worker thread of the app's event loop (connexion's handlers).

        The request runs on the event loop, on the shared pool; this thread waits for it.
        """
        return anyio.from_thread.run(functools.partial(self.acall, method, api_path, **options))

    def api_line(self) -> ApiLine:
        """The API line Airflow speaks, from a worker thread (found on first use when ``auto``)."""
        return self.exchange.line or anyio.from_thread.run(self.arun, self.exchange.detect())

    async def arun(self, flow: Flow[T]) -> T:
        """Drive a flow to its end on the event loop."""
        request = next(flow)
        while True:
            response = await self._send(request)
            try:
                request = flow.send(response)
            except StopIteration as done:
                return done.value

    async def _send(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await self._http.send(request)
        except httpx.TransportError as exc:
            _log_call(request, type(exc).__name__, time.perf_counter() - started)
            raise unavailable(self.exchange, request, exc) from None
        _log_call(request, response.status_code, time.perf_counter() - started)
        return response

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()


@asynccontextmanager
async def open_upstream(config: GatewayConfig) -> AsyncIterator[AsyncUpstream]:
    """The worker's shared client for the app's lifespan; closed when the app stops.

    Nothing is asked of Airflow here: a worker starts even while Airflow is down, answers 503
    until it is back, and finds the API line on its first call.
    """
    upstream = AsyncUpstream(config)
    try:
        yield upstream
    finally:
        await upstream.aclose()
