"""The scheduler process: a loop of passes over the database until told to stop.

Each pass beats the job's heartbeat, creates the runs schedules are due, and advances
every active run of every unpaused, active DAG, one transaction per run. On PostgreSQL and
MySQL the run is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``, as Airflow 2's HA
scheduler does: a run another scheduler is advancing is passed over, never advanced twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expapi.config import Config
from expapi.dags.definition import Dag
from expapi.dates import utcnow
from expapi.db import Database
from expapi.flavours.flavour import Flavour
from expapi.models import DagModel, DagRun, SerializedDag
from expapi.scheduler import jobs, rules, schedules
from expapi.scheduler.step import RunStep, StepSettings, Worker
from expapi.service.dag_runs import new_task_instances
from expapi.store.outcomes import DuplicateExecutionDate, DuplicateRunId
from expapi.store.records import NewDagRun, queued_at_for
from expapi.store.sql import SqlStore

log = logging.getLogger("expapi.scheduler")

ACTIVE_RUN_STATES = (rules.QUEUED, rules.RUNNING)


@dataclass
class Scheduler:
    database: Database
    config: Config
    flavour: Flavour
    now: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        self.stopping = threading.Event()
        self.job: jobs.Job | None = None
        self.state_changes = 0

    @property
    def interval(self) -> float:
        return self.config.scheduler.poll_interval * self.config.scheduler.time_scale

    def start(self) -> None:
        """Record this scheduler's job (on SQLite: refuse if another one lives)."""
        self.job = jobs.start_job(self.database, self.now(), self.config.scheduler.scheduler_health_check_threshold)
        log.info("scheduler job %d started (pid %d); a pass every %.3f s", self.job.id, self.job.pid, self.interval)

    def serve_forever(self) -> None:
        """Passes until ``stop()``; the current pass finishes first, so nothing is left half-done."""
        if self.job is None:
            self.start()
        try:
            while not self.stopping.is_set():
                self.run_once()
                self.stopping.wait(self.interval)
        finally:
            jobs.end_job(self.database, self.job.id, self.now())
            log.info("scheduler job %d stopped after %d state change(s)", self.job.id, self.state_changes)

    def stop(self) -> None:
        self.stopping.set()

    def run_once(self) -> int:
        """One pass over every DAG; returns the number of state changes it made."""
        jobs.heartbeat(self.database, self.job.id, self.now())
        dags = self.active_dags()
        changes = self.create_scheduled_runs(dags)
        visited: set[int] = set()
        while not self.stopping.is_set():
            changed = self.advance_next_run(dags, visited)
            if changed is None:
                break
            changes += changed
        self.state_changes += changes
        return changes

    def active_dags(self) -> dict[str, Dag]:
        """Definitions of the unpaused, active DAGs: a paused DAG's runs stand still, as in Airflow."""
        with self.database.transaction() as session:
            rows = session.execute(
                select(SerializedDag.data)
                .join(DagModel, DagModel.dag_id == SerializedDag.dag_id)
                .where(DagModel.is_paused.is_(False), DagModel.is_active.is_(True))
            )
            return {dag.dag_id: dag for dag in (Dag.from_data(data) for (data,) in rows)}

    def settings(self) -> StepSettings:
        job = self.job
        return StepSettings(
            flavour=self.flavour,
            default_task_duration=self.config.scheduler.default_task_duration,
            time_scale=self.config.scheduler.time_scale,
            worker=Worker(job_id=job.id, hostname=job.hostname, unixname=job.unixname, pid=job.pid),
            now=self.now,
        )

    def advance_next_run(self, dags: dict[str, Dag], visited: set[int]) -> int | None:
        """Claim one active run not yet seen in this pass and advance it; None when none is left."""
        if not dags:
            return None
        with self.database.transaction() as session:
            query = (
                select(DagRun)
                .where(DagRun.state.in_(ACTIVE_RUN_STATES), DagRun.dag_id.in_(list(dags)))
                .order_by(DagRun.execution_date, DagRun.id)
                .limit(1)
            )
            if visited:
                query = query.where(DagRun.id.notin_(visited))
            if session.get_bind().dialect.name != "sqlite":
                query = query.with_for_update(skip_locked=True)
            run = session.scalar(query)
            if run is None:
                return None
            visited.add(run.id)
            dag = dags[run.dag_id]
            if run.state == rules.QUEUED and not self.may_start(session, dag, run):
                return 0
            settings = self.settings()
            RunStep(session, run, dag, settings).advance()
            return len(settings.changes)

    def max_active_runs(self, dag: Dag) -> int:
        value = dag.attributes.get("max_active_runs")
        return int(value) if value else self.config.scheduler.max_active_runs_per_dag

    def count_running(self, session: Session, dag_id: str) -> int:
        return session.scalar(select(func.count()).where(DagRun.dag_id == dag_id, DagRun.state == rules.RUNNING))

    def may_start(self, session: Session, dag: Dag, run: DagRun) -> bool:
        # A queued run waits while the DAG already has max_active_runs running (Airflow 2).
        return self.count_running(session, dag.dag_id) < self.max_active_runs(dag)

    def create_scheduled_runs(self, dags: dict[str, Dag]) -> int:
        """Runs for every interval that is due, as ``scheduled__<date>``; returns how many were made."""
        made = 0
        for dag in dags.values():
            if dag.schedule_interval is None:
                continue
            try:
                made += self.create_runs_for(dag)
            except schedules.UnknownSchedule as exc:
                log.warning("%s: %s; no runs scheduled", dag.dag_id, exc)
        return made

    def create_runs_for(self, dag: Dag) -> int:
        now = self.now()
        starts = [d for d in (dag.task_start_date(t, now) for t in dag.tasks.values()) if d is not None]
        if dag.start_date is not None:
            starts.append(dag.start_date if isinstance(dag.start_date, datetime) else dag.start_date.resolve(now))
        if not starts:
            return 0
        end = dag.end_date if isinstance(dag.end_date, datetime) else None
        made = 0
        with self.database.transaction() as session:
            active = session.scalar(
                select(func.count()).where(DagRun.dag_id == dag.dag_id, DagRun.state.in_(ACTIVE_RUN_STATES))
            )
            last = session.scalar(
                select(func.max(DagRun.execution_date)).where(DagRun.dag_id == dag.dag_id, DagRun.external_trigger.is_(False))
            )
            any_run = session.scalar(select(func.count()).where(DagRun.dag_id == dag.dag_id)) > 0
            due = schedules.due_dates(
                dag.schedule_interval,
                start=min(starts),
                end=end,
                last=last,
                catchup=bool(dag.attributes.get("catchup", True)),
                now=now,
                limit=self.max_active_runs(dag) - active,
                has_any_run=any_run,
            )
            store = SqlStore(session)
            for when in due:
                run = NewDagRun(
                    dag_id=dag.dag_id,
                    run_id=f"scheduled__{when.isoformat()}",
                    execution_date=when,
                    state=self.flavour.scheduled_run_state,
                    start_date=now if self.flavour.scheduled_run_state == rules.RUNNING else None,
                    conf=None,
                    external_trigger=False,
                    queued_at=queued_at_for(self.flavour.scheduled_run_state, now),
                )
                try:
                    store.create_dag_run(run, new_task_instances(self.flavour, dag, when))
                except (DuplicateRunId, DuplicateExecutionDate):
                    continue  # another scheduler, or a trigger, made this run first
                log.info("%s %s run: created -> %s", dag.dag_id, run.run_id, run.state)
                made += 1
        return made
