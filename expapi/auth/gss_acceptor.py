"""The GSSAPI side of Kerberos: accepting one SPNEGO token with the server's keytab.

Imported only when the kerberos backend is chosen, since python-gssapi is optional.
Every call here blocks (it reads the keytab, may talk to the KDC): run it off the loop.
"""

from __future__ import annotations

import gssapi
from gssapi.exceptions import GeneralError, GSSError


class Rejected(Exception):
    """GSSAPI refused the token (or the server's own credentials); the message says why."""


class NoServerKey(Rejected):
    """The server's own key cannot be read: a set-up problem, not the client's."""


class Incomplete(Exception):
    """The token started a multi-step exchange, which a stateless HTTP server cannot finish."""


def service_name(principal: str, hostname: str) -> gssapi.Name:
    """``[kerberos] principal`` as a GSSAPI name: ``airflow`` becomes ``airflow@<hostname>``.

    A principal that already names its host (``airflow/host`` or ``airflow/host@REALM``)
    is taken as it is.
    """
    if "/" in principal:
        return gssapi.Name(principal, gssapi.NameType.kerberos_principal)
    return gssapi.Name(f"{principal}@{hostname}", gssapi.NameType.hostbased_service)


def server_credentials(name: gssapi.Name) -> gssapi.Credentials:
    """The acceptor credentials for ``name`` from the keytab (KRB5_KTNAME); raises NoServerKey."""
    try:
        return gssapi.Credentials(name=name, usage="accept")
    except (GSSError, GeneralError) as exc:
        raise NoServerKey(f"no usable key for {name} in the keytab: {exc}") from None


def accept(name: gssapi.Name, token: bytes) -> tuple[str, bytes | None]:
    """``(initiator principal, mutual-authentication token)`` for a client's token."""
    credentials = server_credentials(name)
    try:
        context = gssapi.SecurityContext(creds=credentials, usage="accept")
        reply = context.step(token)
        # python-gssapi may raise a failed step's error on the next attribute read: keep these inside.
        if not context.complete:
            raise Incomplete("the client asked for a multi-step exchange")
        return str(context.initiator_name), reply
    except (GSSError, GeneralError) as exc:
        raise Rejected(str(exc)) from None
