"""Scheduled runs (catchup, max_active_runs, end_date, paused DAGs) and pools that block and release."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from scheduler_support import START, UTC, Clock, Driver, run_state, scaled_config, task_states, trigger, write_dag

from expapi.models import DagRun, Pool
from expapi.scheduler import schedules


@pytest.fixture
def scaled(config):
    return scaled_config(config)


def runs(database, dag_id):
    with database.transaction() as session:
        rows = session.execute(
            select(DagRun.run_id, DagRun.execution_date, DagRun.external_trigger, DagRun.state)
            .where(DagRun.dag_id == dag_id).order_by(DagRun.execution_date)
        )
        return [tuple(row) for row in rows]


DAILY = """
dag_id: daily
schedule_interval: "@daily"
catchup: {catchup}
{extra}
default_args: {{start_date: 2029-12-29}}
tasks:
  - {{task_id: only, operator: DummyOperator}}
"""


def test_catchup_makes_a_run_per_interval_since_the_start_date(scaled, database):
    write_dag(scaled, database, DAILY.format(catchup="true", extra=""))
    Driver(database, scaled).tick()
    # START is 2030-01-01 10:00: the intervals of Dec 29, 30 and 31 have ended; Jan 1's has not.
    assert [(run_id, external) for run_id, _, external, _ in runs(database, "daily")] == [
        ("scheduled__2029-12-29T00:00:00+00:00", False),
        ("scheduled__2029-12-30T00:00:00+00:00", False),
        ("scheduled__2029-12-31T00:00:00+00:00", False),
    ]


def test_without_catchup_only_the_latest_interval_runs(scaled, database):
    write_dag(scaled, database, DAILY.format(catchup="false", extra=""))
    driver = Driver(database, scaled)
    driver.tick()
    assert [run_id for run_id, *_ in runs(database, "daily")] == ["scheduled__2029-12-31T00:00:00+00:00"]
    # A day later the next interval has ended: one more run, and no gap filled.
    driver.clock.advance(24 * 3600)
    driver.tick()
    assert [run_id for run_id, *_ in runs(database, "daily")] == [
        "scheduled__2029-12-31T00:00:00+00:00", "scheduled__2030-01-01T00:00:00+00:00",
    ]


def test_max_active_runs_and_end_date(scaled, database):
    write_dag(scaled, database, DAILY.format(catchup="true", extra="max_active_runs: 1\nend_date: 2029-12-30"))
    driver = Driver(database, scaled)
    driver.tick()
    assert [run_id for run_id, *_ in runs(database, "daily")] == ["scheduled__2029-12-29T00:00:00+00:00"]
    driver.until(lambda: len(runs(database, "daily")) == 2 and all(r[3] == "success" for r in runs(database, "daily")))
    for _ in range(20):
        driver.tick()
    # Dec 31 is past end_date: never scheduled.
    assert [run_id for run_id, *_ in runs(database, "daily")] == [
        "scheduled__2029-12-29T00:00:00+00:00", "scheduled__2029-12-30T00:00:00+00:00",
    ]


def test_a_paused_dag_stands_still(scaled, database):
    dag_id = write_dag(scaled, database, DAILY.format(catchup="true", extra=""), paused=True)
    trigger(database, dag_id, START)
    driver = Driver(database, scaled)
    for _ in range(20):
        driver.tick()
    assert runs(database, dag_id) == [(f"manual__{START.isoformat()}", START, True, "running")]
    assert task_states(database, dag_id, START) == {"only": None}


def test_presets_durations_and_cron_strings():
    start = datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    assert schedules.following("@hourly", start) == start + timedelta(hours=1)
    assert schedules.following("@weekly", start) == datetime(2030, 1, 6, tzinfo=UTC)  # a Sunday
    assert schedules.following("30 6 * * 1-5", start) == datetime(2030, 1, 1, 6, 30, tzinfo=UTC)
    assert schedules.following(timedelta(hours=4), start) == start + timedelta(hours=4)
    assert schedules.first_date("@daily", datetime(2030, 1, 1, 5, tzinfo=UTC)) == datetime(2030, 1, 2, tzinfo=UTC)
    with pytest.raises(schedules.UnknownSchedule, match="'every day'"):
        schedules.following("every day", start)


def test_a_full_pool_holds_tasks_in_scheduled_until_a_slot_is_released(scaled, database):
    with database.transaction() as session:
        session.add(Pool(pool="narrow", slots=2, description="two slots"))
    dag_id = write_dag(scaled, database, """
        dag_id: pooled
        default_args: {start_date: 2029-01-01, pool: narrow}
        tasks:
          - {task_id: big, operator: DummyOperator, pool_slots: 2, priority_weight: 10, simulate: {duration: 5}}
          - {task_id: small_1, operator: DummyOperator, simulate: {duration: 5}}
          - {task_id: small_2, operator: DummyOperator, simulate: {duration: 5}}
    """)
    trigger(database, dag_id, START)
    driver = Driver(database, scaled)
    driver.tick()
    # big (higher priority) takes both slots; the small ones wait in scheduled.
    assert task_states(database, dag_id, START) == {"big": "queued", "small_1": "scheduled", "small_2": "scheduled"}
    driver.until(lambda: task_states(database, dag_id, START)["big"] == "success")
    driver.until(lambda: task_states(database, dag_id, START)["small_1"] in ("queued", "running"))
    assert task_states(database, dag_id, START)["small_2"] in ("queued", "running")
    assert driver.until_run_ends(database, dag_id, START) == "success"


def test_a_pool_made_bigger_releases_waiting_tasks(scaled, database):
    with database.transaction() as session:
        session.add(Pool(pool="closed", slots=0, description=None))
    dag_id = write_dag(scaled, database, """
        dag_id: blocked
        default_args: {start_date: 2029-01-01, pool: closed}
        tasks:
          - {task_id: waiting, operator: DummyOperator}
    """)
    trigger(database, dag_id, START)
    driver = Driver(database, scaled)
    for _ in range(10):
        driver.tick()
    assert task_states(database, dag_id, START) == {"waiting": "scheduled"}
    with database.transaction() as session:
        session.execute(update(Pool).where(Pool.pool == "closed").values(slots=1))
    assert driver.until_run_ends(database, dag_id, START) == "success"
