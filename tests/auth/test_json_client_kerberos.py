"""The json_client authenticates with Kerberos (SPNEGO over httpx) against a live server."""

from __future__ import annotations

from pathlib import Path

import pytest

from expapi.client import ClientError, get_client
from expapi.config import load_config
from live_server import LiveServer, clean_environment

pytestmark = pytest.mark.live


@pytest.fixture
def kerberos_server(kerberos_realm, tmp_path: Path):
    env = clean_environment(tmp_path, EXPAPI__API__AUTH_BACKEND="kerberos")
    with LiveServer(tmp_path, env=env) as live:
        yield live, env


def test_json_client_uses_the_ticket_and_verifies_the_server(kerberos_server, tmp_path: Path) -> None:
    live, env = kerberos_server
    endpoint = live.url.replace("127.0.0.1", "localhost")  # the service principal is airflow/localhost
    config = load_config(tmp_path, environ={**env, "EXPAPI__CLI__API_CLIENT": "json_client", "EXPAPI__CLI__ENDPOINT_URL": endpoint})
    with get_client(config) as client:
        assert client.test() == {"status": "OK"}
        assert client.create_pool("krb", 1, "via SPNEGO")["pool"] == "krb"
    assert " alice@EXAMPLE.TEST \"POST /api/experimental/pools\" 200" in live.output()


def test_without_the_kerberos_backend_config_no_ticket_is_sent(kerberos_server, tmp_path: Path) -> None:
    live, env = kerberos_server
    config = load_config(tmp_path, environ={**env, "EXPAPI__API__AUTH_BACKEND": "default",
                                             "EXPAPI__CLI__API_CLIENT": "json_client", "EXPAPI__CLI__ENDPOINT_URL": live.url})
    with get_client(config) as client, pytest.raises(ClientError) as caught:
        client.test()
    assert (caught.value.status, caught.value.message) == (401, "Unauthorized")
