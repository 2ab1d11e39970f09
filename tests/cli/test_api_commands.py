"""Every API command, end to end: through json_client against a live server, and through
local_client on the database, with the same output from both, in each flavour."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest

from expapi.cli import main
from expapi.flavours import FLAVOURS
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


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def flavour(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, flavour: str) -> Iterator[dict[str, dict]]:
    """The scenario run through json_client (live server, two workers) and through local_client."""
    remote_home = tmp_path_factory.mktemp("remote")
    local_home = tmp_path_factory.mktemp("local")
    results: dict[str, dict] = {}
    served = LiveServer(remote_home, workers=2, env=clean_environment(remote_home, EXPAPI__API__COMPAT=flavour))
    with pytest.MonkeyPatch.context() as monkeypatch, served as server:
        capture = _Capture(monkeypatch)
        results["json_client"] = run_scenario(monkeypatch, capture, clean_environment(
            remote_home, EXPAPI__CLI__API_CLIENT="json_client", EXPAPI__CLI__ENDPOINT_URL=server.url,
            EXPAPI__API__COMPAT=flavour,
        ))
    with pytest.MonkeyPatch.context() as monkeypatch:
        capture = _Capture(monkeypatch)
        monkeypatch.setenv("EXPAPI_HOME", str(local_home))
        monkeypatch.setenv("EXPAPI__API__COMPAT", flavour)
        main(["dags", "sync"])
        capture.readouterr()
        results["local_client"] = run_scenario(monkeypatch, capture, clean_environment(
            local_home, EXPAPI__CLI__API_CLIENT="local_client", EXPAPI__API__COMPAT=flavour
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
    assert (remote[0], remote[1], errors(remote[2])) == (local[0], local[1], errors(local[2]))


def errors(err: str) -> str:
    """stderr without log lines, and the 2 flavour's duplicate-run date (the trigger's "now") masked."""
    return TRIGGER_NOW.sub(" at <now> with", without_logs(err))


TRIGGER_NOW = re.compile(r" at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00 with")


# The same in both flavours.
SAME_OUT = {
    "test": "status\nOK\n",
    "tasks state": "state\nNone\n",
    "dags pause": '{\n  "dag_id": "tutorial",\n  "is_paused": true\n}\n',
    "dags delete": '{\n  "count": 5,\n  "message": "Removed 5 record(s)"\n}\n',
    "delete_dag": "Removed 2 record(s)\n",
    "dags lineage": '{\n  "task_ids": {}\n}\n',
}
EXPECTED_OUT = {
    "1.10": {
        **SAME_OUT,
        "info": '{\n  "version": "1.10.15"\n}\n',
        "trigger_dag": "Created <DagRun latest_only @ 2030-01-02T03:04:05+02:00: legacy, externally triggered: True>\n",
        "dags state": "state\nrunning\n",
        "pools set": "pool | slots | description\n-----+-------+------------\netl  | 4     | ETL jobs\n",
        "pools get": '{\n  "description": "ETL jobs",\n  "id": 2,\n  "pool": "etl",\n  "slots": 4\n}\n',
        "pool -g": "pool    slots  description\nlegacy  2      from 1.10\n",
        "pools list": (
            "pool         | slots | description\n"
            "-------------+-------+-------------\n"
            "default_pool | 128   | Default pool\n"
            "etl          | 4     | ETL jobs\n"
            "legacy       | 2     | from 1.10\n"
        ),
        "dags list-runs table": (
            "id | run_id | state   | execution_date            | start_date\n"
            "---+--------+---------+---------------------------+---------------------------------\n"
            "2  | legacy | running | 2030-01-02T01:04:05+00:00 | <now>\n"
        ),
    },
    "2": {
        **SAME_OUT,
        "info": '{\n  "version": "2.11.2"\n}\n',
        # Airflow 2's message: the date as str() writes it, the state and when it was queued.
        "trigger_dag": (
            "Created <DagRun latest_only @ 2030-01-02 03:04:05+02:00: legacy, state:queued, queued_at: <now>. "
            "externally triggered: True>\n"
        ),
        "dags state": "state\nqueued\n",
        # Airflow 2's `pools set` habits: one line, and include_deferred in every table.
        "pools set": "Pool etl created\n",
        "pools get": '{\n  "description": "ETL jobs",\n  "id": 2,\n  "include_deferred": false,\n  "pool": "etl",\n  "slots": 4\n}\n',
        "pool -g": "pool    slots  description  include_deferred\nlegacy  2      from 1.10    False\n",
        "pools list": (
            "pool         | slots | description  | include_deferred\n"
            "-------------+-------+--------------+-----------------\n"
            "default_pool | 128   | Default pool | False\n"
            "etl          | 4     | ETL jobs     | False\n"
            "legacy       | 2     | from 1.10    | False\n"
        ),
        # Triggered runs wait for the scheduler: none is running yet.
        "dags list-runs table": "id | run_id | state | execution_date | start_date\n---+--------+-------+----------------+-----------\n",
    },
}
SAME_ERR = {
    "error: bad date": "expapi: Given execution date, not_a_date, could not be identified as a date. "
    "Example date format: 2015-11-16T14:34:15+00:00",
    "error: unknown dag": "expapi: Dag id nope not found in DagModel",
    "error: default_pool": "expapi: default_pool cannot be deleted",
}
# Patterns: the 2 flavour's duplicate message names the date the trigger picked ("now").
EXPECTED_ERR = {
    "1.10": {
        **{step: re.escape(text) for step, text in SAME_ERR.items()},
        "error: unknown pool": re.escape("expapi: Pool 'nope' doesn't exist"),
        "error: duplicate run": re.escape("expapi: Run id cli_run already exists for dag id example_bash_operator"),
    },
    "2": {
        **{step: re.escape(text) for step, text in SAME_ERR.items()},
        # Airflow 2's CLI words for a missing pool (the CLI calls the pool API's client).
        "error: unknown pool": re.escape("expapi: Pool nope does not exist"),
        "error: duplicate run": (
            r"expapi: A DAG Run already exists for DAG example_bash_operator at "
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00 with run id cli_run"
        ),
    },
}
STEPS_OUT = sorted(EXPECTED_OUT["1.10"])
STEPS_ERR = sorted(EXPECTED_ERR["1.10"])
assert STEPS_OUT == sorted(EXPECTED_OUT["2"]) and STEPS_ERR == sorted(EXPECTED_ERR["2"])


@pytest.mark.live
@pytest.mark.parametrize("step", STEPS_OUT)
def test_output(flavour: str, outcomes: dict, step: str) -> None:
    status, out, _ = outcomes["json_client"][step]
    assert (status, out) == (0, EXPECTED_OUT[flavour][step])


@pytest.mark.live
@pytest.mark.parametrize("step", STEPS_ERR)
def test_refusals_print_the_servers_message_and_exit_1(flavour: str, outcomes: dict, step: str) -> None:
    status, out, err = outcomes["json_client"][step]
    assert (status, out) == (1, "")
    assert re.fullmatch(EXPECTED_ERR[flavour][step], without_logs(err)), err


@pytest.mark.live
def test_structured_outputs_keep_native_types(flavour: str, outcomes: dict) -> None:
    runs = json.loads(outcomes["json_client"]["dags list-runs"][1])
    assert runs == [
        {
            "dag_id": "example_bash_operator",
            "dag_run_url": {
                "1.10": "/admin/airflow/graph?dag_id=example_bash_operator&execution_date=2030-01-02+03%3A04%3A05%2B00%3A00",
                "2": "/dags/example_bash_operator/graph?execution_date=2030-01-02+03:04:05%2B00:00",
            }[flavour],
            "execution_date": DATE,
            "id": 1,
            "run_id": "cli_run",
            # Airflow 2's triggered run is queued, not started.
            "start_date": {"1.10": "<now>", "2": ""}[flavour],
            "state": {"1.10": "running", "2": "queued"}[flavour],
        }
    ]
    instance = json.loads(outcomes["json_client"]["tasks instance"][1])
    # Airflow 2's task instance has a run_id and a map_index where 1.10's has an execution_date.
    assert {key: instance.get(key) for key in ("task_id", "execution_date", "run_id", "map_index")} == {
        "1.10": {"task_id": "runme_0", "execution_date": "2030-01-02 03:04:05+00:00", "run_id": None, "map_index": None},
        "2": {"task_id": "runme_0", "execution_date": None, "run_id": "cli_run", "map_index": "-1"},
    }[flavour]
    assert "upstream_task_ids: '{''runme_0'', ''runme_1'', ''runme_2''}'" in outcomes["json_client"]["tasks info"][1]


@pytest.mark.live
@pytest.mark.parametrize("step", ["dags trigger", "pools delete", "pool -x", "pool"])
def test_flavour_habits(flavour: str, outcomes: dict, step: str) -> None:
    """Where the flavours' CLIs print differently: the trigger's JSON, include_deferred on pools."""
    out = outcomes["json_client"][step][1]
    if step == "dags trigger":
        # From test_flavour_cli: Airflow 2's `dags trigger` prints the stable API's DAG run.
        assert json.loads(out) == {
            "1.10": {
                "execution_date": DATE,
                "message": f"Created <DagRun example_bash_operator @ {DATE}: cli_run, externally triggered: True>",
                "run_id": "cli_run",
            },
            "2": {
                "conf": {"a": 1},
                "dag_id": "example_bash_operator",
                "dag_run_id": "cli_run",
                "data_interval_start": None,
                "data_interval_end": None,
                "end_date": None,
                "external_trigger": True,
                "last_scheduling_decision": None,
                "logical_date": DATE,
                "run_type": "manual",
                "start_date": None,
                "state": "queued",
            },
        }[flavour]
    else:
        assert ("include_deferred" in out) is (flavour == "2")
