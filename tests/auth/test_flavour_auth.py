"""The password backend per flavour: 1.10's password_auth forbids bad credentials, Airflow 2's basic_auth challenges them."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from expapi.flavours import FLAVOURS
from auth_support import PASSWORD, USERNAME, basic
from http_helpers import API

# (status, body, WWW-Authenticate) for credentials that are read but refused.
REFUSED = {
    "1.10": (403, {"error": "Forbidden"}, None),
    "2": (401, {"error": "Unauthorized"}, 'Basic realm="expapi"'),
}


@pytest.fixture(params=sorted(FLAVOURS))
def compat(request: pytest.FixtureRequest, password_settings: dict[str, str]) -> str:
    password_settings["EXPAPI__API__COMPAT"] = request.param
    return request.param


@pytest.mark.parametrize(("username", "password"), [(USERNAME, "wrong"), ("nobody", PASSWORD)])
def test_refused_credentials(compat: str, password_client: TestClient, username: str, password: str) -> None:
    response = password_client.get(f"{API}/test", headers=basic(username, password))
    assert (response.status_code, response.json(), response.headers.get("WWW-Authenticate")) == REFUSED[compat]


def test_missing_credentials_are_401_in_every_flavour(compat: str, password_client: TestClient) -> None:
    response = password_client.get(f"{API}/test")
    assert (response.status_code, response.headers.get("WWW-Authenticate")) == (401, 'Basic realm="expapi"')


def test_good_credentials(compat: str, password_client: TestClient) -> None:
    response = password_client.get(f"{API}/test", headers=basic(USERNAME, PASSWORD))
    assert response.status_code == 200
    # Airflow 2's deprecation notice is on authenticated answers too; 1.10 has none.
    assert ("Deprecation" in response.headers) is (compat == "2")


def test_refusals_carry_the_deprecation_notice_in_2(compat: str, password_client: TestClient) -> None:
    response = password_client.get(f"{API}/test", headers=basic(USERNAME, "wrong"))
    assert response.headers.get("Deprecation") == ("true" if compat == "2" else None)
