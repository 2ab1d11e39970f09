"""``expapi serve --airflow-url``: gateway mode from the command line, checked at start-up in one line."""

from __future__ import annotations

import os

import pytest

from expapi.cli import main
from live_airflow import LiveAirflow
from live_server import free_port

URL_VARIABLE = "EXPAPI__GATEWAY__AIRFLOW_URL"


@pytest.fixture
def serve(home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run ``expapi serve`` up to where uvicorn would start; returns (exit code, stderr, started)."""
    monkeypatch.setenv("EXPAPI_HOME", str(home))
    for name in [n for n in os.environ if n.startswith("EXPAPI__")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv(URL_VARIABLE, "")  # so that what serve sets for its workers is undone
    started = []
    monkeypatch.setattr("expapi.cli.supervisor.serve", lambda *args, **kwargs: started.append(kwargs))

    def serve(*args: str, **settings: str) -> tuple[int, str, bool]:
        for key, value in settings.items():
            monkeypatch.setenv(f"EXPAPI__GATEWAY__{key.upper()}", value)
        try:
            code = main(["serve", *args])
        except SystemExit as exit:  # argparse refusing an option
            code = exit.code
        return code, capsys.readouterr().err, bool(started)

    return serve


def test_a_url_with_credentials_is_refused_masked(serve) -> None:
    code, err, started = serve("--airflow-url", "http://admin:s3cret@airflow:8080/?token=t0ken")
    assert (code, started) == (2, False)
    assert err.splitlines()[-1] == (
        "expapi serve: error: argument --airflow-url: 'http://***:***@airflow:8080/?token=***': "
        "credentials in the URL are not used: set [gateway] username and password"
    )
    assert "s3cret" not in err and "t0ken" not in err


def test_an_unreachable_airflow_stops_start_up_in_one_line(serve) -> None:
    port = free_port()
    code, err, started = serve("--airflow-url", f"http://127.0.0.1:{port}")
    assert (code, started) == (3, False)
    [line] = err.splitlines()
    assert line.startswith(f"expapi: Airflow at http://127.0.0.1:{port} is unavailable: GET /api/v2/version: cannot connect (")


def test_an_invalid_setting_names_its_key(serve) -> None:
    code, err, started = serve(airflow_url="http://127.0.0.1:1", api_version="3")
    assert (code, started) == (2, False)
    assert err == "expapi: configuration error: invalid value for [gateway] api_version: '3' (expected one of: 1, 2, auto)\n"


class TestLive:
    def test_serves_in_front_of_a_live_airflow(self, serve, airflow: LiveAirflow) -> None:
        code, err, started = serve("--airflow-url", airflow.url + "/", username=airflow.admin.username, password=airflow.admin.password)
        assert (code, started) == (0, True)
        assert f"gateway mode: Airflow {airflow.major}." in err
        assert f" at {airflow.url} (stable API {airflow.api_prefix}, auth service as {airflow.admin.username!r})" in err
        assert os.environ[URL_VARIABLE] == airflow.url  # what each worker reads
        assert airflow.admin.password not in err

    def test_a_rejected_service_account_stops_start_up_in_one_line(self, serve, airflow: LiveAirflow) -> None:
        code, err, started = serve(airflow_url=airflow.url, username=airflow.admin.username, password="wrong")
        assert (code, started) == (2, False)
        [line] = err.splitlines()
        assert line.startswith(f"expapi: Airflow at {airflow.url} rejected the gateway's credentials: ")
        assert line.endswith(f"(as [gateway] username {airflow.admin.username!r})")

    def test_the_wrong_api_version(self, serve, airflow: LiveAirflow) -> None:
        other = "1" if airflow.major == 3 else "2"
        code, err, started = serve(airflow_url=airflow.url, api_version=other, auth="passthrough")
        assert (code, started) == (2, False)
        [line] = err.splitlines()
        assert line.startswith(f"expapi: Airflow at {airflow.url} gave an unexpected answer: [gateway] api_version = {other} expects")


def test_the_password_backend_is_refused_in_gateway_mode(serve, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPAPI__API__AUTH_BACKEND", "password")
    code, err, started = serve("--airflow-url", "http://127.0.0.1:1")
    assert (code, started) == (1, False)
    assert err == (
        "expapi: [api] auth_backend = password needs expapi's own users, which gateway mode does not keep: "
        "set [gateway] auth = passthrough (Airflow checks each caller) and [api] auth_backend = default\n"
    )


@pytest.mark.parametrize(
    ("command", "what", "instead"),
    [
        (["users", "create", "--username", "u", "--password", "a-long-password-1"], "expapi users",
         "users are Airflow's own (set [gateway] auth = passthrough)"),
        (["users", "list"], "expapi users", "users are Airflow's own (set [gateway] auth = passthrough)"),
        (["dags", "sync"], "expapi dags sync", "Airflow parses its own DAG files"),
        (["dags", "list"], "expapi dags list", "Airflow lists its own DAGs (airflow dags list)"),
    ],
)
def test_database_commands_refuse_in_gateway_mode(home, monkeypatch, capsys, command, what, instead) -> None:
    monkeypatch.setenv("EXPAPI_HOME", str(home))
    monkeypatch.setenv(URL_VARIABLE, "http://127.0.0.1:1")
    assert main(command) == 1
    assert capsys.readouterr().err == (
        f"expapi: {what}: not in gateway mode ([gateway] airflow_url is set): expapi keeps no database there; {instead}\n"
    )
