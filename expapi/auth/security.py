"""Wiring a backend into connexion: the spec's security schemes, and who the request is from.

The spec names two schemes (``Basic`` and ``Kerberos``, i.e. http ``basic`` and
``negotiate``) as alternatives on every operation. connexion's SecurityMiddleware runs
after routing, so unknown paths still answer 404 and wrong methods 405 before any
credentials are asked for, as in Airflow. Through ``security_map`` both schemes defer
to the one configured backend, so the spec stays the same whatever backend runs.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from connexion.security import NO_VALUE, AbstractSecurityHandler
from starlette.types import Scope

from expapi.auth.base import Backend, Identity

STATE_USER = "user"  # read by the access log (expapi.middleware.FrameMiddleware)
STATE_RESPONSE_HEADERS = "auth_response_headers"  # added to the answer (expapi.auth.middleware.response_headers)


def authorization_header(scope: Scope) -> str | None:
    """The request's Authorization header as text (latin-1, as HTTP/1.1 headers are), or None."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            return value.decode("latin-1")
    return None


async def authenticate(backend: Backend, scope: Scope) -> Identity:
    """Run ``backend`` on the request and note the identity in its state; raises to refuse it."""
    client = scope.get("client")
    identity = await backend.authenticate(authorization_header(scope), client[0] if client else None)
    state = scope.setdefault("state", {})
    state[STATE_USER] = identity.user
    state[STATE_RESPONSE_HEADERS] = identity.response_headers
    return identity


class BackendScheme(AbstractSecurityHandler):
    """connexion's handler for one http scheme of the spec, deferring to the backend."""

    def __init__(self, backend: Backend, scheme: str) -> None:
        self.backend = backend
        self.scheme = scheme

    def get_fn(self, security_scheme: dict, required_scopes: list) -> Callable[[Any], Any]:
        """The check connexion runs for this scheme on every operation that names it."""
        if self.backend.scheme not in (None, self.scheme):
            # Not this backend's scheme: let connexion try the other alternative.
            return lambda _request: NO_VALUE

        async def verify(request) -> dict:
            identity = await authenticate(self.backend, request.scope)
            return {"sub": identity.user}

        return verify


def security_map(backend: Backend) -> dict[str, Callable[[], AbstractSecurityHandler]]:
    """connexion's ``security_map``: each http scheme of the spec, bound to ``backend``."""
    return {scheme: functools.partial(BackendScheme, backend, scheme) for scheme in ("basic", "negotiate")}
