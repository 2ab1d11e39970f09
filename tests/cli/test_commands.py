"""The expapi command: help everywhere, db init, dags list/sync, version, clear failures."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from expapi import __version__
from expapi.cli import build_parser, main
from expapi.flavours import FLAVOURS


def all_command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command of the parser."""
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += all_command_paths(sub, prefix + (name,))
    return paths


@pytest.mark.parametrize("command", all_command_paths(build_parser()), ids=lambda c: " ".join(c) or "expapi")
def test_every_command_has_help(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: expapi")
    assert len(out.splitlines()) > 2


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out == f"{__version__}\n"


def test_db_init_creates_schema_and_default_pool(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "init"]) == 0
    assert (home / "expapi.db").exists()
    assert "Initialized the database" in capsys.readouterr().out
    # A second run is harmless.
    assert main(["db", "init"]) == 0


# Each flavour's example DAGs (Airflow 2.11.2 without virtualenv has no example_branch_operator).
EXAMPLE_DAGS = {
    "1.10": [
        "example_bash_operator", "example_branch_operator", "example_python_operator",
        "example_skip_dag", "latest_only", "tutorial",
    ],
    "2": ["example_bash_operator", "example_python_operator", "example_skip_dag", "latest_only", "tutorial"],
}


@pytest.fixture(params=sorted(FLAVOURS))
def compat(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The commands' ``[api] compat``, the DAGs synced in it (the rest of test_flavour_cli, folded in)."""
    monkeypatch.setenv("EXPAPI__API__COMPAT", request.param)
    return request.param


def test_dags_sync_loads_examples_and_lists_them(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dags", "sync"]) == 0
    assert capsys.readouterr().out == f"Loaded {len(EXAMPLE_DAGS[compat])} DAG(s); 0 file(s) could not be read.\n"
    assert main(["dags", "list", "-o", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [d["dag_id"] for d in listed] == EXAMPLE_DAGS[compat]
    assert listed[0]["owners"] == {"1.10": "Airflow", "2": "airflow"}[compat]  # as each line's example file says
    assert listed[0]["is_paused"] is True


def test_dags_list_table(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["dags", "sync"])
    capsys.readouterr()
    assert main(["dags", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [cell.strip() for cell in lines[0].split(" | ")] == ["dag_id", "owners", "is_paused", "is_active", "fileloc"]
    assert [cell.strip() for cell in lines[2].split(" | ")][:3] == ["example_bash_operator", "Airflow", "True"]


def test_dags_sync_reports_bad_files_and_loads_the_rest(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "dags" / "broken.yaml").write_text("dag_id: broken\ntasks:\n  - task_id: a\n")
    (home / "dags" / "mine.yaml").write_text("dag_id: mine\ntasks:\n  - {task_id: a, operator: BashOperator}\n")
    assert main(["dags", "sync"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "Loaded 7 DAG(s); 1 file(s) could not be read.\n"
    assert f"error: {home / 'dags' / 'broken.yaml'}:3: task 'a' needs an operator name" in captured.err


def test_examples_can_be_turned_off(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "expapi.cfg").write_text("[core]\nload_examples = False\n")
    assert main(["dags", "sync"]) == 0
    assert capsys.readouterr().out == "Loaded 0 DAG(s); 0 file(s) could not be read.\n"


def test_invalid_configuration_is_one_line_and_exit_2(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXPAPI__API__COMPAT", "3")
    assert main(["dags", "sync"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("expapi: configuration error: invalid value for [api] compat: '3'")
    assert len(err.splitlines()) == 1


def test_unreachable_database_is_one_line_and_exit_1(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXPAPI__CORE__SQL_ALCHEMY_CONN", f"sqlite:///{home}/missing/dir/x.db")
    assert main(["db", "init"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("expapi: cannot connect to the metadata database sqlite:")
    assert len(err.splitlines()) == 1


def test_unknown_database_driver_is_a_configuration_error(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXPAPI__CORE__SQL_ALCHEMY_CONN", "nosuchdb://x")
    assert main(["db", "init"]) == 2
    assert "sql_alchemy_conn" in capsys.readouterr().err


def test_a_dag_whose_file_is_gone_is_deactivated(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dag_file = home / "dags" / "mine.yaml"
    dag_file.write_text("dag_id: mine\ntasks:\n  - {task_id: a, operator: BashOperator}\n")
    main(["dags", "sync"])
    dag_file.unlink()
    capsys.readouterr()
    assert main(["dags", "sync"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Loaded 6 DAG(s); 0 file(s) could not be read.",
        "Deactivated 1 DAG(s) whose file is gone: mine",
    ]
    main(["dags", "list", "-o", "json"])
    listed = {d["dag_id"]: d for d in json.loads(capsys.readouterr().out)}
    assert listed["mine"]["is_active"] is False
    assert listed["tutorial"]["is_active"] is True


def test_a_broken_file_keeps_its_last_good_dag(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dag_file = home / "dags" / "mine.yaml"
    dag_file.write_text("dag_id: mine\ntasks:\n  - {task_id: a, operator: BashOperator}\n")
    main(["dags", "sync"])
    dag_file.write_text("dag_id: mine\ntasks: [oops\n")
    assert main(["dags", "sync"]) == 1
    main(["dags", "list", "-o", "json"])
    listed = {d["dag_id"]: d for d in json.loads(capsys.readouterr().out.split("\n", 2)[-1])}
    assert listed["mine"]["is_active"] is True


def test_a_broken_file_keeps_its_dag_whatever_the_spelling_of_dags_folder(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dag_file = home / "dags" / "mine.yaml"
    dag_file.write_text("dag_id: mine\ntasks:\n  - {task_id: a, operator: BashOperator}\n")
    main(["dags", "sync"])
    dag_file.write_text("dag_id: mine\ntasks: [oops\n")
    (home / "sub").mkdir()
    monkeypatch.setenv("EXPAPI__CORE__DAGS_FOLDER", str(home / "sub" / ".." / "dags"))
    assert main(["dags", "sync"]) == 1
    capsys.readouterr()
    main(["dags", "list", "-o", "json"])
    listed = {d["dag_id"]: d for d in json.loads(capsys.readouterr().out)}
    assert listed["mine"]["is_active"] is True


@pytest.mark.parametrize(("option", "value"), [("--port", "0"), ("--port", "70000"), ("--workers", "0"), ("--workers", "x")])
def test_serve_refuses_bad_numbers(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", option, value])
    assert exited.value.code == 2
    assert f"argument {option}: {value!r} is not" in capsys.readouterr().err


def synced(capsys: pytest.CaptureFixture[str]) -> None:
    """The flavour's example DAGs loaded, and what that printed dropped."""
    assert main(["dags", "sync"]) == 0
    capsys.readouterr()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("action", ["get", "delete"])
def test_an_unknown_pool(compat: str, capsys: pytest.CaptureFixture[str], action: str) -> None:
    # Airflow 2's `pools` commands word it their own way (not the API's message).
    synced(capsys)
    message = {"1.10": "Pool 'nosuch' doesn't exist", "2": "Pool nosuch does not exist"}[compat]
    assert run(capsys, "pools", action, "nosuch") == (1, "", f"expapi: {message}\n")


def test_pools_delete(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    synced(capsys)
    run(capsys, "pools", "set", "etl", "4", "ETL jobs")
    assert run(capsys, "pools", "delete", "etl") == (
        0,
        {
            "1.10": "pool | slots | description\n-----+-------+------------\netl  | 4     | ETL jobs\n",
            "2": "Pool etl deleted\n",
        }[compat],
        "",
    )


def test_dags_trigger_table_columns(compat: str, capsys: pytest.CaptureFixture[str]) -> None:
    synced(capsys)
    out = run(capsys, "dags", "trigger", "example_bash_operator", "-e", "2030-01-02T03:04:05+00:00")[1]
    assert [c.strip() for c in out.splitlines()[0].split(" | ")] == {
        "1.10": ["run_id", "execution_date", "message"],
        "2": ["conf", "dag_id", "dag_run_id", "data_interval_start", "data_interval_end", "end_date",
              "external_trigger", "last_scheduling_decision", "logical_date", "run_type", "start_date", "state"],
    }[compat]
