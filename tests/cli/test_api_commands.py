"""Every API command, end to end: through json_client against a live server, and through
local_client on the database, with the same output from both."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest

from expapi.cli import main
from live_server import LiveServer, clean_environment

DATE = "2030-01-02T03:04:05+00:00"
# "now" stamps (start dates) differ between the two runs; everything else must not.
NOW_STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\.\d{6}\+00:00")

SCENARIO: list[tuple[str, list[str]]] = [
    ("test", ["test"]),
    ("info", ["info", "-o", "json"]),
    ("dags trigger", ["dags", "trigger", "example_bash_operator", "-r", "cli_run", "-e", DATE, "-c", '{"a": 1}', "-o", "json"]),
    ("trigger_dag", ["trigger_dag", "latest_only", "-r", "legacy", "-e", "2030-01-02T03:04:05+02:00"]),
    ("dags list-runs", ["dags", "list-runs", "-d", "example_bash_operator", "-o", "json"]),
    ("dags list-runs table", ["dags", "list-runs", "-d", "latest_only", "--state", "RUNNING"]),
    ("dags state", ["dags", "state", "example_bash_operator", DATE]),
    ("tasks state", ["tasks", "state", "example_bash_operator", "runme_0", DATE]),
    ("tasks instance", ["tasks", "instance", "example_bash_operator", "runme_0", DATE, "-o", "json"]),
    ("tasks info", ["tasks", "info", "example_bash_operator", "run_after_loop", "-o", "yaml"]),
    ("dags unpause", ["dags", "unpause", "tutorial"]),
    ("dags pause", ["dags", "pause", "tutorial", "-o", "json"]),
    ("dags show-code", ["dags", "show-code", "latest_only"]),
    ("dags latest-runs", ["dags", "latest-runs", "-o", "json"]),
    ("dags lineage", ["dags", "lineage", "example_bash_operator", DATE, "-o", "json"]),
    ("pools set", ["pools", "set", "etl", "4", "ETL jobs"]),
    ("pools get", ["pools", "get", "etl", "-o", "json"]),
    ("pool -s", ["pool", "-s", "legacy", "2", "from 1.10"]),
    ("pool -g", ["pool", "-g", "legacy", "-o", "plain"]),
    ("pools list", ["pools", "list"]),
    ("pool", ["pool", "-o", "yaml"]),
    ("pools delete", ["pools", "delete", "legacy", "-o", "json"]),
    ("pool -x", ["pool", "-x", "etl"]),
    ("dags delete", ["dags", "delete", "latest_only", "-y", "-o", "json"]),
    ("delete_dag", ["delete_dag", "tutorial", "-y"]),
    ("error: unknown pool", ["pools", "get", "nope"]),
    ("error: bad date", ["dags", "state", "example_bash_operator", "not_a_date"]),
    ("error: unknown dag", ["dags", "trigger", "nope"]),
    ("error: default_pool", ["pools", "delete", "default_pool"]),
    ("error: duplicate run", ["trigger_dag", "example_bash_operator", "-r", "cli_run"]),
]
STEPS = [name for name, _ in SCENARIO]


def run_scenario(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str]) -> dict:
    """Each step's exit status, stdout and stderr, with "now" stamps masked."""
    for name in [n for n in list(__import__("os").environ) if n.startswith("EXPAPI")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("EXPAPI"):
            monkeypatch.setenv(name, value)
    results = {}
    for step, argv in SCENARIO:
        status = main(argv)
        out, err = capsys.readouterr()
        results[step] = (status, NOW_STAMP.sub("<now>", out), err)
    return results


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict]]:
    """The scenario run through json_client (live server, two workers) and through local_client."""
    remote_home = tmp_path_factory.mktemp("remote")
    local_home = tmp_path_factory.mktemp("local")
    results: dict[str, dict] = {}
    with pytest.MonkeyPatch.context() as monkeypatch, LiveServer(remote_home, workers=2) as server:
        capture = _Capture(monkeypatch)
        results["json_client"] = run_scenario(monkeypatch, capture, clean_environment(
            remote_home, EXPAPI__CLI__API_CLIENT="json_client", EXPAPI__CLI__ENDPOINT_URL=server.url
        ))
    with pytest.MonkeyPatch.context() as monkeypatch:
        capture = _Capture(monkeypatch)
        monkeypatch.setenv("EXPAPI_HOME", str(local_home))
        main(["dags", "sync"])
        capture.readouterr()
        results["local_client"] = run_scenario(monkeypatch, capture, clean_environment(
            local_home, EXPAPI__CLI__API_CLIENT="local_client"
        ))
    yield results


class _Capture:
    """capsys for a module-scoped fixture: stdout and stderr swapped for buffers."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        monkeypatch.setattr("sys.stdout", self.out)
        monkeypatch.setattr("sys.stderr", self.err)

    def readouterr(self) -> tuple[str, str]:
        out, err = self.out.getvalue(), self.err.getvalue()
        self.out.seek(0), self.out.truncate()
        self.err.seek(0), self.err.truncate()
        return out, err


def without_logs(err: str) -> str:
    return "\n".join(line for line in err.splitlines() if not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", line))


@pytest.mark.live
@pytest.mark.parametrize("step", STEPS)
def test_both_clients_give_the_same_output(outcomes: dict, step: str) -> None:
    remote, local = outcomes["json_client"][step], outcomes["local_client"][step]
    assert (remote[0], remote[1], without_logs(remote[2])) == (local[0], local[1], without_logs(local[2]))


EXPECTED_OUT = {
    "test": "status\nOK\n",
    "info": '{\n  "version": "1.10.15"\n}\n',
    "trigger_dag": "Created <DagRun latest_only @ 2030-01-02T03:04:05+02:00: legacy, externally triggered: True>\n",
    "dags state": "state\nrunning\n",
    "tasks state": "state\nNone\n",
    "dags pause": '{\n  "dag_id": "tutorial",\n  "is_paused": true\n}\n',
    "pools get": '{\n  "description": "ETL jobs",\n  "id": 2,\n  "pool": "etl",\n  "slots": 4\n}\n',
    "pool -g": "pool    slots  description\nlegacy  2      from 1.10\n",
    "pools list": (
        "pool         | slots | description\n"
        "-------------+-------+-------------\n"
        "default_pool | 128   | Default pool\n"
        "etl          | 4     | ETL jobs\n"
        "legacy       | 2     | from 1.10\n"
    ),
    "dags delete": '{\n  "count": 5,\n  "message": "Removed 5 record(s)"\n}\n',
    "delete_dag": "Removed 2 record(s)\n",
    "dags lineage": '{\n  "task_ids": {}\n}\n',
}
EXPECTED_ERR = {
    "error: unknown pool": "expapi: Pool 'nope' doesn't exist",
    "error: bad date": "expapi: Given execution date, not_a_date, could not be identified as a date. "
    "Example date format: 2015-11-16T14:34:15+00:00",
    "error: unknown dag": "expapi: Dag id nope not found in DagModel",
    "error: default_pool": "expapi: default_pool cannot be deleted",
    "error: duplicate run": "expapi: Run id cli_run already exists for dag id example_bash_operator",
}


@pytest.mark.live
@pytest.mark.parametrize("step", sorted(EXPECTED_OUT))
def test_output(outcomes: dict, step: str) -> None:
    status, out, _ = outcomes["json_client"][step]
    assert (status, out) == (0, EXPECTED_OUT[step])


@pytest.mark.live
@pytest.mark.parametrize("step", sorted(EXPECTED_ERR))
def test_refusals_print_the_servers_message_and_exit_1(outcomes: dict, step: str) -> None:
    status, out, err = outcomes["json_client"][step]
    assert (status, out, without_logs(err)) == (1, "", EXPECTED_ERR[step])


@pytest.mark.live
def test_structured_outputs_keep_native_types(outcomes: dict) -> None:
    runs = json.loads(outcomes["json_client"]["dags list-runs"][1])
    assert runs == [
        {
            "dag_id": "example_bash_operator",
            "dag_run_url": "/admin/airflow/graph?dag_id=example_bash_operator&execution_date=2030-01-02+03%3A04%3A05%2B00%3A00",
            "execution_date": DATE,
            "id": 1,
            "run_id": "cli_run",
            "start_date": "<now>",
            "state": "running",
        }
    ]
    instance = json.loads(outcomes["json_client"]["tasks instance"][1])
    assert (instance["task_id"], instance["execution_date"]) == ("runme_0", "2030-01-02 03:04:05+00:00")
    assert "upstream_task_ids: '{''runme_0'', ''runme_1'', ''runme_2''}'" in outcomes["json_client"]["tasks info"][1]
