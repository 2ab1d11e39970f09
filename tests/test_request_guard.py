"""Cross-site browser requests and foreign Host names are refused; other clients work as before (issue 9 item 5)."""

from __future__ import annotations

import pytest

from http_helpers import API
from expapi.config import load_config
from expapi.request_guard import allowed_hosts, host_name

PAUSE = f"{API}/dags/example_bash_operator/paused"
CROSS = "Cross-site request refused: a page from another origin may not change state here; " \
    "add its origin to [webserver] trusted_origins (EXPAPI__WEBSERVER__TRUSTED_ORIGINS) to allow it"


def paused(client) -> bool:
    return client.get(PAUSE).json()["is_paused"]


class TestCrossSite:
    def test_text_plain_post_from_another_origin_is_refused(self, client) -> None:
        response = client.post(
            f"{API}/pools",
            content=b'{"name": "evil", "slots": 1, "description": ""}',
            headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
        )
        assert response.status_code == 403
        assert response.json() == {"error": CROSS}
        assert client.get(f"{API}/pools/evil").status_code == 404

    def test_paused_get_from_another_site_is_refused(self, client) -> None:
        assert paused(client) is True
        response = client.get(f"{PAUSE}/false", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})
        assert response.status_code == 403
        assert response.json() == {"error": CROSS}
        assert paused(client) is True

    @pytest.mark.parametrize("site", ["same-site", "cross-site"])
    def test_trigger_from_another_site_is_refused(self, client, site: str) -> None:
        response = client.post(f"{API}/dags/example_bash_operator/dag_runs", json={}, headers={"Sec-Fetch-Site": site})
        assert response.status_code == 403
        assert client.get(f"{API}/dags/example_bash_operator/dag_runs").json() == []

    def test_another_port_on_localhost_is_another_origin(self, client) -> None:
        response = client.delete(f"{API}/dags/example_bash_operator", headers={"Origin": "http://localhost:3000"})
        assert response.status_code == 403

    def test_null_origin_is_refused(self, client) -> None:
        response = client.post(f"{API}/pools", json={"name": "p", "slots": 1, "description": ""}, headers={"Origin": "null"})
        assert response.status_code == 403

    def test_same_origin_page_may_write(self, client) -> None:
        # Swagger UI, served by this server: same origin.
        headers = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
        response = client.post(f"{API}/pools", json={"name": "ui_pool", "slots": 2, "description": ""}, headers=headers)
        assert response.status_code == 200, response.text
        assert client.get(f"{PAUSE}/false", headers=headers).status_code == 200
        assert paused(client) is False

    def test_reads_from_another_site_still_answer(self, client) -> None:
        response = client.get(f"{API}/pools", headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 200

    @pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/json"])
    def test_scripts_with_any_content_type_work_as_before(self, client, content_type) -> None:
        headers = {"Content-Type": content_type} if content_type else {}
        name = f"script_{(content_type or 'none').replace('/', '_')}"
        response = client.post(f"{API}/pools", content=f'{{"name": "{name}", "slots": 1, "description": ""}}', headers=headers)
        assert response.status_code == 200, response.text
        assert client.get(f"{PAUSE}/false").status_code == 200


class TestTrustedOrigins:
    @pytest.fixture
    def settings(self, server_database):
        base = {} if server_database is None else {"EXPAPI__CORE__SQL_ALCHEMY_CONN": server_database}
        return {**base, "EXPAPI__WEBSERVER__TRUSTED_ORIGINS": "https://dash.example.com"}

    def test_a_trusted_origin_may_write(self, client) -> None:
        headers = {"Origin": "https://dash.example.com", "Sec-Fetch-Site": "cross-site"}
        assert client.get(f"{PAUSE}/false", headers=headers).status_code == 200
        assert paused(client) is False
        assert client.get(f"{PAUSE}/true", headers={"Origin": "https://other.example.com"}).status_code == 403


class TestHost:
    def test_a_foreign_host_is_refused_even_for_reads(self, client) -> None:
        # DNS rebinding: a page at rebind.example whose name now points to 127.0.0.1.
        response = client.get(f"{API}/pools", headers={"Host": "rebind.example:8080"})
        assert response.status_code == 403
        assert response.json() == {
            "error": "Host 'rebind.example:8080' is not one this server answers to; add it to "
            "[webserver] allowed_hosts (EXPAPI__WEBSERVER__ALLOWED_HOSTS)"
        }

    @pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST"])
    def test_loopback_names_are_served(self, client, host: str) -> None:
        assert client.get(f"{API}/test", headers={"Host": host}).status_code == 200

    def test_too_many_header_fields_is_a_431(self, client) -> None:
        headers = [(f"x-h{i}", "v") for i in range(150)]
        response = client.get(f"{API}/test", headers=headers)
        assert response.status_code == 431
        assert "at most 100 are read" in response.json()["error"]


class TestWidenedHosts:
    @pytest.fixture
    def settings(self, server_database):
        base = {} if server_database is None else {"EXPAPI__CORE__SQL_ALCHEMY_CONN": server_database}
        return {**base, "EXPAPI__WEBSERVER__ALLOWED_HOSTS": "expapi.internal, localhost"}

    def test_a_listed_name_is_served_and_others_refused(self, client) -> None:
        assert client.get(f"{API}/test", headers={"Host": "expapi.internal:8080"}).status_code == 200
        assert client.get(f"{API}/test", headers={"Host": "127.0.0.1"}).status_code == 403


def test_allowed_hosts_defaults(tmp_path) -> None:
    def hosts(**env):
        return allowed_hosts(load_config(tmp_path, environ={f"EXPAPI__WEBSERVER__{k.upper()}": v for k, v in env.items()}).webserver)

    assert hosts() == frozenset({"localhost", "127.0.0.1", "::1"})
    assert hosts(web_server_host="127.0.0.2") == frozenset({"localhost", "127.0.0.1", "::1", "127.0.0.2"})
    assert hosts(web_server_host="0.0.0.0") is None  # reachable by names the server cannot know
    assert hosts(web_server_host="0.0.0.0", allowed_hosts="api.example.com") == frozenset({"api.example.com"})
    assert hosts(allowed_hosts="*") is None


@pytest.mark.parametrize(
    "value, name", [("localhost:8080", "localhost"), ("[::1]:80", "::1"), ("::1", "::1"), ("Example.COM", "example.com")]
)
def test_host_name(value: str, name: str) -> None:
    assert host_name(value) == name
