"""GET /dags/{dag_id}/dag_runs/{execution_date}/tasks/{task_id}: one task instance, as str()s, in both flavours.

The 2 flavour's 34 keys are those the running Airflow 2.11.2 answered (CAPTURE.md): no
``execution_date``, but ``run_id``, ``map_index``, ``try_number``, the run's repr (``dag_run``,
naming its state and ``queued_at``) and the row's ``updated_at``.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

import pytest
from sqlalchemy import delete, update
from starlette.testclient import TestClient

import expapi.dates
from expapi.db import Database
from expapi.models import DagRun, TaskInstance
from handler_support import JSON, NOW, UTC, answer, bad_date, by_flavour
from http_helpers import API, path_date

DAG = "example_bash_operator"
RUN_DATE = "2030-01-02T03:04:05+00:00"


def instance_url(execution_date: str, task_id: str = "also_run_this", dag_id: str = DAG) -> str:
    return f"{API}/dags/{dag_id}/dag_runs/{execution_date}/tasks/{task_id}"


# The frozen "now" as str() writes it: when the trigger queued the run and wrote its instances.
NOW_STR = "2030-01-01 10:20:30.123456+00:00"


def task_instance(
    flavour_name: str,
    task_id: str,
    operator: str,
    priority_weight: int,
    *,
    dag_id: str = DAG,
    run_id: str = "r1",
    execution_date: str = "2030-01-02 03:04:05+00:00",
    **overrides: str,
) -> dict[str, str]:
    """The body of a task instance that never ran, in a triggered run (r1 at RUN_DATE by default)."""
    return by_flavour(
        flavour_name,
        v1_10=task_instance_1_10(task_id, operator, priority_weight, dag_id=dag_id, execution_date=execution_date, **overrides),
        v2={
            "custom_operator_name": "None",
            "dag_id": dag_id,
            "dag_run": (
                f"<DagRun {dag_id} @ {execution_date}: {run_id}, state:queued, queued_at: {NOW_STR}. "
                "externally triggered: True>"
            ),
            "duration": "None",
            "end_date": "None",
            "executor": "None",
            "executor_config": "{}",
            "external_executor_id": "None",
            "hostname": "",
            "job_id": "None",
            "map_index": "-1",
            "max_tries": "0",
            "next_kwargs": "None",
            "next_method": "None",
            "operator": operator,
            "pid": "None",
            "pool": "default_pool",
            "pool_slots": "1",
            "priority_weight": str(priority_weight),
            "queue": "default",
            "queued_by_job_id": "None",
            "queued_dttm": "None",
            "rendered_map_index": "None",
            "rendered_task_instance_fields": "None",
            "run_id": run_id,
            "start_date": "None",
            "state": "None",
            "task_id": task_id,
            "test_mode": "False",
            "trigger_id": "None",
            "trigger_timeout": "None",
            "try_number": "0",
            "unixname": getpass.getuser(),
            "updated_at": NOW_STR,
            **overrides,
        },
    )


def task_instance_1_10(
    task_id: str, operator: str, priority_weight: int, *, dag_id: str, execution_date: str, **overrides: str
) -> dict[str, str]:
    return {
        "dag_id": dag_id,
        "duration": "None",
        "end_date": "None",
        "execution_date": execution_date,
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
    def test_returns_the_lines_attributes_as_strings(self, client: TestClient, flavour_name: str) -> None:
        # priority_weight 2: also_run_this itself plus run_this_last downstream.
        assert answer(client.get(instance_url(path_date(RUN_DATE)))) == (
            200, JSON, task_instance(flavour_name, "also_run_this", "BashOperator", 2),
        )

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        assert client.get(instance_url(path_date(RUN_DATE), "run_this_last")).text == by_flavour(
            flavour_name,
            v1_10=(
                '{"dag_id":"example_bash_operator","duration":"None","end_date":"None",'
                '"execution_date":"2030-01-02 03:04:05+00:00","executor_config":"{}","hostname":"",'
                '"job_id":"None","max_tries":"0","operator":"DummyOperator","pid":"None","pool":"default_pool",'
                '"pool_slots":"1","priority_weight":"1","queue":"default","queued_dttm":"None","start_date":"None",'
                '"state":"None","task_id":"run_this_last","test_mode":"False","unixname":"%s"}\n' % getpass.getuser()
            ),
            v2=(
                '{"custom_operator_name": "None", "dag_id": "example_bash_operator", "dag_run": "<DagRun '
                "example_bash_operator @ 2030-01-02 03:04:05+00:00: r1, state:queued, queued_at: "
                '2030-01-01 10:20:30.123456+00:00. externally triggered: True>", "duration": "None", '
                '"end_date": "None", "executor": "None", "executor_config": "{}", "external_executor_id": "None", '
                '"hostname": "", "job_id": "None", "map_index": "-1", "max_tries": "0", "next_kwargs": "None", '
                '"next_method": "None", "operator": "EmptyOperator", "pid": "None", "pool": "default_pool", '
                '"pool_slots": "1", "priority_weight": "1", "queue": "default", "queued_by_job_id": "None", '
                '"queued_dttm": "None", "rendered_map_index": "None", "rendered_task_instance_fields": "None", '
                '"run_id": "r1", "start_date": "None", "state": "None", "task_id": "run_this_last", '
                '"test_mode": "False", "trigger_id": "None", "trigger_timeout": "None", "try_number": "0", '
                f'"unixname": "{getpass.getuser()}", "updated_at": "2030-01-01 10:20:30.123456+00:00"}}'
            ),
        )

    @pytest.mark.parametrize(
        ("task_id", "operator", "weight"),
        [("runme_0", "BashOperator", 3), ("run_after_loop", "BashOperator", 2), ("run_this_last", None, 1)],
    )
    def test_priority_weight_sums_the_downstream_tasks(
        self, client: TestClient, task_id: str, operator: str | None, weight: int, flavour_name: str
    ) -> None:
        # 1.10's example ends in a DummyOperator, 2.11.2's in an EmptyOperator.
        operator = operator or by_flavour(flavour_name, v1_10="DummyOperator", v2="EmptyOperator")
        assert answer(client.get(instance_url(path_date(RUN_DATE), task_id))) == (
            200, JSON, task_instance(flavour_name, task_id, operator, weight),
        )

    def test_the_run_shows_its_state_now(self, client: TestClient, database: Database, flavour_name: str) -> None:
        # Airflow 2 prints the run as it is when asked; 1.10 shows no run at all.
        with database.transaction() as session:
            session.execute(update(DagRun).values(state="running"))
        body = client.get(instance_url(path_date(RUN_DATE))).json()
        assert body.get("dag_run") == by_flavour(
            flavour_name,
            v1_10=None,
            v2=(
                "<DagRun example_bash_operator @ 2030-01-02 03:04:05+00:00: r1, state:running, "
                f"queued_at: {NOW_STR}. externally triggered: True>"
            ),
        )

    def test_updated_at_follows_every_write_of_the_row(
        self, client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch, flavour_name: str
    ) -> None:
        later = datetime(2030, 1, 1, 11, 0, 0, 5, tzinfo=UTC)
        monkeypatch.setattr(expapi.dates, "utcnow", lambda: later)
        with database.transaction() as session:
            session.get(TaskInstance, (DAG, "also_run_this", datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))).state = "scheduled"
        body = client.get(instance_url(path_date(RUN_DATE))).json()
        assert (body["state"], body.get("updated_at")) == by_flavour(
            flavour_name, v1_10=("scheduled", None), v2=("scheduled", "2030-01-01 11:00:00.000005+00:00")
        )

    @pytest.mark.parametrize(
        "date",
        ["2030-01-02T03:04:05%2B00:00", "2030-01-02T05:04:05%2B02:00", "2030-01-02T03:04:05", "2030-01-02T03:04:05Z"],
    )
    def test_any_form_of_the_instant_finds_the_instance(self, client: TestClient, date: str, flavour_name: str) -> None:
        # The body shows the stored date, in UTC, whatever form the path used.
        expected = task_instance(flavour_name, "also_run_this", "BashOperator", 2)
        assert answer(client.get(instance_url(date))) == (200, JSON, expected)

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

    def test_a_date_without_a_run_is_404(self, client: TestClient, flavour_name: str) -> None:
        date = datetime(1990, 1, 1, 1, 1, 1, tzinfo=UTC).isoformat()
        shown = by_flavour(flavour_name, v1_10="1990-01-01T01:01:01+00:00", v2="1990-01-01 01:01:01+00:00")
        assert answer(client.get(instance_url(quote_plus(date)))) == (
            404, JSON, {"error": f"Dag Run for date {shown} not found in dag example_bash_operator"},
        )

    @pytest.mark.parametrize("dag_id", [DAG, "nope"])
    def test_an_unreadable_date_is_400(self, client: TestClient, dag_id: str) -> None:
        # The date is read first, so even an unknown DAG gives the date error.
        assert answer(client.get(instance_url("not_a_datetime", dag_id=dag_id))) == (
            400, JSON, {"error": bad_date("not_a_datetime")},
        )

    def test_a_run_without_that_instance_is_404(self, client: TestClient, database: Database, flavour_name: str) -> None:
        with database.transaction() as session:
            session.execute(delete(TaskInstance).where(TaskInstance.task_id == "also_run_this"))
        shown = by_flavour(flavour_name, v1_10="2030-01-02T05:04:05+02:00", v2="2030-01-02 05:04:05+02:00")
        assert answer(client.get(instance_url(path_date("2030-01-02T05:04:05+02:00")))) == (
            404, JSON, {"error": f"Task also_run_this instance for date {shown} not found"},
        )


class TestGetTaskInstanceOfOtherRuns:
    def test_airflows_task_instance_info_check(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]], flavour_name: str
    ) -> None:
        # Airflow's test_task_instance_info: a run "now", its date sent with quote_plus.
        execution_date = NOW.replace(microsecond=0)
        trigger(run_id="test_task_instance_info_run", execution_date=execution_date.isoformat())
        response = client.get(instance_url(quote_plus(execution_date.isoformat())))
        assert answer(response) == (
            200,
            JSON,
            task_instance(
                flavour_name, "also_run_this", "BashOperator", 2,
                run_id="test_task_instance_info_run", execution_date="2030-01-01 10:20:30+00:00",
            ),
        )

    def test_retries_come_from_default_args_and_the_task(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]], flavour_name: str
    ) -> None:
        trigger("tutorial", execution_date=RUN_DATE)
        run = {"dag_id": "tutorial", "run_id": f"manual__{RUN_DATE}"}
        assert answer(client.get(instance_url(path_date(RUN_DATE), "print_date", "tutorial"))) == (
            200, JSON, task_instance(flavour_name, "print_date", "BashOperator", 3, max_tries="1", **run),
        )
        assert answer(client.get(instance_url(path_date(RUN_DATE), "sleep", "tutorial"))) == (
            200, JSON, task_instance(flavour_name, "sleep", "BashOperator", 1, max_tries="3", **run),
        )

    def test_a_run_dated_before_the_tasks_start_has_no_instances(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]], flavour_name: str
    ) -> None:
        # latest_only's start_date is on the DAG, not in default_args: the trigger is allowed,
        # but its tasks start later, so the run has no instance of them.
        trigger("latest_only", execution_date="2015-01-01T00:00:00+00:00")
        shown = by_flavour(flavour_name, v1_10="2015-01-01T00:00:00+00:00", v2="2015-01-01 00:00:00+00:00")
        assert answer(client.get(instance_url(path_date("2015-01-01T00:00:00+00:00"), "task1", "latest_only"))) == (
            404, JSON, {"error": f"Task task1 instance for date {shown} not found"},
        )
