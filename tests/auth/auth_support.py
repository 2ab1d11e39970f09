"""Helpers for the authentication tests: the test user, credentials, and a Kerberos client."""

from __future__ import annotations

import base64
import os
import socket

import pytest

from expapi.auth import password_hashing
from expapi.auth.users import create_user
from expapi.db import Database
from kdc import INSTALL_HINT, missing_requirements

REAL_ROUNDS = password_hashing.ROUNDS  # read before any test lowers it
# Airflow 1.10's password-backend test user.
USERNAME = "hello"
PASSWORD = "world"
BASIC_CHALLENGE = 'Basic realm="expapi"'
UNAUTHORIZED = {"error": "Unauthorized"}
FORBIDDEN = {"error": "Forbidden"}
# Readable Basic credentials that are wrong, per flavour: (status, body, WWW-Authenticate).
# 1.10's password_auth forbids them; Airflow 2's basic_auth challenges them again.
WRONG_CREDENTIALS = {
    "1.10": (403, FORBIDDEN, None),
    "2": (401, UNAUTHORIZED, BASIC_CHALLENGE),
}
# Headers on every answer of a flavour, refusals included (Airflow 2's deprecation notice).
NOTICE = {
    "1.10": {"deprecation": None, "link": None},
    "2": {
        "deprecation": "true",
        "link": (
            "<https://airflow.apache.org/docs/apache-airflow/2.11.2/upgrading-to-2.html"
            '#migration-guide-from-experimental-api-to-stable-api-v1>; rel="deprecation"; type="text/html"'
        ),
    },
}


def refusal(response) -> tuple[int, object, str | None]:
    """(status, JSON body, WWW-Authenticate) of a refused request."""
    return response.status_code, response.json(), response.headers.get("www-authenticate")


def notice(response) -> dict[str, str | None]:
    """The deprecation headers of an answer (None where absent)."""
    return {name: response.headers.get(name) for name in ("deprecation", "link")}


def basic(username: str = USERNAME, password: str = PASSWORD) -> dict[str, str]:
    """Headers with HTTP Basic credentials."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def add_user(database: Database, username: str = USERNAME, password: str = PASSWORD) -> None:
    """Store a user as ``expapi users create`` would."""
    with database.transaction() as session:
        create_user(session, username, password_hashing.hash_password(password))


def in_ci() -> bool:
    """Whether this run is CI's (CI=true), where nothing may be skipped for want of Kerberos."""
    return os.environ.get("CI", "").lower() in ("true", "1")


def require_kerberos() -> None:
    """Skip without a KDC or python-gssapi, naming what to install; under CI=true fail instead."""
    missing = missing_requirements()
    if missing:
        message = f"Kerberos tests need {', '.join(missing)}: {INSTALL_HINT}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


class NegotiateClient:
    """One Kerberos client exchange: the Authorization header, then the check of the server's answer."""

    def __init__(self, host: str | None = None, service: str = "airflow") -> None:
        import gssapi

        name = gssapi.Name(f"{service}@{host or socket.getfqdn()}", gssapi.NameType.hostbased_service)
        flags = gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.out_of_sequence_detection
        self.context = gssapi.SecurityContext(
            name=name, usage="initiate", flags=flags, mech=gssapi.Mechanism.from_sasl_name("SPNEGO")
        )
        self.token = self.context.step()

    def headers(self) -> dict[str, str]:
        return {"Authorization": "Negotiate " + base64.b64encode(self.token).decode()}

    def verify_server(self, www_authenticate: str) -> None:
        """Mutual authentication: the server's token must complete the client's context."""
        scheme, _, token = www_authenticate.partition(" ")
        assert scheme == "negotiate"
        self.context.step(base64.b64decode(token))
        assert self.context.complete
