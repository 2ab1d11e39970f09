"""The shipped example DAGs end as their Airflow 1.10 originals do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler_support import START, Clock, Driver, run_state, scaled_config, set_paused, task_states, trigger

from expapi.models import DagRun
from expapi.scheduler.schedules import following


@pytest.fixture
def scaled(config):
    return scaled_config(config)


def run_example(scaled, database, dag_id, driver=None):
    set_paused(database, dag_id, False)
    trigger(database, dag_id, START)
    final = (driver or Driver(database, scaled, Clock(START))).until_run_ends(database, dag_id, START)
    return final, task_states(database, dag_id, START)


def test_bash_operator_succeeds(scaled, database):
    final, states = run_example(scaled, database, "example_bash_operator")
    assert final == "success"
    assert set(states.values()) == {"success"} and len(states) == 6


def test_branch_operator_takes_one_branch(scaled, database):
    final, states = run_example(scaled, database, "example_branch_operator")
    assert final == "success"
    assert states == {
        "run_this_first": "success", "branching": "success",
        "branch_a": "success", "follow_branch_a": "success",
        "branch_b": "skipped", "follow_branch_b": "skipped",
        "branch_c": "skipped", "follow_branch_c": "skipped",
        "branch_d": "skipped", "follow_branch_d": "skipped",
        "join": "success",  # none_failed_or_skipped: one success among skips
    }


def test_skip_dag_skips_as_in_airflow(scaled, database):
    final, states = run_example(scaled, database, "example_skip_dag")
    assert final == "success"
    assert states == {
        "skip_operator_1": "skipped", "always_true_1": "success", "all_success": "skipped", "final_1": "skipped",
        "skip_operator_2": "skipped", "always_true_2": "success", "one_success": "success", "final_2": "success",
    }


def test_python_operator_and_tutorial_succeed(scaled, database):
    driver = Driver(database, scaled, Clock(START))
    for dag_id in ("example_python_operator", "tutorial"):
        final, states = run_example(scaled, database, dag_id, driver)
        assert final == "success" and set(states.values()) == {"success"}, (dag_id, states)


def test_latest_only_lets_a_triggered_run_through(scaled, database):
    assert run_example(scaled, database, "latest_only") == ("success", {"latest_only": "success", "task1": "success"})


def test_latest_only_skips_all_but_the_latest_scheduled_run(scaled, database):
    # The DAG runs every 4 hours from days_ago(2); with catchup, the scheduler makes a run per interval.
    clock = Clock(START)
    set_paused(database, "latest_only", False)
    driver = Driver(database, scaled, clock)
    driver.tick()
    with database.transaction() as session:
        dates = sorted(session.scalars(select(DagRun.execution_date).where(DagRun.dag_id == "latest_only")))
    assert dates and all(following(timedelta(hours=4), d) <= START for d in dates)
    driver.until(lambda: all(run_state(database, "latest_only", d) == "success" for d in dates))
    task1 = {d: task_states(database, "latest_only", d)["task1"] for d in dates}
    assert task1[dates[-1]] == "success"
    assert set(task1[d] for d in dates[:-1]) == {"skipped"}
