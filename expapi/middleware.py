"""ASGI middleware around connexion: the request's frame (runtime, answer headers, access log) and JSON bodies."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from expapi import runtime
from expapi.auth.basic_credentials import MalformedCredentials, parse_basic
from expapi.auth.middleware import from_script, quiet_challenge, response_headers
from expapi.auth.security import STATE_USER
from expapi.errors import BadRequest, PayloadTooLarge, RequestTimeout
from expapi.gateway import timing
from expapi.gateway.store import CALLER
from expapi.gateway.tokens import Credentials
from expapi.redact import clip

access_log = logging.getLogger("expapi.access")

JSON_TYPE = b"application/json"


def _basic_caller(scope: Scope) -> Credentials | None:
    # Passthrough: the caller's own Basic credentials go to Airflow, which judges them.
    header = Headers(scope=scope).get("authorization")
    try:
        username, password = parse_basic(header)
    except MalformedCredentials:
        return None
    return Credentials(username, password)


class NoSlashRedirectMiddleware:
    """Answers 404 to a path with a trailing slash that the spec does not declare.

    Flask did so; starlette's router would answer 307 to the path without the slash.
    It sits after the Swagger UI, whose own ``/ui/`` keeps working.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/"):
            raise HTTPException(status_code=404)
        await self.app(scope, receive, send)


class JsonBodyMiddleware:
    """Reads every request body as JSON, whatever its Content-Type says, as Airflow did.

    Airflow parsed bodies with ``get_json(force=True)``, so ``curl -d '{...}'`` without a
    JSON header worked; here the header is set to JSON before validation instead. An
    empty body, or one that is not UTF-8 JSON (however deeply nested), is refused with 400.

    It also bounds what a body may cost: a declared ``Content-Length`` over ``max_body``
    is refused before a byte is read, a chunked body is cut off as it crosses it (413), and
    a body that stops arriving ends in 408 after ``read_timeout`` seconds. A chunked body
    reaches validation with its length declared, as connexion expects.
    """

    def __init__(self, app: ASGIApp, max_body: int, read_timeout: float) -> None:
        self.app = app
        self.max_body = max_body
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            raise PayloadTooLarge(_too_large(self.max_body), headers=CLOSE)
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        body = await self._read_body(receive)
        _check_json(body)
        dropped = (b"content-type", b"content-length", b"transfer-encoding")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in dropped]
        headers += [(b"content-type", JSON_TYPE), (b"content-length", str(len(body)).encode("ascii"))]
        scope = {**scope, "headers": headers}
        await self.app(scope, _replay(body), send)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        deadline = asyncio.get_running_loop().time() + self.read_timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(remaining, 0))
            except asyncio.TimeoutError:
                raise RequestTimeout(BODY_TIMEOUT.format(seconds=self.read_timeout), headers=CLOSE) from None
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise PayloadTooLarge(_too_large(self.max_body), headers=CLOSE)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


BODY_TIMEOUT = "The request body did not arrive within {seconds:g} seconds"
# The rest of the body is never read, so the connection cannot carry another request.
CLOSE = {"Connection": "close"}


def _too_large(limit: int) -> str:
    return f"The request body is larger than the limit of {limit} bytes ([webserver] max_request_body)"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP server refuses a malformed length before we see it
    return None


def _check_json(body: bytes) -> None:
    # Said here in plain words; connexion would answer 500 to bytes that are not UTF-8.
    if not body.strip():
        raise BadRequest("The request body is empty; send a JSON object")
    try:
        json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("The request body is not valid UTF-8") from None
    except RecursionError:
        # The parser recurses per level: [[[[...]]]] 100,000 deep exhausts the stack.
        raise BadRequest("The request body is nested too deeply to be read") from None
    except ValueError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from None


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class FrameMiddleware:
    """The frame every request runs in, as one layer outside the error handlers.

    Before the request: the app's ``Runtime`` is bound to it (and, in passthrough gateway
    mode, the caller's Basic credentials). On its answer: the flavour's fixed headers on
    every API answer (Airflow 2's ``Deprecation``/``Link``; errors, 401/403 and routing
    404/405 included, as Airflow 2 put them on every answer of the blueprint); a script's
    401 a challenge browsers do not prompt for; the headers the auth backend asked for.
    After it: one access-log line with client, user, method, path, status and time taken,
    ending in gateway mode with the time spent waiting on Airflow and the number of calls
    (``upstream 12.3ms/2``). One layer rather than five: each ASGI layer costs a request
    its own call and ``send`` wrapper (GET /test: 0.33 ms with five).
    """

    def __init__(self, app: ASGIApp, runtime: runtime.Runtime, base_path: str) -> None:
        self.app = app
        self.runtime = runtime
        self.base_path = base_path
        self.flavour_headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in runtime.flavour.response_headers.items()
        ]
        self.passthrough = runtime.config.gateway.auth == "passthrough"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            token = runtime.bind(self.runtime)
            try:
                await self.app(scope, receive, send)
            finally:
                runtime.unbind(token)
            return
        started = time.perf_counter()
        # Made here, so the inner layers' (shallow) copies of the scope share it.
        state = scope.setdefault("state", {})
        status = 500
        fixed = self.flavour_headers if scope["path"].startswith(self.base_path) else []
        quiet = from_script(scope)

        async def framed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), *fixed]
                if quiet and status == 401:
                    headers = quiet_challenge(headers)
                message = {**message, "headers": headers + response_headers(state)}
            await send(message)

        token = runtime.bind(self.runtime)
        caller = CALLER.set(_basic_caller(scope)) if self.passthrough else None
        tally = timing.open_tally()
        try:
            await self.app(scope, receive, framed_send)
        finally:
            upstream = timing.close_tally(tally)
            if caller is not None:
                CALLER.reset(caller)
            runtime.unbind(token)
            _log_access(scope, state, status, time.perf_counter() - started, upstream)


def _log_access(scope: Scope, state: dict, status: int, seconds: float, upstream: timing.UpstreamTime) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return  # the line is not built at all ([logging] logging_level above INFO)
    client = scope.get("client") or ("-", 0)
    query = scope.get("query_string", b"").decode("latin-1")
    path = clip(scope.get("path", "") + (f"?{query}" if query else ""))
    access_log.info(
        '%s %s "%s %s" %d %.1fms%s',
        client[0], state.get(STATE_USER) or "-", scope["method"], path, status, seconds * 1000,
        f" upstream {upstream.seconds * 1000:.1f}ms/{upstream.calls}" if upstream.calls else "",
    )
