"""Driving a scheduler pass by pass on a clock the test moves: no wall-clock waiting."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, update

from expapi.config import Config, SchedulerConfig
from expapi.dags.sync import sync_dags
from expapi.db import Database
from expapi.flavours import AIRFLOW_1_10
from expapi.models import DagModel, DagRun, TaskInstance
from expapi.scheduler.loop import Scheduler
from expapi.service.context import Context
from expapi.service.dag_runs import trigger_dag_run
from expapi.store.sql import SqlStore

UTC = timezone.utc
START = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
# Durations in DAG files are seconds at time_scale 1; tests run at this scale.
TIME_SCALE = 0.01


class Clock:
    """The scheduler's "now", moved only by the test."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def scaled_config(config: Config, **scheduler) -> Config:
    values = {"time_scale": TIME_SCALE, "default_task_duration": 1.0, "poll_interval": 0.5, **scheduler}
    return replace(config, scheduler=SchedulerConfig(**values))


def write_dag(config: Config, database: Database, text: str, *, paused: bool = False) -> str:
    """Write a DAG file, load it, and unpause it unless told otherwise; returns its dag_id."""
    text = textwrap.dedent(text)
    dag_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("dag_id:"))
    Path(config.core.dags_folder, f"{dag_id}.yaml").write_text(text)
    report = sync_dags(database, config)
    assert not report.errors, report.errors
    set_paused(database, dag_id, paused)
    return dag_id


def set_paused(database: Database, dag_id: str, paused: bool) -> None:
    with database.transaction() as session:
        session.execute(update(DagModel).where(DagModel.dag_id == dag_id).values(is_paused=paused))


def trigger(database: Database, dag_id: str, when: datetime, flavour=AIRFLOW_1_10) -> None:
    with database.transaction() as session:
        trigger_dag_run(Context(store=SqlStore(session), flavour=flavour, timezone=UTC), dag_id, execution_date=when.isoformat())


def run_state(database: Database, dag_id: str, when: datetime) -> str | None:
    with database.transaction() as session:
        return session.scalar(select(DagRun.state).where(DagRun.dag_id == dag_id, DagRun.execution_date == when))


def task_states(database: Database, dag_id: str, when: datetime) -> dict[str, str | None]:
    with database.transaction() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state).where(TaskInstance.dag_id == dag_id, TaskInstance.execution_date == when)
        )
        return dict(rows.all())


def task_instances(database: Database, dag_id: str, when: datetime) -> dict[str, TaskInstance]:
    with database.transaction() as session:
        rows = session.scalars(select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.execution_date == when))
        return {ti.task_id: ti for ti in rows}


class Driver:
    """A scheduler and its clock; ``until`` runs passes, one poll interval apart."""

    def __init__(self, database: Database, config: Config, clock: Clock | None = None, flavour=AIRFLOW_1_10) -> None:
        self.clock = clock or Clock()
        self.scheduler = Scheduler(database=database, config=config, flavour=flavour, now=self.clock)
        self.scheduler.start()
        self.passes = 0

    def tick(self) -> int:
        changes = self.scheduler.run_once()
        self.passes += 1
        self.clock.advance(self.scheduler.interval)
        return changes

    def until(self, done, max_passes: int = 500) -> None:
        for _ in range(max_passes):
            if done():
                return
            self.tick()
        raise AssertionError(f"not done after {max_passes} passes")

    def until_run_ends(self, database: Database, dag_id: str, when: datetime) -> str:
        self.until(lambda: run_state(database, dag_id, when) in ("success", "failed"))
        return run_state(database, dag_id, when)
