"""DELETE /dags/<dag_id> while a task instance of the DAG runs, in each flavour, on every backend.

Airflow 2 refuses (its delete_dag raises "TaskInstances still running", a 500); expapi refuses
with 409 and the same words, deleting nothing. Airflow 1.10 has no such check and deletes.
"""

from __future__ import annotations

import threading

import pytest
from expapi.models import DagModel, DagRun, TaskInstance
from http_helpers import API
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from expapi.db import Database
from expapi.store.outcomes import TaskInstancesStillRunning
from expapi.store.sql import SqlStore

DAG = "example_bash_operator"
WHEN = "2030-01-02T03:04:05+00:00"
DEPRECATION = {"deprecation": "true"}


@pytest.fixture(params=["1.10", "2"])
def flavour(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(settings: dict[str, str], flavour: str) -> dict[str, str]:
    """The app's settings, in the test's flavour."""
    return {**settings, "EXPAPI__API__COMPAT": flavour}


def start_one_task(client: TestClient, database: Database, state: str = "running") -> None:
    """Trigger a run of DAG and put one of its task instances in ``state``."""
    assert client.post(f"{API}/dags/{DAG}/dag_runs", json={"execution_date": WHEN}).status_code == 200
    with database.transaction() as session:
        task_id = session.scalars(select(TaskInstance.task_id).where(TaskInstance.dag_id == DAG).limit(1)).one()
        session.execute(
            update(TaskInstance).where(TaskInstance.dag_id == DAG, TaskInstance.task_id == task_id).values(state=state)
        )


def rows_of(database: Database) -> tuple[int, int, int]:
    with database.transaction() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table).where(table.dag_id == DAG))
            for table in (DagModel, DagRun, TaskInstance)
        )


# What DELETE answers while a task instance runs: status, body; and whether the rows stay.
WHILE_RUNNING = {
    "1.10": (200, '{"count":9,"message":"Removed 9 record(s)"}\n', False),
    "2": (409, '{"error": "TaskInstances still running"}', True),
}
# Once no task instance runs, both delete: the DAG, its stored definition, the run and its
# task instances (Airflow 2's example_bash_operator has 7 tasks, 1.10's 6), in Flask 2's JSON.
WHEN_IDLE = {
    "1.10": '{"count":9,"message":"Removed 9 record(s)"}\n',
    "2": '{"count": 10, "message": "Removed 10 record(s)"}',
}


def test_delete_while_a_task_instance_runs(flavour: str, client: TestClient, database: Database) -> None:
    start_one_task(client, database)
    before = rows_of(database)

    answer = client.delete(f"{API}/dags/{DAG}")

    status, body, kept = WHILE_RUNNING[flavour]
    assert (answer.status_code, answer.headers["content-type"], answer.text) == (status, "application/json", body)
    assert rows_of(database) == (before if kept else (0, 0, 0))


@pytest.mark.parametrize("state", ["success", "queued", "failed", None])
def test_delete_once_no_task_instance_runs(flavour: str, state: str | None, client: TestClient, database: Database) -> None:
    start_one_task(client, database, state)

    answer = client.delete(f"{API}/dags/{DAG}")

    assert (answer.status_code, answer.text) == (200, WHEN_IDLE[flavour])
    assert rows_of(database) == (0, 0, 0)


@pytest.mark.parametrize("flavour", ["2"], indirect=True)  # 1.10 has no refusal to wait out
def test_the_2_flavour_deletes_after_the_task_instance_finished(client: TestClient, database: Database) -> None:
    start_one_task(client, database)
    assert client.delete(f"{API}/dags/{DAG}").status_code == 409
    with database.transaction() as session:
        session.execute(update(TaskInstance).where(TaskInstance.dag_id == DAG).values(state="success"))

    assert (client.delete(f"{API}/dags/{DAG}").status_code, rows_of(database)) == (200, (0, 0, 0))


@pytest.mark.parametrize("flavour", ["2"], indirect=True)  # 1.10 deletes running ones anyway
def test_a_task_instance_started_during_the_delete_is_not_deleted(client: TestClient, database: Database) -> None:
    """A scheduler sets a task instance running, and commits while the delete is under way.

    The delete waits for the scheduler's transaction (row locks; SQLite's write lock, taken
    before the check), then sees the running task instance and refuses.
    """
    start_one_task(client, database, state="queued")
    started = threading.Event()

    def scheduler() -> None:
        with database.transaction() as session:
            session.execute(update(TaskInstance).where(TaskInstance.dag_id == DAG).values(state="running"))
            started.set()
            threading.Event().wait(0.5)

    thread = threading.Thread(target=scheduler)
    thread.start()
    assert started.wait(5)
    try:
        with pytest.raises(TaskInstancesStillRunning), database.transaction() as session:
            SqlStore(session, refuse_delete_while=frozenset({"running"})).delete_dag(DAG)
    finally:
        thread.join()
    assert rows_of(database)[2] > 0
