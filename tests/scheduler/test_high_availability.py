"""Two schedulers over one database: shared on PostgreSQL and MariaDB, refused on SQLite; a dead one's work carries on."""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from scheduler_support import START, Clock, Driver, run_state, scaled_config, task_instances, trigger, write_dag

from expapi.cli.common import CommandError
from expapi.cli.scheduler import GATEWAY_REFUSAL, build_scheduler
from expapi.config import GatewayConfig
from expapi.flavours import AIRFLOW_1_10
from expapi.scheduler.jobs import AnotherSchedulerRunning
from expapi.scheduler.loop import Scheduler

RUNS = 50
CHANGE = re.compile(r"^(?P<dag>\S+) (?P<run>\S+) (?P<what>\S+): (?P<old>\S+) -> (?P<new>\S+)$")


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle holds the handler's own lock around emit: the threads append in turn.
        self.lines.append((record.threadName, record.getMessage()))


@pytest.fixture
def recorder():
    handler = Recorder()
    logger = logging.getLogger("expapi.scheduler")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.mark.parametrize("backend", ["postgres", "mysql"], indirect=True)
def test_two_schedulers_advance_every_task_instance_exactly_once(config, database, recorder):
    scaled = scaled_config(config, time_scale=0.001)
    dag_id = write_dag(scaled, database, """
        dag_id: raced
        default_args: {start_date: 2029-01-01}
        tasks:
          - {task_id: a, operator: DummyOperator, downstream: [b, c]}
          - {task_id: b, operator: DummyOperator}
          - {task_id: c, operator: DummyOperator, simulate: {outcome: failed}}
    """)
    dates = [START + timedelta(minutes=i) for i in range(RUNS)]
    for when in dates:
        trigger(database, dag_id, when)
    schedulers = [Scheduler(database=database, config=scaled, flavour=AIRFLOW_1_10) for _ in range(2)]
    for scheduler in schedulers:
        scheduler.start()
    threads = [threading.Thread(target=s.serve_forever, name=f"scheduler-{i}") for i, s in enumerate(schedulers)]
    for thread in threads:
        thread.start()
    try:
        deadline = threading.Event()
        for _ in range(1200):  # each check waits one poll interval of the scaled scheduler
            if all(run_state(database, dag_id, when) in ("success", "failed") for when in dates):
                break
            deadline.wait(schedulers[0].interval * 10)
    finally:
        for scheduler in schedulers:
            scheduler.stop()
        for thread in threads:
            thread.join(30)
    assert [run_state(database, dag_id, when) for when in dates] == ["failed"] * RUNS
    changes = Counter()
    for _thread, line in recorder.lines:
        match = CHANGE.match(line)
        if match and match["dag"] == dag_id and match["what"] != "run":
            changes[(match["run"], match["what"], match["old"], match["new"])] += 1
    expected_paths = {
        "a": ["none -> scheduled", "scheduled -> queued", "queued -> running", "running -> success"],
        "b": ["none -> scheduled", "scheduled -> queued", "queued -> running", "running -> success"],
        "c": ["none -> scheduled", "scheduled -> queued", "queued -> running", "running -> failed"],
    }
    expected = Counter()
    for when in dates:
        for task_id, path in expected_paths.items():
            for step in path:
                old, new = step.split(" -> ")
                expected[(f"manual__{when.isoformat()}", task_id, old, new)] += 1
    assert changes == expected  # every change once: none twice, none missing
    job_ids = {ti.job_id for when in dates for ti in task_instances(database, dag_id, when).values()}
    assert job_ids <= {s.job.id for s in schedulers}
    assert {ti.try_number for when in dates for ti in task_instances(database, dag_id, when).values()} == {1}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_second_scheduler_on_sqlite_refuses_naming_the_first(config, database):
    first = Scheduler(database=database, config=config, flavour=AIRFLOW_1_10)
    first.start()
    second = Scheduler(database=database, config=config, flavour=AIRFLOW_1_10)
    with pytest.raises(AnotherSchedulerRunning, match=rf"another scheduler is running on this SQLite database \(job {first.job.id}, pid \d+"):
        second.start()
    # Once the first has stopped, a new one starts.
    first.stop()
    first.serve_forever()
    second.start()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_scheduler_that_died_mid_run_leaves_work_the_next_one_finishes(config, database):
    scaled = scaled_config(config)
    dag_id = write_dag(scaled, database, """
        dag_id: survivor
        default_args: {start_date: 2029-01-01}
        tasks:
          - {task_id: a, operator: DummyOperator, downstream: [b]}
          - {task_id: b, operator: DummyOperator}
    """)
    trigger(database, dag_id, START)
    clock = Clock()
    dead = Driver(database, scaled, clock)
    dead.tick()
    dead.tick()
    # No end_job: as if killed. Its heartbeat goes stale; a new scheduler takes over.
    clock.advance(scaled.scheduler.scheduler_health_check_threshold + 1)
    successor = Driver(database, scaled, clock)
    assert successor.until_run_ends(database, dag_id, START) == "success"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_gateway_mode_refuses_in_one_line(config):
    gateway = replace(config, gateway=GatewayConfig(airflow_url="http://airflow.example:8080"))
    with pytest.raises(CommandError) as raised:
        build_scheduler(gateway, upgrade=False)
    assert str(raised.value) == GATEWAY_REFUSAL and "\n" not in GATEWAY_REFUSAL
