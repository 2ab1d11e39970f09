"""DAG files: the format, and errors that name the file, the line and the reason."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from expapi.dags.definition import Dag, DaysAgo
from expapi.dags.files import DagFileError, find_dag_files, parse_dag
from expapi.dags.sync import collect_dags, example_dags_folder

GOOD = """\
dag_id: demo
description: A demo
schedule_interval: "@daily"
default_args:
  owner: ops
  start_date: days_ago(2)
  retry_delay: "0:10:00"
tasks:
  - task_id: extract
    operator: BashOperator
    bash_command: echo extract
    downstream: [load]
  - task_id: load
    operator: BashOperator
    bash_command: echo load
    start_date: 2021-01-01
    outlets: [{table: facts}]
"""


def test_a_good_file() -> None:
    dag = parse_dag(GOOD, "/dags/demo.yaml")
    assert dag.dag_id == "demo"
    assert dag.description == "A demo"
    assert dag.schedule_interval == "@daily"
    assert dag.default_args == {"owner": "ops", "start_date": DaysAgo(2), "retry_delay": timedelta(minutes=10)}
    assert list(dag.tasks) == ["extract", "load"]
    assert dag.tasks["extract"].downstream == {"load"}
    assert dag.tasks["load"].upstream == {"extract"}
    assert dag.tasks["load"].attributes["start_date"] == datetime(2021, 1, 1, tzinfo=timezone.utc)


def test_definitions_survive_the_database_round_trip() -> None:
    dag = parse_dag(GOOD, "/dags/demo.yaml")
    again = Dag.from_data(dag.to_data())
    assert again == dag


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("dag_id: [unclosed\n", 2, "not valid YAML"),
        ("- a list\n", 1, "must be a mapping"),
        ("tasks: []\n", 1, "dag_id is missing"),
        ("dag_id: has space\ntasks: []\n", 1, "dag_id must be 1 to 250"),
        ("dag_id: d\n", 1, "tasks is missing"),
        ("dag_id: d\nschedule: daily\ntasks: []\n", 2, "unknown DAG field 'schedule'"),
        ("dag_id: d\ntasks:\n  - task_id: a\n", 3, "needs an operator name"),
        ("dag_id: d\ntasks:\n  - {task_id: a, operator: X}\n  - {task_id: a, operator: X}\n", 4, "used twice"),
        ("dag_id: d\ntasks:\n  - {task_id: a, operator: X, downstream: [b]}\n", 3, "'b' is not defined"),
        (
            "dag_id: d\ntasks:\n  - {task_id: a, operator: X, downstream: b}\n  - {task_id: b, operator: X, downstream: a}\n",
            3,
            "cycle",
        ),
        ("dag_id: d\ndefault_args:\n  start_date: someday\ntasks: []\n", 3, "'someday' is not a date"),
        ("dag_id: d\ndefault_args:\n  retry_delay: soon\ntasks: []\n", 3, "'soon' is not a duration"),
    ],
)
def test_errors_name_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(DagFileError) as caught:
        parse_dag(text, "/dags/bad.yaml")
    assert caught.value.path == "/dags/bad.yaml"
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"/dags/bad.yaml:{line}: ")


def test_a_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text("dag_id: broken\n")
    (tmp_path / "twin.yml").write_text(GOOD)
    (tmp_path / ".hidden.yaml").write_text("not: read")
    (tmp_path / "notes.txt").write_text("not a dag")
    assert [p.name for p in find_dag_files(tmp_path)] == ["bad.yaml", "good.yaml", "twin.yml"]
    dags, errors = collect_dags([tmp_path])
    assert [d.dag_id for d, _ in dags] == ["demo"]
    assert [(Path(e.path).name, e.reason) for e in errors] == [
        ("bad.yaml", "tasks is missing"),
        ("twin.yml", f"dag_id 'demo' is already defined in {tmp_path / 'good.yaml'}"),
    ]


def test_the_1_10_examples_load_with_airflows_shapes() -> None:
    dags, errors = collect_dags([example_dags_folder("1.10")])
    assert errors == []
    by_id = {d.dag_id: d for d, _ in dags}
    assert sorted(by_id) == [
        "example_bash_operator", "example_branch_operator", "example_python_operator",
        "example_skip_dag", "latest_only", "tutorial",
    ]
    bash = by_id["example_bash_operator"]
    assert {t: sorted(task.upstream) for t, task in bash.tasks.items()} == {
        "also_run_this": [],
        "run_after_loop": ["runme_0", "runme_1", "runme_2"],
        "run_this_last": ["also_run_this", "run_after_loop"],
        "runme_0": [],
        "runme_1": [],
        "runme_2": [],
    }
    assert bash.default_args == {"owner": "Airflow", "start_date": DaysAgo(2)}
    assert [len(by_id[d].tasks) for d in sorted(by_id)] == [6, 11, 6, 8, 2, 3]
