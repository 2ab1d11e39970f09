"""The Kerberos backend against a real MIT KDC on loopback (see tests/auth/kdc.py), in each flavour.

Airflow 1.10's and 2's kerberos_auth answer alike (401 Negotiate, 403 for a ticket that does
not check out); the 2 flavour adds its deprecation headers to every answer.
"""

from __future__ import annotations

import base64
import logging

import pytest
from starlette.testclient import TestClient

from expapi.app import create_app
from expapi.config import Config, load_config
from auth_support import FORBIDDEN, NOTICE, UNAUTHORIZED, NegotiateClient, basic, notice
from kdc import REALM, USER
from http_helpers import API

pytestmark = pytest.mark.usefixtures("kerberos_settings")


def test_no_ticket_is_challenged_to_negotiate(flavour: str, client: TestClient) -> None:
    response = client.get(f"{API}/test")
    assert (response.status_code, response.json(), notice(response)) == (401, UNAUTHORIZED, NOTICE[flavour])
    assert response.headers["www-authenticate"] == "Negotiate"


def test_a_good_ticket_is_accepted_and_the_server_proves_itself(flavour: str, client: TestClient, caplog) -> None:
    kerberos = NegotiateClient()
    with caplog.at_level(logging.INFO, logger="expapi.access"):
        response = client.post(f"{API}/pools", json={"name": "krb", "slots": 2, "description": "via Kerberos"}, headers=kerberos.headers())
    assert (response.status_code, notice(response)) == (200, NOTICE[flavour])
    assert response.json()["pool"] == "krb"
    kerberos.verify_server(response.headers["www-authenticate"])
    assert any(f" {USER}@{REALM} \"POST /api/experimental/pools\" 200" in r.getMessage() for r in caplog.records)


def test_an_error_answer_still_carries_the_mutual_token(client: TestClient) -> None:
    kerberos = NegotiateClient()
    response = client.get(f"{API}/pools/no_such_pool", headers=kerberos.headers())
    assert response.status_code == 404
    kerberos.verify_server(response.headers["www-authenticate"])


def test_a_garbage_token_is_forbidden(flavour: str, client: TestClient) -> None:
    response = client.get(f"{API}/test", headers={"Authorization": "Negotiate " + base64.b64encode(b"garbage").decode()})
    assert (response.status_code, response.json(), notice(response)) == (403, FORBIDDEN, NOTICE[flavour])
    assert "www-authenticate" not in response.headers


def test_a_replayed_token_is_forbidden(client: TestClient) -> None:
    headers = NegotiateClient().headers()
    assert client.get(f"{API}/test", headers=headers).status_code == 200
    assert client.get(f"{API}/test", headers=headers).json() == FORBIDDEN


@pytest.mark.parametrize(
    "header", ["Negotiate", "Negotiate !!!", "Negotiate é".encode("latin-1"), "Kerberos abc", "Basic aGVsbG86d29ybGQ="], ids=str
)
def test_an_unreadable_header_is_challenged_again(client: TestClient, header: str) -> None:
    response = client.get(f"{API}/test", headers={"Authorization": header})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert response.headers["www-authenticate"] == "Negotiate"


@pytest.mark.parametrize("principal, accepted", [(f"airflow/localhost@{REALM}", True), ("airflow/elsewhere", False)])
def test_airflows_dotted_name_and_a_full_principal(home, database, principal: str, accepted: bool) -> None:
    environ = {
        "EXPAPI__API__AUTH_BACKEND": "airflow.api.auth.backend.kerberos_auth",
        "EXPAPI__KERBEROS__PRINCIPAL": principal,
    }
    with TestClient(create_app(load_config(home, environ=environ)), base_url="http://localhost") as client:
        response = client.get(f"{API}/test", headers=NegotiateClient(host="localhost").headers())
    assert response.status_code == (200 if accepted else 403)


def test_a_keytab_without_the_key_is_a_warning_then_forbidden(
    monkeypatch: pytest.MonkeyPatch, tmp_path, database, config: Config, caplog
) -> None:
    monkeypatch.setenv("KRB5_KTNAME", f"FILE:{tmp_path / 'empty.keytab'}")
    with caplog.at_level(logging.WARNING, logger="expapi.auth.kerberos"):
        app = create_app(config)
        with TestClient(app, base_url="http://localhost") as client:
            response = client.get(f"{API}/test", headers=NegotiateClient().headers())
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    messages = [r.getMessage() for r in caplog.records]
    assert any("every request will be refused" in m for m in messages)
    assert any(r.levelno == logging.ERROR and "empty.keytab" in r.getMessage() for r in caplog.records)


def test_basic_credentials_do_not_get_in(client: TestClient) -> None:
    assert client.get(f"{API}/test", headers=basic()).status_code == 401
