"""What the HTTP client authenticates with, chosen as Airflow chose its CLIENT_AUTH.

The client reads the same ``[api] auth_backend`` as the server: ``password`` sends HTTP
Basic with ``[cli] username`` and ``[cli] password``; ``kerberos`` answers the server's
Negotiate challenge with a ticket from the credential cache (``kinit`` first).
"""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx

from expapi.client.base import ClientError
from expapi.config import Config


def client_auth(config: Config) -> httpx.Auth | None:
    """The httpx auth for the configured backend, or None when the API is open."""
    backend = config.api.auth_backend
    if backend == "password":
        if not config.cli.username:
            raise ClientError(None, "[api] auth_backend is password: set [cli] username and password "
                                    "(or EXPAPI__CLI__USERNAME and EXPAPI__CLI__PASSWORD)")
        return httpx.BasicAuth(config.cli.username, config.cli.password or "")
    if backend == "kerberos":
        return NegotiateAuth(config.kerberos.principal)
    return None


class NegotiateAuth(httpx.Auth):
    """SPNEGO for httpx: answers a 401 Negotiate challenge, then checks the server's mutual token."""

    def __init__(self, service: str = "airflow") -> None:
        try:
            import gssapi  # noqa: F401  (optional extra)
        except ImportError:
            raise ClientError(None, "Kerberos needs the kerberos extra: pip install 'expapi[kerberos]'") from None
        self.service = service

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        import gssapi

        response = yield request
        if response.status_code != 401 or "negotiate" not in response.headers.get("www-authenticate", "").lower():
            return
        name = gssapi.Name(f"{self.service}@{request.url.host}", gssapi.NameType.hostbased_service)
        context = gssapi.SecurityContext(name=name, usage="initiate", mech=gssapi.MechType.kerberos)
        try:
            token = context.step()
        except gssapi.exceptions.GSSError as exc:
            raise ClientError(None, f"no Kerberos ticket for {self.service}@{request.url.host}: {exc.gen_message()}") from None
        request.headers["Authorization"] = "Negotiate " + base64.b64encode(token).decode()
        response = yield request
        _verify_mutual(context, response)


def _verify_mutual(context, response: httpx.Response) -> None:
    # The server proves itself with the token in its WWW-Authenticate header.
    header = response.headers.get("www-authenticate", "")
    scheme, _, token = header.partition(" ")
    if response.is_success and scheme.lower() == "negotiate" and token:
        context.step(base64.b64decode(token))
