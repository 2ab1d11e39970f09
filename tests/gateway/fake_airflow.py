"""A scripted stand-in for Airflow's HTTP API (httpx.MockTransport), for the exchange's edge cases.

The live Airflows prove the happy paths and Airflow's real answers; this one produces what
they cannot be made to produce on demand (expired tokens, 5xx, timeouts, cookies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from expapi.config import GatewayConfig
from jwt_helpers import make_token

BASE = "http://airflow.test:8080"
Responder = Callable[[httpx.Request], httpx.Response]


def config(**settings: Any) -> GatewayConfig:
    """[gateway] for the fake Airflow."""
    return GatewayConfig(**{"airflow_url": BASE, **settings})


class FakeAirflow:
    """Answers by "METHOD /path" from ``routes`` (a response, or a function of the request); 404 otherwise."""

    def __init__(self, routes: dict[str, httpx.Response | Responder | list] | None = None) -> None:
        self.routes = dict(routes or {})
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.routes.get(f"{request.method} {request.url.path}")
        if isinstance(answer, list):  # answers in turn, the last one repeated
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if answer is None:
            return httpx.Response(404, json={"detail": "Not Found"})
        return answer(request) if callable(answer) else answer

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def seen(self) -> list[str]:
        """The requests so far, as "METHOD /path?query"."""
        return [f"{r.method} {r.url.raw_path.decode()}" for r in self.requests]


def version(number: str) -> httpx.Response:
    return httpx.Response(200, json={"version": number, "git_version": ""})


def airflow3(*, tokens: bool = True) -> dict[str, Responder]:
    """Routes of an Airflow 3's version endpoint (its /api/v1 is gone: 404), and its /auth/token.

    The tokens are handed out to anyone (as with all-admins); tests of logins replace them.
    """
    routes = {"GET /api/v2/version": lambda _request: version("3.3.2")}
    if tokens:
        routes["GET /auth/token"] = routes["POST /auth/token"] = lambda _request: token_response()
    return routes


def airflow2() -> dict[str, Responder]:
    """Routes of an Airflow 2's version endpoint (it has no /api/v2: 404)."""
    return {"GET /api/v1/version": lambda _request: version("2.11.2")}


def token_response(payload: dict | None = None, signature: str = "sig") -> httpx.Response:
    return httpx.Response(201, json={"access_token": make_token(payload or {"sub": "admin"}, signature)})
