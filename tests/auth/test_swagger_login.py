"""Swagger UI never raises the browser's own login dialog; Airflow clients keep Airflow's answers.

A browser shows its "Sign in" dialog when a script's request gets ``WWW-Authenticate: Basic``.
expapi's Swagger UI page marks its requests with ``X-Requested-With``, and browsers mark
script fetches with ``Sec-Fetch-Mode``; such a request gets a challenge in a scheme no browser
prompts for. Everything else gets Airflow's exact 401.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from auth_support import BASIC_CHALLENGE, UNAUTHORIZED, basic
from http_helpers import API

SCRIPT_HEADERS = {
    "swagger-ui": {"X-Requested-With": "XMLHttpRequest"},
    "fetch": {"Sec-Fetch-Mode": "cors"},
    "same-origin-fetch": {"Sec-Fetch-Mode": "same-origin"},
}


@pytest.mark.parametrize("headers", SCRIPT_HEADERS.values(), ids=SCRIPT_HEADERS.keys())
def test_a_scripts_401_names_no_scheme_a_browser_prompts_for(password_client: TestClient, headers: dict) -> None:
    response = password_client.get(f"{API}/pools", headers=headers)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert response.headers["www-authenticate"] == 'ExpapiBasic realm="expapi"'


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Mode": "navigate"}], ids=["client", "address-bar"])
def test_clients_and_the_address_bar_get_airflows_basic_challenge(password_client: TestClient, headers: dict) -> None:
    response = password_client.get(f"{API}/pools", headers=headers)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert response.headers["www-authenticate"] == BASIC_CHALLENGE


def test_a_script_with_credentials_is_served(password_client: TestClient) -> None:
    headers = {"X-Requested-With": "XMLHttpRequest", **basic()}
    response = password_client.get(f"{API}/pools", headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/ui/", "/ui/index.html"])
def test_the_swagger_ui_page_marks_its_requests_and_reads_the_served_spec(client: TestClient, path: str) -> None:
    response = client.get(API + path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert 'request.headers["X-Requested-With"] = "XMLHttpRequest"' in response.text
    assert f'url: "{API}/openapi.json"' in response.text
    # Its scripts are Swagger UI's own, next to the page.
    assert client.get(f"{API}/ui/swagger-ui-bundle.js").status_code == 200
