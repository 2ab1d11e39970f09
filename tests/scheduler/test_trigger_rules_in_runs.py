"""Runs of purpose-built DAGs end in the states Airflow gives them: every trigger rule, every terminal state."""

from __future__ import annotations

import pytest

from scheduler_support import START, Driver, run_state, scaled_config, task_instances, task_states, trigger, write_dag


@pytest.fixture
def scaled(config):
    return scaled_config(config)


def run_dag(scaled, database, text):
    dag_id = write_dag(scaled, database, text)
    trigger(database, dag_id, START)
    driver = Driver(database, scaled)
    final = driver.until_run_ends(database, dag_id, START)
    return final, task_states(database, dag_id, START)


def pipeline(dag_id: str, upstream_outcomes: dict[str, str], rule: str) -> str:
    tasks = "".join(
        f"  - task_id: {task_id}\n    operator: DummyOperator\n    simulate: {{outcome: {outcome}}}\n    downstream: [target]\n"
        for task_id, outcome in upstream_outcomes.items()
    )
    return (
        f"dag_id: {dag_id}\ndefault_args:\n  start_date: 2029-01-01\ntasks:\n{tasks}"
        f"  - task_id: target\n    operator: DummyOperator\n    trigger_rule: {rule}\n"
    )


@pytest.mark.parametrize(
    ("rule", "upstream", "target"),
    [
        ("all_success", {"a": "success", "b": "success"}, "success"),
        ("all_success", {"a": "success", "b": "failed"}, "upstream_failed"),
        ("all_success", {"a": "success", "b": "skipped"}, "skipped"),
        ("all_failed", {"a": "failed", "b": "failed"}, "success"),
        ("all_failed", {"a": "failed", "b": "success"}, "skipped"),
        ("all_done", {"a": "failed", "b": "skipped"}, "success"),
        ("one_success", {"a": "failed", "b": "success"}, "success"),
        ("one_success", {"a": "failed", "b": "skipped"}, "skipped"),
        ("one_failed", {"a": "failed", "b": "success"}, "success"),
        ("one_failed", {"a": "success", "b": "skipped"}, "skipped"),
        ("none_failed", {"a": "success", "b": "skipped"}, "success"),
        ("none_failed", {"a": "success", "b": "failed"}, "upstream_failed"),
        ("none_failed_or_skipped", {"a": "skipped", "b": "skipped"}, "skipped"),
        ("none_failed_or_skipped", {"a": "skipped", "b": "success"}, "success"),
        ("none_skipped", {"a": "success", "b": "skipped"}, "skipped"),
        ("none_skipped", {"a": "success", "b": "failed"}, "success"),
        ("dummy", {"a": "failed", "b": "skipped"}, "success"),
    ],
)
def test_trigger_rule(scaled, database, rule, upstream, target):
    final, states = run_dag(scaled, database, pipeline("rules", upstream, rule))
    assert states == {**upstream, "target": target}
    # The run's state comes from its one leaf, target.
    assert final == ("failed" if target == "upstream_failed" else "success")


def test_a_failed_leaf_fails_the_run_and_skips_carry_down_a_chain(scaled, database):
    final, states = run_dag(scaled, database, """
        dag_id: chain
        default_args: {start_date: 2029-01-01}
        tasks:
          - {task_id: first, operator: DummyOperator, simulate: {outcome: skipped}, downstream: [second]}
          - {task_id: second, operator: DummyOperator, downstream: [third]}
          - {task_id: third, operator: DummyOperator}
          - {task_id: lone, operator: DummyOperator, simulate: {outcome: failed}}
    """)
    assert (final, states) == ("failed", {"first": "skipped", "second": "skipped", "third": "skipped", "lone": "failed"})


def test_retries_then_failure(scaled, database):
    dag_id = write_dag(scaled, database, """
        dag_id: retrying
        default_args: {start_date: 2029-01-01, retries: 2, retry_delay: 60}
        tasks:
          - {task_id: flaky, operator: BashOperator, simulate: {outcome: failed, duration: 10}, downstream: [after]}
          - {task_id: after, operator: BashOperator}
    """)
    trigger(database, dag_id, START)
    driver = Driver(database, scaled)
    seen = []
    def record():
        state = task_states(database, dag_id, START)["flaky"]
        if not seen or seen[-1] != state:
            seen.append(state)
        return run_state(database, dag_id, START) in ("success", "failed")
    driver.until(record)
    assert seen == [
        None, "queued", "running", "up_for_retry", "queued", "running", "up_for_retry", "queued", "running", "failed"
    ]
    assert task_states(database, dag_id, START) == {"flaky": "failed", "after": "upstream_failed"}
    assert run_state(database, dag_id, START) == "failed"
    flaky = task_instances(database, dag_id, START)["flaky"]
    assert flaky.try_number == 3
    # Each try ran its simulated 10 s at the test's time scale.
    assert flaky.duration == pytest.approx(10 * scaled.scheduler.time_scale, abs=scaled.scheduler.poll_interval * scaled.scheduler.time_scale)


def test_fail_attempts_then_success(scaled, database):
    final, states = run_dag(scaled, database, """
        dag_id: recovering
        default_args: {start_date: 2029-01-01, retries: 1, retry_delay: 5}
        tasks:
          - {task_id: flaky, operator: DummyOperator, simulate: {fail_attempts: 1}}
    """)
    assert (final, states) == ("success", {"flaky": "success"})
    assert task_instances(database, "recovering", START)["flaky"].try_number == 2


def test_task_instances_carry_what_a_task_runner_fills(scaled, database):
    run_dag(scaled, database, """
        dag_id: filled
        default_args: {start_date: 2029-01-01}
        tasks:
          - {task_id: only, operator: DummyOperator, simulate: {duration: 3}}
    """)
    ti = task_instances(database, "filled", START)["only"]
    assert ti.state == "success" and ti.try_number == 1
    assert ti.hostname and ti.unixname and ti.pid and ti.job_id
    assert ti.queued_dttm <= ti.start_date < ti.end_date
    assert ti.duration == pytest.approx((ti.end_date - ti.start_date).total_seconds())
    assert ti.duration >= 3 * scaled.scheduler.time_scale
