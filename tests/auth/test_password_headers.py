"""How the password backend reads the Authorization header: nothing malformed answers 500.

The cases are Airflow 2.9.1's ``test_malformed_headers`` and ``test_invalid_auth_header``
(its basic_auth backend answers 401 to all of them) plus the ones Airflow 1.10 answered
with a 500. In both flavours expapi answers 401 to anything it cannot read; readable
credentials that are wrong get 1.10's 403, or Airflow 2's 401 with a challenge in the 2
flavour.
"""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from auth_support import BASIC_CHALLENGE, NOTICE, UNAUTHORIZED, WRONG_CREDENTIALS, basic, notice, refusal
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
def test_an_unreadable_header_is_unauthorized(flavour: str, password_client: TestClient, header: str) -> None:
    response = password_client.get(f"{API}/pools", headers={"Authorization": header})
    assert refusal(response) == (401, UNAUTHORIZED, BASIC_CHALLENGE)
    assert notice(response) == NOTICE[flavour]


def test_header_bytes_that_are_not_text_are_unauthorized(password_client: TestClient) -> None:
    response = password_client.get(f"{API}/pools", headers={"Authorization": b"Basic \xff\xfe"})
    assert refusal(response) == (401, UNAUTHORIZED, BASIC_CHALLENGE)


@pytest.mark.parametrize(
    "username, password",
    [("hello", "123"), ("hello", "World"), ("nobody", "world"), ("hello ", "world")],
    ids=["wrong-password", "password-case", "unknown-user", "username-with-space"],
)
def test_readable_wrong_credentials_are_refused(
    flavour: str, password_client: TestClient, username: str, password: str
) -> None:
    response = password_client.get(f"{API}/pools", headers=basic(username, password))
    assert refusal(response) == WRONG_CREDENTIALS[flavour]
    assert notice(response) == NOTICE[flavour]


def test_airflow_1_10_test_user_reads_pools(flavour: str, password_client: TestClient) -> None:
    # 1.10.15 test_password_endpoints: Basic aGVsbG86d29ybGQ= (hello:world) → 200.
    response = password_client.get(f"{API}/pools", headers={"Authorization": "Basic aGVsbG86d29ybGQ="})
    assert response.status_code == 200
    assert response.json() == [
        {
            "1.10": {"description": "Default pool", "id": 1, "pool": "default_pool", "slots": 128},
            "2": {"description": "Default pool", "id": 1, "include_deferred": False, "pool": "default_pool", "slots": 128},
        }[flavour]
    ]


@pytest.mark.parametrize("scheme", ["Basic", "basic", "BASIC"])
def test_the_scheme_is_case_insensitive(password_client: TestClient, scheme: str) -> None:
    response = password_client.get(f"{API}/test", headers={"Authorization": f"{scheme}  {b64('hello:world')}"})
    assert (response.status_code, response.json()) == (200, {"status": "OK"})


def test_a_password_may_hold_colons_and_non_ascii(password_settings, database, client: TestClient) -> None:
    from auth_support import add_user

    add_user(database, "josé", "pa:ss wörd")
    response = client.get(f"{API}/test", headers=basic("josé", "pa:ss wörd"))
    assert (response.status_code, response.json()) == (200, {"status": "OK"})


def test_unknown_routes_and_methods_are_answered_before_credentials(flavour: str, password_client: TestClient) -> None:
    missing = password_client.get(f"{API}/no_such_route")
    assert (missing.status_code, notice(missing)) == (404, NOTICE[flavour])
    response = password_client.put(f"{API}/pools")
    assert (response.status_code, notice(response)) == (405, NOTICE[flavour])
    assert "www-authenticate" not in response.headers


def test_info_is_behind_credentials_and_names_the_flavours_airflow(flavour: str, password_client: TestClient) -> None:
    # Airflow 2's endpoint, served in both flavours (a client can ask which to expect).
    refused = password_client.get(f"{API}/info", headers=basic("hello", "wrong"))
    granted = password_client.get(f"{API}/info", headers=basic())
    assert refusal(refused) == WRONG_CREDENTIALS[flavour]
    version = {"1.10": "1.10.15", "2": "2.11.2"}[flavour]
    assert (granted.status_code, granted.json(), notice(granted)) == (200, {"version": version}, NOTICE[flavour])
