"""``[api] expose_spec``: the spec and Swagger UI public, behind the API's credentials, or off."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from expapi.config import ConfigError, load_config
from auth_support import BASIC_CHALLENGE, FORBIDDEN, UNAUTHORIZED, add_user, basic
from http_helpers import API

SPEC_AND_UI = [f"{API}/openapi.json", f"{API}/openapi.yaml", f"{API}/ui/", f"{API}/ui/swagger-ui.css"]


@pytest.fixture
def auth_backend() -> str:
    return "password"


@pytest.fixture
def expose_spec() -> str | None:
    return None


@pytest.fixture
def settings(settings: dict[str, str], auth_backend: str, expose_spec: str | None) -> dict[str, str]:
    settings["EXPAPI__API__AUTH_BACKEND"] = auth_backend
    if expose_spec is not None:
        settings["EXPAPI__API__EXPOSE_SPEC"] = expose_spec
    return settings


@pytest.fixture
def client(database, client: TestClient) -> TestClient:
    """The root client, with the user hello/world."""
    add_user(database)
    return client


@pytest.mark.parametrize("expose_spec", [None, "public"], ids=["unset", "public"])
@pytest.mark.parametrize("url", SPEC_AND_UI)
def test_public_spec_and_ui_need_no_credentials(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 200
    assert client.get(f"{API}/test").status_code == 401  # the API itself is still protected


@pytest.mark.parametrize("expose_spec", ["protected"])
@pytest.mark.parametrize("url", SPEC_AND_UI)
def test_protected_spec_and_ui_need_the_apis_credentials(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert response.headers["www-authenticate"] == BASIC_CHALLENGE
    assert client.get(url, headers=basic(password="wrong")).json() == FORBIDDEN
    assert client.get(url, headers=basic()).status_code == 200


@pytest.mark.parametrize("expose_spec", ["protected"])
def test_swagger_ui_authorize_works_with_basic_credentials(client: TestClient) -> None:
    """What Swagger UI does after "Authorize": load the spec, then call an operation, with Basic credentials."""
    spec = client.get(f"{API}/openapi.json", headers=basic())
    assert spec.status_code == 200
    schemes = spec.json()["components"]["securitySchemes"]
    assert (schemes["Basic"]["type"], schemes["Basic"]["scheme"]) == ("http", "basic")
    assert spec.json()["security"] == [{"Basic": []}]  # only the scheme the server reads
    response = client.get(f"{API}/pools", headers=basic())
    assert response.status_code == 200
    assert [pool["pool"] for pool in response.json()] == ["default_pool"]


@pytest.mark.parametrize("expose_spec, auth_backend", [("protected", "deny_all")])
def test_protected_under_deny_all_is_forbidden_for_everyone(client: TestClient) -> None:
    assert client.get(f"{API}/openapi.json", headers=basic()).json() == FORBIDDEN


@pytest.mark.parametrize("expose_spec, auth_backend", [("protected", "default")])
def test_protected_under_the_open_backend_stays_readable(client: TestClient) -> None:
    assert client.get(f"{API}/openapi.json").status_code == 200


@pytest.mark.parametrize("expose_spec", ["off"])
@pytest.mark.parametrize("url", SPEC_AND_UI)
def test_off_serves_neither(client: TestClient, url: str) -> None:
    response = client.get(url, headers=basic())
    assert response.status_code == 404
    assert set(response.json()) == {"error"}
    assert client.get(f"{API}/test", headers=basic()).status_code == 200


def test_an_unknown_mode_stops_start_up(home) -> None:
    with pytest.raises(ConfigError, match=r"\[api\] expose_spec: 'private'.*off, protected, public"):
        load_config(home, environ={"EXPAPI__API__EXPOSE_SPEC": "private"})
