"""simulate: blocks in DAG files: read, checked with file and line, kept out of operator attributes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from expapi.dags.definition import Dag
from expapi.dags.files import DagFileError, parse_dag
from expapi.scheduler.simulation import simulation_for

DOC = Path(__file__).resolve().parents[2] / "docs" / "dag-files.md"


def documented_example() -> str:
    section = DOC.read_text().split("## Simulated outcomes", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)


def test_the_documented_example_reads_as_described():
    dag = Dag.from_data(parse_dag(documented_example(), "nightly.yaml").to_data())  # survives storage
    assert "simulate" not in dag.tasks["extract"].attributes
    assert simulation_for(dag, dag.tasks["extract"], 1.0).duration == 60
    assert simulation_for(dag, dag.tasks["extract"], 1.0).outcome_of_try(1) == "failed"
    assert simulation_for(dag, dag.tasks["extract"], 1.0).outcome_of_try(2) == "success"
    assert simulation_for(dag, dag.tasks["report"], 1.0).duration == 2  # the DAG's block
    assert simulation_for(dag, dag.tasks["choose"], 1.0).branch == ("load",)
    assert simulation_for(dag, dag.tasks["load"], 1.0).outcome == "failed"
    assert dag.simulate == {"duration": timedelta(seconds=2)}


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        ("{outcome: maybe}", "x.yaml:5: outcome must be one of success, failed, skipped, not 'maybe'"),
        ("{fail_attempts: -1}", "x.yaml:5: fail_attempts must be a whole number of at least 0, not -1"),
        ("{sometimes: 1}", "x.yaml:5: unknown simulate field 'sometimes' (known: duration, outcome, fail_attempts, branch, latest_only)"),
        ("{branch: [b]}", "x.yaml:5: branch of 'a' names 'b', which is not directly downstream of it"),
        ("{latest_only: maybe}", "x.yaml:5: latest_only must be true or false, not 'maybe'"),
        ("[1]", "x.yaml:5: simulate must be a mapping"),
    ],
)
def test_bad_blocks_are_refused_with_file_and_line(block, reason):
    text = f"dag_id: x\ntasks:\n  - task_id: a\n    operator: DummyOperator\n    simulate: {block}\n  - task_id: b\n    operator: DummyOperator\n"
    with pytest.raises(DagFileError) as raised:
        parse_dag(text, "x.yaml")
    assert str(raised.value) == reason
