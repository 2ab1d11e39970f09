"""The CLI habits of each flavour: with compat = 2, Airflow 2's ``pools`` and ``dags trigger`` output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from expapi.cli import main
from expapi.flavours import FLAVOURS


@pytest.fixture(params=sorted(FLAVOURS))
def compat(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EXPAPI__API__COMPAT", request.param)
    assert main(["dags", "sync"]) == 0
    return request.param


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sync_loads_the_flavours_examples(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "dags", "sync")[1] == {
        "1.10": "Loaded 6 DAG(s); 0 file(s) could not be read.\n",
        # Airflow 2.11.2 without virtualenv has no example_branch_operator.
        "2": "Loaded 5 DAG(s); 0 file(s) could not be read.\n",
    }[compat]


def test_pools_set(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "pools", "set", "etl", "4", "ETL jobs") == (
        0,
        {
            "1.10": "pool | slots | description\n-----+-------+------------\netl  | 4     | ETL jobs\n",
            "2": "Pool etl created\n",
        }[compat],
        "",
    )


def test_pools_list(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "pools", "list")[1]
    assert [c.strip() for c in out.splitlines()[0].split(" | ")] == {
        "1.10": ["pool", "slots", "description"],
        "2": ["pool", "slots", "description", "include_deferred"],
    }[compat]
    listed = json.loads(run(capsys, "pools", "list", "-o", "json")[1])
    assert ("include_deferred" in listed[0]) is (compat == "2")


@pytest.mark.parametrize("action", ["get", "delete"])
def test_an_unknown_pool(compat: str, capsys: pytest.CaptureFixture[str], action: str) -> None:
    message = {"1.10": "Pool 'nosuch' doesn't exist", "2": "Pool nosuch does not exist"}[compat]
    assert run(capsys, "pools", action, "nosuch") == (1, "", f"expapi: {message}\n")


def test_pools_delete(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "pools", "set", "etl", "4", "ETL jobs")
    out = run(capsys, "pools", "delete", "etl")[1]
    assert out == {
        "1.10": "pool | slots | description\n-----+-------+------------\netl  | 4     | ETL jobs\n",
        "2": "Pool etl deleted\n",
    }[compat]


def test_dags_trigger(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["dags", "trigger", "example_bash_operator", "-r", "cli_run", "-e", "2030-01-02T03:04:05+00:00", "-c", '{"a": 1}']
    printed = json.loads(run(capsys, *argv, "-o", "json")[1])
    expected = {
        "1.10": {
            "execution_date": "2030-01-02T03:04:05+00:00",
            "message": "Created <DagRun example_bash_operator @ 2030-01-02T03:04:05+00:00: cli_run, externally triggered: True>",
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
            "logical_date": "2030-01-02T03:04:05+00:00",
            "run_type": "manual",
            "start_date": None,
            "state": "queued",
        },
    }[compat]
    assert printed == expected


def test_dags_trigger_table_columns(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "dags", "trigger", "example_bash_operator", "-e", "2030-01-02T03:04:05+00:00")[1]
    assert [c.strip() for c in out.splitlines()[0].split(" | ")] == list(FLAVOURS[compat].cli.trigger_columns)
