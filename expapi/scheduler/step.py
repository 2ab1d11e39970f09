"""One pass of the scheduler over one DAG run: every state change it is due, in one transaction.

A pass moves, in this order: queued task instances to running (they were queued by an
earlier pass, so a poller can see ``queued``); running ones whose simulated duration is
over to their outcome; then, until nothing more changes, tasks whose trigger rule is
decided, retries whose delay is over, and scheduled tasks with a free pool slot. Finally
the run's state is decided from its leaves. The caller commits, so a pass that dies
leaves nothing half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expapi.dags.definition import Dag
from expapi.flavours.flavour import Flavour
from expapi.models import DagRun, Pool, TaskInstance
from expapi.scheduler import rules, schedules
from expapi.scheduler.simulation import simulation_for

log = logging.getLogger("expapi.scheduler")

OCCUPYING = (rules.QUEUED, rules.RUNNING)


@dataclass(frozen=True)
class Worker:
    """Who "runs" the task instances: filled into them as Airflow's task runner would."""

    job_id: int
    hostname: str
    unixname: str
    pid: int


@dataclass
class StepSettings:
    flavour: Flavour
    default_task_duration: float
    time_scale: float
    worker: Worker
    now: Callable[[], datetime]
    changes: list[str] = field(default_factory=list)

    def scaled(self, seconds: float) -> timedelta:
        return timedelta(seconds=seconds * self.time_scale)


def occupied_slots(session: Session) -> dict[str, int]:
    """Slots each pool has taken by queued and running task instances."""
    rows = session.execute(
        select(TaskInstance.pool, func.sum(TaskInstance.pool_slots))
        .where(TaskInstance.state.in_(OCCUPYING))
        .group_by(TaskInstance.pool)
    )
    return {pool: int(total or 0) for pool, total in rows}


def lock_pools(session: Session) -> dict[str, int]:
    """Every pool's size; on a server database the rows stay locked until commit, so two
    schedulers queue one after the other and never hand out the same slot."""
    query = select(Pool.pool, Pool.slots)
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    return {name: slots for name, slots in session.execute(query)}


class RunStep:
    """The state changes one DAG run is due now."""

    def __init__(self, session: Session, run: DagRun, dag: Dag, settings: StepSettings) -> None:
        self.session = session
        self.run = run
        self.dag = dag
        self.settings = settings
        self.now = settings.now()
        instances = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == run.dag_id, TaskInstance.execution_date == run.execution_date)
        )
        # Task instances of tasks no longer in the DAG are left as they are.
        self.tis = {ti.task_id: ti for ti in instances if ti.task_id in dag.tasks}
        self.free_slots: dict[str, int] | None = None

    def note(self, what: str, old: str | None, new: str) -> None:
        line = f"{self.run.dag_id} {self.run.run_id} {what}: {old or 'none'} -> {new}"
        log.info(line)
        self.settings.changes.append(line)

    def set_ti(self, ti: TaskInstance, state: str) -> None:
        self.note(ti.task_id, ti.state, state)
        ti.state = state
        # The pass's own clock, like every other date it writes (the model's onupdate would read the wall clock).
        ti.updated_at = self.now

    def advance(self) -> None:
        if self.run.state == rules.QUEUED:
            self.note("run", self.run.state, rules.RUNNING)
            self.run.state = rules.RUNNING
            self.run.start_date = self.now
        if self.run.state != rules.RUNNING:
            return
        for ti in self.ordered(rules.QUEUED):
            self.start(ti)
        for ti in self.ordered(rules.RUNNING):
            self.maybe_finish(ti)
        while self.settle():
            pass
        self.decide_run()

    def ordered(self, state: str) -> list[TaskInstance]:
        # Higher priority first, as Airflow queues; task id breaks ties so passes are repeatable.
        found = [ti for ti in self.tis.values() if ti.state == state]
        return sorted(found, key=lambda ti: (-(ti.priority_weight or 0), ti.task_id))

    def start(self, ti: TaskInstance) -> None:
        worker = self.settings.worker
        ti.try_number = (ti.try_number or 0) + 1
        ti.start_date = self.now
        ti.end_date = None
        ti.duration = None
        ti.hostname, ti.unixname, ti.pid, ti.job_id = worker.hostname, worker.unixname, worker.pid, worker.job_id
        self.set_ti(ti, rules.RUNNING)

    def maybe_finish(self, ti: TaskInstance) -> None:
        task = self.dag.tasks[ti.task_id]
        simulation = simulation_for(self.dag, task, self.settings.default_task_duration)
        if self.now < ti.start_date + self.settings.scaled(simulation.duration):
            return
        outcome = simulation.outcome_of_try(ti.try_number)
        ti.end_date = self.now
        ti.duration = (self.now - ti.start_date).total_seconds()
        if outcome == rules.FAILED and ti.try_number <= (ti.max_tries or 0):
            outcome = rules.UP_FOR_RETRY
        self.set_ti(ti, outcome)
        if outcome != rules.SUCCESS:
            return
        # Branching and LatestOnly skip directly downstream tasks; rules carry the skip further.
        skipped: set[str] = set()
        if simulation.branch is not None:
            skipped = task.downstream - set(simulation.branch)
        if simulation.latest_only and not self.run.external_trigger:
            if not schedules.is_latest(self.dag.schedule_interval, self.run.execution_date, self.now):
                skipped = set(task.downstream)
        for task_id in sorted(skipped):
            other = self.tis.get(task_id)
            if other is not None and other.state is None:
                self.finish_without_running(other, rules.SKIPPED)

    def finish_without_running(self, ti: TaskInstance, state: str) -> None:
        # Airflow's set_state: a task decided without running starts and ends at once.
        ti.start_date = ti.end_date = self.now
        self.set_ti(ti, state)

    def settle(self) -> bool:
        """Trigger rules, due retries and pool slots; True if anything changed."""
        changed = False
        for ti in self.ordered(rules.UP_FOR_RETRY):
            if self.now >= ti.end_date + self.settings.scaled(self.retry_delay(ti.task_id).total_seconds()):
                self.set_ti(ti, rules.SCHEDULED)
                changed = True
        for ti in sorted(self.tis.values(), key=lambda ti: ti.task_id):
            if ti.state is not None:
                continue
            task = self.dag.tasks[ti.task_id]
            upstream = [self.tis[t].state for t in sorted(task.upstream) if t in self.tis]
            decision = rules.decide(self.trigger_rule(ti.task_id), upstream)
            if decision is rules.Decision.RUN:
                self.set_ti(ti, rules.SCHEDULED)
                changed = True
            elif decision is not rules.Decision.WAIT:
                self.finish_without_running(ti, decision.value)
                changed = True
        for ti in self.ordered(rules.SCHEDULED):
            if self.take_slots(ti):
                ti.queued_dttm = self.now
                self.set_ti(ti, rules.QUEUED)
                changed = True
        return changed

    def take_slots(self, ti: TaskInstance) -> bool:
        if self.free_slots is None:
            sizes = lock_pools(self.session)
            taken = occupied_slots(self.session)
            self.free_slots = {name: size - taken.get(name, 0) for name, size in sizes.items()}
        free = self.free_slots.get(ti.pool, 0)  # a task in a pool that does not exist waits, as in Airflow
        if free < ti.pool_slots:
            return False
        self.free_slots[ti.pool] = free - ti.pool_slots
        return True

    def task_value(self, task_id: str, name: str):
        task = self.dag.tasks[task_id]
        return self.dag.task_value(task, name, self.settings.flavour.defaults_for(task.operator))

    def retry_delay(self, task_id: str) -> timedelta:
        delay = self.task_value(task_id, "retry_delay")
        return delay if isinstance(delay, timedelta) else timedelta(seconds=float(delay or 0))

    def trigger_rule(self, task_id: str) -> str:
        name = str(self.task_value(task_id, "trigger_rule"))
        rule = self.settings.flavour.trigger_rule(name)
        if rule is None:
            # Airflow refuses such a DAG at parse time; here the task keeps its default.
            log.warning("%s.%s: trigger rule %r is not one of Airflow %s's; using all_success",
                        self.dag.dag_id, task_id, name, self.settings.flavour.airflow_version)
            return "all_success"
        return rule

    def decide_run(self) -> None:
        leaves = [ti.state for task_id, ti in self.tis.items() if not (self.dag.tasks[task_id].downstream & self.tis.keys())]
        outcome = rules.run_outcome(leaves, [ti.state for ti in self.tis.values()])
        if outcome is not None:
            self.note("run", self.run.state, outcome)
            self.run.state = outcome
            self.run.end_date = self.now
