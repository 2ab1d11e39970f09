"""The Kerberos backend: SPNEGO (``Negotiate``) with the server's keytab (Airflow's ``kerberos_auth``)."""

from __future__ import annotations

import base64
import logging
import os
import socket

from starlette.concurrency import run_in_threadpool

from expapi.auth.base import Backend, Identity, forbidden, split_authorization, unauthorized
from expapi.config import ConfigError

log = logging.getLogger(__name__)

CHALLENGE = "Negotiate"
INSTALL_HINT = "pip install 'expapi[kerberos]'"


class KerberosBackend(Backend):
    """Accepts a Kerberos ticket for ``[kerberos] principal``@<this host>; the user is its client principal."""

    name = "kerberos"
    scheme = "negotiate"

    @classmethod
    def ensure_available(cls) -> None:
        """Stop start-up with one clear line when python-gssapi is missing."""
        try:
            import gssapi  # noqa: F401
        except ImportError:
            raise ConfigError(
                f"[api] auth_backend = kerberos needs python-gssapi, which is not installed: {INSTALL_HINT} "
                "(it compiles against the Kerberos headers, e.g. Debian's libkrb5-dev)"
            ) from None

    def __init__(self, runtime) -> None:
        """Point GSSAPI at the keytab and check, once, that the service's key can be read."""
        super().__init__(runtime)
        from expapi.auth import gss_acceptor

        self._gss = gss_acceptor
        settings = runtime.config.kerberos
        # As Airflow does: the keytab setting applies unless the environment names one.
        os.environ.setdefault("KRB5_KTNAME", settings.keytab)
        self.service = gss_acceptor.service_name(settings.principal, socket.getfqdn())
        try:
            gss_acceptor.server_credentials(self.service)
        except gss_acceptor.NoServerKey as exc:
            # Only a warning, as in Airflow: the keytab may be put in place after start-up.
            log.warning("Kerberos: %s (KRB5_KTNAME=%s); every request will be refused", exc, os.environ["KRB5_KTNAME"])
        else:
            log.info("Kerberos: accepting tickets for %s", self.service)

    async def authenticate(self, authorization: str | None, client: str | None = None) -> Identity:
        """The client principal of a valid ticket, with the mutual-authentication token to send back."""
        token = _negotiate_token(authorization)
        if token is None:
            raise unauthorized(CHALLENGE)
        try:
            user, reply = await run_in_threadpool(self._gss.accept, self.service, token)
        except self._gss.Incomplete:
            raise unauthorized(CHALLENGE) from None
        except self._gss.NoServerKey as exc:
            log.error("Kerberos: %s (KRB5_KTNAME=%s)", exc, os.environ.get("KRB5_KTNAME"))
            raise forbidden() from None
        except self._gss.Rejected as exc:
            log.info("Kerberos token refused: %s", exc)
            raise forbidden() from None
        headers = {"WWW-Authenticate": "negotiate " + base64.b64encode(reply).decode("ascii")} if reply else {}
        return Identity(user=user, response_headers=headers)


def _negotiate_token(header: str | None) -> bytes | None:
    """The token of ``Negotiate <base64>``, or None when the header is absent or not that."""
    parts = split_authorization(header)
    if parts is None or parts[0] != "negotiate":
        return None
    try:
        return base64.b64decode(parts[1], validate=True) or None
    except ValueError:  # not ASCII, or not base64 (binascii.Error)
        return None
