"""How the password backend reads the Authorization header: nothing malformed answers 500.

The cases are Airflow 2.9.1's ``test_malformed_headers`` and ``test_invalid_auth_header``
(its basic_auth backend answers 401 to all of them) plus the ones Airflow 1.10 answered
with a 500. expapi answers 401 to anything it cannot read and, as Airflow 1.10 did, 403
to readable credentials that are wrong.
"""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from auth_support import BASIC_CHALLENGE, FORBIDDEN, UNAUTHORIZED, basic
from http_helpers import API


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


MALFORMED = {
    # Airflow 2.9.1 test_malformed_headers
    "basic": "basic",
    "basic-space": "basic ",
    "bearer": "bearer",
    "bare-user-colon-password": "test:test",
    "bare-base64": b64("test:test"),
    "bearer-space": "bearer ",
    "basic-colon": "basic: ",
    "basic-123": "basic 123",
    # Airflow 2.9.1 test_invalid_auth_header (test:123, a wrong password, is below)
    "no-colon": "basic " + b64("test"),
    "empty-password": "basic " + b64("test:"),
    "space-not-colon": "basic " + b64("test test"),
    # 500s in Airflow 1.10, and other shapes
    "hello-no-colon": "Basic aGVsbG8=",
    "not-base64": "Basic !!!not-base64!!!",
    "empty-username": "Basic " + b64(":world"),
    "not-utf8": "Basic " + b64(b"hell\xff:world"),
    "right-credentials-wrong-scheme": "Bearer " + b64("hello:world"),
    "negotiate": "Negotiate " + b64("hello:world"),
    "only-spaces": "   ",
}


@pytest.mark.parametrize("header", MALFORMED.values(), ids=MALFORMED.keys())
def test_an_unreadable_header_is_unauthorized(password_client: TestClient, header: str) -> None:
    response = password_client.get(f"{API}/pools", headers={"Authorization": header})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert response.headers["www-authenticate"] == BASIC_CHALLENGE


def test_header_bytes_that_are_not_text_are_unauthorized(password_client: TestClient) -> None:
    response = password_client.get(f"{API}/pools", headers={"Authorization": b"Basic \xff\xfe"})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


@pytest.mark.parametrize(
    "username, password",
    [("hello", "123"), ("hello", "World"), ("nobody", "world"), ("hello ", "world")],
    ids=["wrong-password", "password-case", "unknown-user", "username-with-space"],
)
def test_readable_wrong_credentials_are_forbidden(password_client: TestClient, username: str, password: str) -> None:
    # Airflow 2's basic_auth says 401 here; expapi keeps 1.10's 403, which the spec declares.
    response = password_client.get(f"{API}/pools", headers=basic(username, password))
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert "www-authenticate" not in response.headers


def test_airflow_1_10_test_user_reads_pools(password_client: TestClient) -> None:
    # 1.10.15 test_password_endpoints: Basic aGVsbG86d29ybGQ= (hello:world) → 200.
    response = password_client.get(f"{API}/pools", headers={"Authorization": "Basic aGVsbG86d29ybGQ="})
    assert response.status_code == 200
    assert [pool["pool"] for pool in response.json()] == ["default_pool"]


@pytest.mark.parametrize("scheme", ["Basic", "basic", "BASIC"])
def test_the_scheme_is_case_insensitive(password_client: TestClient, scheme: str) -> None:
    response = password_client.get(f"{API}/test", headers={"Authorization": f"{scheme}  {b64('hello:world')}"})
    assert (response.status_code, response.json()) == (200, {"status": "OK"})


def test_a_password_may_hold_colons_and_non_ascii(password_settings, database, client: TestClient) -> None:
    from auth_support import add_user

    add_user(database, "josé", "pa:ss wörd")
    response = client.get(f"{API}/test", headers=basic("josé", "pa:ss wörd"))
    assert (response.status_code, response.json()) == (200, {"status": "OK"})


def test_unknown_routes_and_methods_are_answered_before_credentials(password_client: TestClient) -> None:
    assert password_client.get(f"{API}/no_such_route").status_code == 404
    response = password_client.put(f"{API}/pools")
    assert response.status_code == 405
    assert "www-authenticate" not in response.headers
