"""GET /dags/{dag_id}/dag_runs/{execution_date}/tasks/{task_id}: one task instance, as str()s."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

import pytest
from sqlalchemy import delete
from starlette.testclient import TestClient

from expapi.db import Database
from expapi.models import TaskInstance
from handler_support import JSON, NOW, UTC, answer, bad_date
from http_helpers import API, path_date

DAG = "example_bash_operator"
RUN_DATE = "2030-01-02T03:04:05+00:00"


def instance_url(execution_date: str, task_id: str = "also_run_this", dag_id: str = DAG) -> str:
    return f"{API}/dags/{dag_id}/dag_runs/{execution_date}/tasks/{task_id}"


def task_instance(task_id: str, operator: str, priority_weight: int, **overrides: str) -> dict[str, str]:
    """The 1.10 body of a task instance that never ran, in the run at RUN_DATE."""
    return {
        "dag_id": DAG,
        "duration": "None",
        "end_date": "None",
        "execution_date": "2030-01-02 03:04:05+00:00",
        "executor_config": "{}",
        "hostname": "",
        "job_id": "None",
        "max_tries": "0",
        "operator": operator,
        "pid": "None",
        "pool": "default_pool",
        "pool_slots": "1",
        "priority_weight": str(priority_weight),
        "queue": "default",
        "queued_dttm": "None",
        "start_date": "None",
        "state": "None",
        "task_id": task_id,
        "test_mode": "False",
        "unixname": getpass.getuser(),
        **overrides,
    }


@pytest.fixture
def run(trigger: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A triggered run of example_bash_operator at RUN_DATE."""
    return trigger(run_id="r1", execution_date=RUN_DATE)


@pytest.mark.usefixtures("run")
class TestGetTaskInstance:
    def test_returns_the_1_10_attributes_as_strings(self, client: TestClient) -> None:
        # priority_weight 2: also_run_this itself plus run_this_last downstream.
        assert answer(client.get(instance_url(path_date(RUN_DATE)))) == (
            200, JSON, task_instance("also_run_this", "BashOperator", 2),
        )

    def test_writes_json_as_flask_1_1_did(self, client: TestClient) -> None:
        assert client.get(instance_url(path_date(RUN_DATE), "run_this_last")).text == (
            '{"dag_id":"example_bash_operator","duration":"None","end_date":"None",'
            '"execution_date":"2030-01-02 03:04:05+00:00","executor_config":"{}","hostname":"",'
            '"job_id":"None","max_tries":"0","operator":"DummyOperator","pid":"None","pool":"default_pool",'
            '"pool_slots":"1","priority_weight":"1","queue":"default","queued_dttm":"None","start_date":"None",'
            '"state":"None","task_id":"run_this_last","test_mode":"False","unixname":"%s"}\n' % getpass.getuser()
        )

    @pytest.mark.parametrize(
        ("task_id", "operator", "weight"),
        [("runme_0", "BashOperator", 3), ("run_after_loop", "BashOperator", 2), ("run_this_last", "DummyOperator", 1)],
    )
    def test_priority_weight_sums_the_downstream_tasks(
        self, client: TestClient, task_id: str, operator: str, weight: int
    ) -> None:
        assert answer(client.get(instance_url(path_date(RUN_DATE), task_id))) == (
            200, JSON, task_instance(task_id, operator, weight),
        )

    @pytest.mark.parametrize(
        "date",
        ["2030-01-02T03:04:05%2B00:00", "2030-01-02T05:04:05%2B02:00", "2030-01-02T03:04:05", "2030-01-02T03:04:05Z"],
    )
    def test_any_form_of_the_instant_finds_the_instance(self, client: TestClient, date: str) -> None:
        # The body shows the stored date, in UTC, whatever form the path used.
        assert answer(client.get(instance_url(date))) == (200, JSON, task_instance("also_run_this", "BashOperator", 2))

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.get(instance_url(path_date(RUN_DATE), dag_id="nope"))) == (
            404, JSON, {"error": "Dag id nope not found in DagModel"},
        )

    def test_an_unknown_task_is_404(self, client: TestClient) -> None:
        assert answer(client.get(instance_url(path_date(RUN_DATE), "nope"))) == (
            404, JSON, {"error": "Task nope not found in dag example_bash_operator"},
        )

    def test_an_unknown_task_is_reported_before_a_missing_run(self, client: TestClient) -> None:
        assert answer(client.get(instance_url(path_date("1990-01-01T01:01:01+00:00"), "nope"))) == (
            404, JSON, {"error": "Task nope not found in dag example_bash_operator"},
        )

    def test_a_date_without_a_run_is_404(self, client: TestClient) -> None:
        date = datetime(1990, 1, 1, 1, 1, 1, tzinfo=UTC).isoformat()
        assert answer(client.get(instance_url(quote_plus(date)))) == (
            404, JSON, {"error": "Dag Run for date 1990-01-01T01:01:01+00:00 not found in dag example_bash_operator"},
        )

    @pytest.mark.parametrize("dag_id", [DAG, "nope"])
    def test_an_unreadable_date_is_400(self, client: TestClient, dag_id: str) -> None:
        # The date is read first, so even an unknown DAG gives the date error.
        assert answer(client.get(instance_url("not_a_datetime", dag_id=dag_id))) == (
            400, JSON, {"error": bad_date("not_a_datetime")},
        )

    def test_a_run_without_that_instance_is_404(self, client: TestClient, database: Database) -> None:
        with database.transaction() as session:
            session.execute(delete(TaskInstance).where(TaskInstance.task_id == "also_run_this"))
        assert answer(client.get(instance_url(path_date("2030-01-02T05:04:05+02:00")))) == (
            404, JSON, {"error": "Task also_run_this instance for date 2030-01-02T05:04:05+02:00 not found"},
        )


class TestGetTaskInstanceOfOtherRuns:
    def test_airflows_task_instance_info_check(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]]
    ) -> None:
        # Airflow's test_task_instance_info: a run "now", its date sent with quote_plus.
        execution_date = NOW.replace(microsecond=0)
        trigger(run_id="test_task_instance_info_run", execution_date=execution_date.isoformat())
        response = client.get(instance_url(quote_plus(execution_date.isoformat())))
        assert answer(response) == (
            200,
            JSON,
            task_instance("also_run_this", "BashOperator", 2, execution_date="2030-01-01 10:20:30+00:00"),
        )

    def test_retries_come_from_default_args_and_the_task(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]]
    ) -> None:
        trigger("tutorial", execution_date=RUN_DATE)
        overrides = {"dag_id": "tutorial"}
        assert answer(client.get(instance_url(path_date(RUN_DATE), "print_date", "tutorial"))) == (
            200, JSON, task_instance("print_date", "BashOperator", 3, max_tries="1", **overrides),
        )
        assert answer(client.get(instance_url(path_date(RUN_DATE), "sleep", "tutorial"))) == (
            200, JSON, task_instance("sleep", "BashOperator", 1, max_tries="3", **overrides),
        )

    def test_a_run_dated_before_the_tasks_start_has_no_instances(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]]
    ) -> None:
        # latest_only's start_date is on the DAG, not in default_args: the trigger is allowed,
        # but its tasks start later, so the run has no instance of them.
        trigger("latest_only", execution_date="2015-01-01T00:00:00+00:00")
        assert answer(client.get(instance_url(path_date("2015-01-01T00:00:00+00:00"), "task1", "latest_only"))) == (
            404, JSON, {"error": "Task task1 instance for date 2015-01-01T00:00:00+00:00 not found"},
        )
