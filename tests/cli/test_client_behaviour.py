"""What people expect of the clients and commands, and Airflow's client bugs, each absent.

The json_client tests run against a server of each flavour.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from expapi.cli import main
from expapi.client import ClientError, get_client
from expapi.client.json_client import JsonClient
from expapi.config import load_config
from expapi.flavours import FLAVOURS
from live_server import EXPAPI, LiveServer, clean_environment, free_port

CLI = [EXPAPI]


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def flavour(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, flavour: str) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("served")
    with LiveServer(home, env=clean_environment(home, EXPAPI__API__COMPAT=flavour)) as live:
        yield live


def test_an_unreachable_server_names_the_endpoint_and_exits_3(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("EXPAPI__CLI__API_CLIENT", "json_client")
    monkeypatch.setenv("EXPAPI__CLI__ENDPOINT_URL", endpoint)
    capsys.readouterr()
    assert main(["pools", "list"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"expapi: cannot reach the API at {endpoint}: ")
    assert len(err.splitlines()) == 1


def test_local_client_without_a_database_exits_3(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pools", "list"]) == 3
    assert "run 'expapi db init'?" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "refusal"), [(["dags", "delete"], "Cancelled"), (["delete_dag"], "Bail.")])
@pytest.mark.parametrize("answer", ["n\n", "\n", "yes\n", ""])
def test_delete_asks_first_and_anything_but_y_keeps_the_dag(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command, refusal, answer
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    capsys.readouterr()
    assert main([*command, "tutorial"]) == 1
    captured = capsys.readouterr()
    assert "This will drop all existing records related to the specified DAG. Proceed? (y/n)" in captured.out
    assert refusal in captured.out + captured.err
    assert main(["dags", "pause", "tutorial"]) == 0  # still there


@pytest.mark.parametrize("command", [["dags", "delete"], ["delete_dag"]])
def test_delete_goes_ahead_on_y(cli_home: Path, monkeypatch: pytest.MonkeyPatch, capsys, command) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert main([*command, "tutorial"]) == 0
    assert "Removed 2 record(s)" in capsys.readouterr().out


def test_pools_export_then_import_round_trips(cli_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = cli_home / "in.json"
    source.write_text(json.dumps({"foo": {"description": "foo_test", "slots": 1}, "baz": {"description": "baz_test", "slots": 2}}))
    assert main(["pools", "import", str(source)]) == 0
    assert capsys.readouterr().out == "Uploaded 2 of 2 pool(s)\n"
    target = cli_home / "out.json"
    assert main(["pool", "-e", str(target)]) == 0
    assert capsys.readouterr().out == f"Exported 3 pool(s) to {target}\n"
    assert json.loads(target.read_text()) == {
        "baz": {"description": "baz_test", "slots": 2},
        "default_pool": {"description": "Default pool", "slots": 128},
        "foo": {"description": "foo_test", "slots": 1},
    }
    assert target.read_text().startswith('{\n    "baz": {\n        "description"')


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Missing pools file"),
        ("{not json", "Invalid json file"),
        ('["a list"]', "expected an object of pools by name"),
        ('{"a": {"slots": 1}, "b": {"slots": "x", "description": ""}, "c": {"slots": 3, "description": "ok"}}',
         "Failed to update pool(s): a (needs exactly 'slots' and 'description'), b (Bad value for `slots`: x)"),
    ],
)
def test_pools_import_errors(cli_home: Path, capsys: pytest.CaptureFixture[str], content, message) -> None:
    source = cli_home / "pools.json"
    if content is not None:
        source.write_text(content)
    assert main(["pools", "import", str(source)]) == 1
    assert message in capsys.readouterr().err


def test_conf_must_be_a_json_object(cli_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["trigger_dag", "example_bash_operator", "-c", "NOT JSON"])
    assert exited.value.code == 2
    assert "argument -c/--conf: not valid JSON" in capsys.readouterr().err


# Airflow's json_client bugs (reference §6.2, §9.8), each absent here.

@pytest.mark.live
def test_delete_dag_uses_the_real_url(server: LiveServer) -> None:
    with JsonClient(server.url) as client:
        assert client.delete_dag("tutorial") == {"count": 2, "message": "Removed 2 record(s)"}


@pytest.mark.live
@pytest.mark.parametrize("flavour", ["1.10"], indirect=True)  # Airflow 2 refuses a string conf: below
def test_trigger_with_a_string_conf_and_a_date(server: LiveServer) -> None:
    with JsonClient(server.url) as client:
        created = client.trigger_dag_run(
            "example_python_operator", run_id="py", conf='{"k": "v"}', execution_date="2030-05-06T07:08:09+00:00",
            replace_microseconds=False,
        )
        assert created["run_id"] == "py"
        assert client.get_dag_run_state("example_python_operator", "2030-05-06T07:08:09+00:00") == {"state": "running"}
        assert [r["run_id"] for r in client.list_dag_runs("example_python_operator")] == ["py"]
        assert client.get_lineage("example_python_operator", "2030-05-06T07:08:09+00:00") == {"task_ids": {}}


@pytest.mark.live
@pytest.mark.parametrize("flavour", ["2"], indirect=True)  # 1.10 reads a string conf as JSON: above
def test_the_2_flavour_takes_an_object_conf_only_and_queues_the_run(server: LiveServer) -> None:
    with JsonClient(server.url) as client:
        with pytest.raises(ClientError) as caught:
            client.trigger_dag_run("example_python_operator", run_id="py", conf='{"k": "v"}')
        assert (caught.value.status, caught.value.message) == (
            400, "Dag Run conf must be a dictionary object, other types are not supported"
        )
        created = client.trigger_dag_run(
            "example_python_operator", run_id="py", conf={"k": "v"}, execution_date="2030-05-06T07:08:09+00:00",
            replace_microseconds=False,
        )
        assert created["run_id"] == "py"
        assert client.get_dag_run_state("example_python_operator", "2030-05-06T07:08:09+00:00") == {"state": "queued"}
        assert client.get_info() == {"version": "2.11.2"}


@pytest.mark.live
def test_pools_through_the_json_client(server: LiveServer) -> None:
    with JsonClient(server.url) as client:
        created = client.create_pool("jc", 3, "json client")
        assert client.get_pool("jc") == created
        assert created in client.list_pools()
        assert client.delete_pool("jc") == created


@pytest.mark.live
def test_server_errors_carry_status_and_message(server: LiveServer) -> None:
    with JsonClient(server.url) as client, pytest.raises(ClientError) as caught:
        client.get_pool("nope")
    assert (caught.value.status, caught.value.message) == (404, "Pool 'nope' doesn't exist")


def test_a_path_in_the_endpoint_is_kept_as_a_prefix() -> None:
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"status": "OK"})

    with JsonClient("http://proxy.example/airflow/", transport=httpx.MockTransport(answer)) as client:
        client.test()
        client.get_dag_run_state("d", "2030-01-02T03:04:05+00:00")
    assert seen == [
        "/airflow/api/experimental/test",
        "/airflow/api/experimental/dags/d/dag_runs/2030-01-02T03%3A04%3A05%2B00%3A00",
    ]


def test_the_configured_client_is_chosen(tmp_path: Path) -> None:
    local = load_config(tmp_path, environ={})
    remote = load_config(tmp_path, environ={"EXPAPI__CLI__API_CLIENT": "airflow.api.client.json_client"})
    with get_client(local) as a, get_client(remote) as b:
        assert type(a).__name__ == "LocalClient"
        assert type(b).__name__ == "JsonClient"
        assert b.endpoint_url == "http://localhost:8080"


@pytest.mark.live
@pytest.mark.parametrize(("compat", "refused"), [("1.10", (403, "Forbidden")), ("2", (401, "Unauthorized"))])
def test_password_backend_through_the_json_client(tmp_path: Path, compat: str, refused: tuple[int, str]) -> None:
    env = clean_environment(tmp_path, EXPAPI__API__AUTH_BACKEND="password", EXPAPI__API__COMPAT=compat)
    subprocess.run(
        [*CLI, "users", "create", "--username", "alice", "--password-stdin"],
        input="secret\n", text=True, env=env, check=True, capture_output=True, cwd=tmp_path,
    )
    with LiveServer(tmp_path, env=env) as live:
        base = {**env, "EXPAPI__CLI__API_CLIENT": "json_client", "EXPAPI__CLI__ENDPOINT_URL": live.url,
                "EXPAPI__CLI__USERNAME": "alice"}
        with get_client(load_config(tmp_path, environ={**base, "EXPAPI__CLI__PASSWORD": "secret"})) as good:
            assert good.test() == {"status": "OK"}
        with get_client(load_config(tmp_path, environ={**base, "EXPAPI__CLI__PASSWORD": "wrong"})) as bad:
            with pytest.raises(ClientError) as caught:
                bad.test()
        assert (caught.value.status, caught.value.message) == refused
        with pytest.raises(ClientError, match=r"set \[cli\] username and password"):
            get_client(load_config(tmp_path, environ={**env, "EXPAPI__CLI__API_CLIENT": "json_client"}))
