"""Authentication outside connexion's operations: the spec's guard, and what an answer's headers owe the backend."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from expapi.auth.base import Backend
from expapi.auth.security import STATE_RESPONSE_HEADERS, authenticate


def response_headers(state: dict) -> list[tuple[bytes, bytes]]:
    """The headers the backend asked to add to the answer (Kerberos' mutual-authentication token).

    Added outside the error handlers, so a request that authenticated and then failed (a
    404, say) still carries the token, as every answer to an authenticated request should.
    """
    extra = state.get(STATE_RESPONSE_HEADERS)
    if not extra:
        return []
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in extra.items()]


class SpecGuardMiddleware:
    """Asks for the API's credentials before the spec or Swagger UI is served (``expose_spec = protected``)."""

    def __init__(self, app: ASGIApp, backend: Backend, base_path: str) -> None:
        self.app = app
        self.backend = backend
        self.spec_paths = {f"{base_path}/openapi.json", f"{base_path}/openapi.yaml"}
        self.ui_path = f"{base_path}/ui"

    def guards(self, path: str) -> bool:
        """Whether ``path`` is the spec, Swagger UI or one of its files."""
        return path in self.spec_paths or path == self.ui_path or path.startswith(self.ui_path + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.guards(scope["path"]):
            await authenticate(self.backend, scope)
        await self.app(scope, receive, send)


# The scheme a script's 401 names instead of Basic (see quiet_challenge).
SCRIPT_CHALLENGE_SCHEME = "ExpapiBasic"


def from_script(scope: Scope) -> bool:
    """Whether a page's script sent the request, not a user typing a URL or a client program.

    Swagger UI's page marks its requests with ``X-Requested-With`` (see ``expapi.swagger_page``);
    browsers also say ``Sec-Fetch-Mode`` (anything but ``navigate`` is a script's fetch) on
    secure origins and localhost. Airflow clients send neither.
    """
    for name, value in scope.get("headers", ()):
        name = name.lower()
        if name == b"x-requested-with" or (name == b"sec-fetch-mode" and value.lower() != b"navigate"):
            return True
    return False


def quiet_challenge(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A 401's headers for a page's script: the Basic challenge names a scheme browsers do not prompt for.

    A browser answers ``WWW-Authenticate: Basic`` on a script's request with its own "Sign in"
    dialog, over Swagger UI, before Authorize was used. For such requests the challenge
    becomes ``ExpapiBasic realm=...`` (still a challenge, so the 401 stays a proper one);
    every other request, Airflow's clients included, gets Airflow's exact answer.
    """
    quieted = []
    for name, value in headers:
        if name.lower() == b"www-authenticate" and value[:6].lower() == b"basic ":
            value = SCRIPT_CHALLENGE_SCHEME.encode("ascii") + value[5:]
        quieted.append((name, value))
    return quieted
