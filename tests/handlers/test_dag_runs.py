"""DAG runs: trigger one, list them, read one's state, and the latest run of every DAG."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete
from starlette.testclient import TestClient

from expapi.db import Database
from expapi.models import DagRun, SerializedDag, TaskInstance
from handler_support import JSON, NOW, UTC, answer, bad_date
from http_helpers import API, path_date

DAG = "example_bash_operator"
RUNS = f"{API}/dags/{DAG}/dag_runs"
RUN_DATE = "2030-01-02T03:04:05+00:00"
RUN_DATETIME = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
CONF_NOT_A_DICT = {"error": "Dag Run conf must be a dictionary object, other types are not supported"}
EXAMPLE_BASH_TASKS = ["also_run_this", "run_after_loop", "run_this_last", "runme_0", "runme_1", "runme_2"]


def created(execution_date: str, run_id: str, message_date: str | None = None, dag_id: str = DAG) -> dict[str, str]:
    """A trigger's answer; message_date is how the message writes the date (the 'T' form by default)."""
    return {
        "execution_date": execution_date,
        "message": f"Created <DagRun {dag_id} @ {message_date or execution_date}: {run_id}, externally triggered: True>",
        "run_id": run_id,
    }


def graph_url(dag_id: str, quoted_date: str) -> str:
    return f"/admin/airflow/graph?dag_id={dag_id}&execution_date={quoted_date}"


class TestTriggerDagRun:
    # --- the body and its conf ---

    def test_the_documented_curl_body_works(self, client: TestClient, stored_runs: Callable[..., list[DagRun]]) -> None:
        # Airflow 1.10's documentation: curl -X POST ... -d '{"conf":"{\"key\":\"value\"}"}'
        response = client.post(
            RUNS,
            content=b'{"conf":"{\\"key\\":\\"value\\"}"}',
            headers={"Cache-Control": "no-cache", "Content-Type": "application/json"},
        )
        assert answer(response) == (
            200,
            JSON,
            created("2030-01-01T10:20:30+00:00", "manual__2030-01-01T10:20:30+00:00", "2030-01-01 10:20:30+00:00"),
        )
        assert [run.conf for run in stored_runs()] == [{"key": "value"}]

    def test_writes_json_as_flask_1_1_did(self, client: TestClient) -> None:
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        assert response.text == (
            '{"execution_date":"2030-01-02T03:04:05+00:00",'
            '"message":"Created <DagRun example_bash_operator @ 2030-01-02T03:04:05+00:00: r1, externally triggered: True>",'
            '"run_id":"r1"}\n'
        )

    def test_a_conf_object_is_stored(self, client: TestClient, stored_runs: Callable[..., list[DagRun]]) -> None:
        conf = {"target": "staging", "full_refresh": True, "nested": {"list": [1, 2]}}
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE, "conf": conf})
        assert answer(response) == (200, JSON, created(RUN_DATE, "r1"))
        assert [run.conf for run in stored_runs()] == [conf]

    @pytest.mark.parametrize("body", [{}, {"conf": None}, {"conf": ""}, {"conf": {}}, {"conf": "{}"}])
    def test_an_empty_conf_is_stored_as_none(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], body: dict[str, Any]
    ) -> None:
        response = client.post(RUNS, json={"execution_date": RUN_DATE, **body})
        assert response.status_code == 200, response.text
        assert [run.conf for run in stored_runs()] == [None]

    @pytest.mark.parametrize(
        "conf",
        [[1], [], 5, 0, 1.5, True, False, "not json", "[1]", '"a string"', "5", "null"],
        ids=repr,
    )
    def test_a_conf_that_is_not_an_object_is_400(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], conf: Any
    ) -> None:
        response = client.post(RUNS, json={"execution_date": RUN_DATE, "conf": conf})
        assert answer(response) == (400, JSON, CONF_NOT_A_DICT)
        assert stored_runs() == []

    def test_the_conf_is_checked_before_the_date_and_the_dag(self, client: TestClient) -> None:
        response = client.post(f"{API}/dags/nope/dag_runs", json={"execution_date": "not_a_datetime", "conf": [1]})
        assert answer(response) == (400, JSON, CONF_NOT_A_DICT)

    @pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded", "text/plain"])
    def test_the_body_is_read_as_json_whatever_its_content_type(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], content_type: str | None
    ) -> None:
        headers = {"content-type": content_type} if content_type else {}
        response = client.post(
            RUNS, content=b'{"run_id": "r1", "execution_date": "2030-01-02T03:04:05+00:00", "conf": {"k": "v"}}',
            headers=headers,
        )
        assert answer(response) == (200, JSON, created(RUN_DATE, "r1"))
        assert [(run.run_id, run.conf) for run in stored_runs()] == [("r1", {"k": "v"})]

    @pytest.mark.parametrize(
        ("content", "error"),
        [
            (b"", "The request body is empty; send a JSON object"),
            (b"  \n", "The request body is empty; send a JSON object"),
            (
                b"{bad",
                "The request body is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            ),
            (b"\xff\xfe{}", "The request body is not valid UTF-8"),
            (b"[]", "[] is not of type 'object'"),
            (b'"x"', "'x' is not of type 'object'"),
            (b'"run_id"', "'run_id' is not of type 'object'"),
            (b"5", "5 is not of type 'object'"),
        ],
    )
    def test_a_body_that_is_not_a_json_object_is_400(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], content: bytes, error: str
    ) -> None:
        assert answer(client.post(RUNS, content=content)) == (400, JSON, {"error": error})
        assert stored_runs() == []

    def test_a_null_body_is_400(self, client: TestClient) -> None:
        status, content_type, body = answer(client.post(RUNS, content=b"null"))
        assert (status, content_type, list(body)) == (400, JSON, ["error"])

    def test_unknown_keys_are_ignored(self, client: TestClient) -> None:
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE, "foo": 1, "state": "success"})
        assert answer(response) == (200, JSON, created(RUN_DATE, "r1"))

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"run_id": 5.5}, "run_id"),
            ({"run_id": True}, "run_id"),
            ({"run_id": ["r1"]}, "run_id"),
            ({"replace_microseconds": 5}, "replace_microseconds"),
            ({"replace_microseconds": [True]}, "replace_microseconds"),
            ({"execution_date": RUN_DATE, "replace_microseconds": None}, "replace_microseconds"),
        ],
    )
    def test_a_mistyped_field_is_400_naming_it(self, client: TestClient, body: dict[str, Any], field: str) -> None:
        status, content_type, error = answer(client.post(RUNS, json=body))
        assert (status, content_type, list(error)) == (400, JSON, ["error"])
        assert error["error"].endswith(f"(at {field})")

    def test_a_numeric_run_id_is_stored_and_echoed_as_its_string(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        # Airflow 1.10 took any JSON value and its string column kept 42 as "42".
        assert answer(client.post(RUNS, json={"run_id": 42, "execution_date": RUN_DATE})) == (200, JSON, created(RUN_DATE, "42"))
        assert [run.run_id for run in stored_runs()] == ["42"]
        assert client.get(RUNS).json()[0]["run_id"] == "42"

    # --- run_id and execution_date ---

    def test_without_a_date_the_run_is_dated_now_to_the_second(self, client: TestClient) -> None:
        # The server's "now" is written with a space in the message, as 1.10 did.
        assert answer(client.post(RUNS, json={})) == (
            200,
            JSON,
            created("2030-01-01T10:20:30+00:00", "manual__2030-01-01T10:20:30+00:00", "2030-01-01 10:20:30+00:00"),
        )

    @pytest.mark.parametrize("body", [{"execution_date": None}, {"execution_date": None, "run_id": None}, {"run_id": ""}])
    def test_null_or_empty_fields_mean_not_given(self, client: TestClient, body: dict[str, Any]) -> None:
        assert answer(client.post(RUNS, json=body)) == (
            200,
            JSON,
            created("2030-01-01T10:20:30+00:00", "manual__2030-01-01T10:20:30+00:00", "2030-01-01 10:20:30+00:00"),
        )

    @pytest.mark.parametrize("flag", ["false", "False", "no", "0", "", "anything", False])
    def test_without_a_date_microseconds_can_be_kept(self, client: TestClient, flag: Any) -> None:
        assert answer(client.post(RUNS, json={"replace_microseconds": flag})) == (
            200,
            JSON,
            created(
                "2030-01-01T10:20:30.123456+00:00",
                "manual__2030-01-01T10:20:30.123456+00:00",
                "2030-01-01 10:20:30.123456+00:00",
            ),
        )

    def test_a_generated_run_id_names_the_date(self, client: TestClient) -> None:
        assert answer(client.post(RUNS, json={"execution_date": RUN_DATE})) == (
            200, JSON, created(RUN_DATE, "manual__2030-01-02T03:04:05+00:00"),
        )

    def test_a_given_date_keeps_its_microseconds(self, client: TestClient) -> None:
        date = "2030-01-02T03:04:05.123456+00:00"
        assert answer(client.post(RUNS, json={"execution_date": date})) == (
            200, JSON, created(date, f"manual__{date}"),
        )

    @pytest.mark.parametrize("flag", ["true", "TRUE", "t", "y", "Yes", "1", True])
    def test_replace_microseconds_strips_them_from_a_given_date(self, client: TestClient, flag: Any) -> None:
        response = client.post(RUNS, json={"execution_date": "2030-01-02T03:04:05.123456+00:00", "replace_microseconds": flag})
        assert answer(response) == (200, JSON, created(RUN_DATE, "manual__2030-01-02T03:04:05+00:00"))

    @pytest.mark.parametrize("flag", ["false", "no", False])
    def test_replace_microseconds_false_keeps_them(self, client: TestClient, flag: Any) -> None:
        date = "2030-01-02T03:04:05.123456+00:00"
        response = client.post(RUNS, json={"execution_date": date, "replace_microseconds": flag})
        assert answer(response) == (200, JSON, created(date, f"manual__{date}"))

    def test_the_answer_keeps_the_callers_offset(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        date = "2030-01-07T03:04:05+02:00"
        assert answer(client.post(RUNS, json={"execution_date": date})) == (
            200, JSON, created(date, "manual__2030-01-07T03:04:05+02:00"),
        )
        assert [run.execution_date for run in stored_runs()] == [datetime(2030, 1, 7, 1, 4, 5, tzinfo=UTC)]
        assert client.get(RUNS).json()[0]["execution_date"] == "2030-01-07T01:04:05+00:00"

    @pytest.mark.parametrize(
        ("date", "answered"),
        [
            ("2030-01-02T03:04:05Z", "2030-01-02T03:04:05+00:00"),
            ("2030-01-02T03:04:05", "2030-01-02T03:04:05+00:00"),
            ("2030-01-02 03:04:05", "2030-01-02T03:04:05+00:00"),
            ("2030-01-02", "2030-01-02T00:00:00+00:00"),
        ],
    )
    def test_other_date_forms_are_read(self, client: TestClient, date: str, answered: str) -> None:
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": date})
        assert answer(response) == (200, JSON, created(answered, "r1"))

    @pytest.mark.parametrize(("value", "shown"), [(12, "12"), (True, "True"), ({}, "{}"), ([], "[]")])
    def test_a_date_that_is_not_a_string_is_400(self, client: TestClient, value: Any, shown: str) -> None:
        response = client.post(RUNS, json={"execution_date": value})
        assert answer(response) == (400, JSON, {"error": bad_date(shown)})

    @pytest.mark.parametrize("value", ["not_a_datetime", "", "2030-13-01", "2030-01-02T25:00:00+00:00"])
    def test_an_unreadable_date_is_400(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], value: str
    ) -> None:
        response = client.post(RUNS, json={"execution_date": value})
        assert answer(response) == (400, JSON, {"error": bad_date(value)})
        assert stored_runs() == []

    def test_the_date_is_checked_before_the_dag(self, client: TestClient) -> None:
        response = client.post(f"{API}/dags/nope/dag_runs", json={"execution_date": "not_a_datetime"})
        assert answer(response) == (400, JSON, {"error": bad_date("not_a_datetime")})

    # --- the DAG's start date ---

    def test_a_date_before_default_args_start_date_is_400(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        # example_bash_operator: default_args start_date = days_ago(2) = 2029-12-30 at the frozen now.
        response = client.post(RUNS, json={"execution_date": "2029-12-29T23:59:59+00:00"})
        assert answer(response) == (
            400,
            JSON,
            {
                "error": "The execution_date [2029-12-29T23:59:59+00:00] should be >= "
                "start_date [2029-12-30T00:00:00+00:00] from DAG's default_args"
            },
        )
        assert stored_runs() == []

    def test_the_start_date_itself_is_accepted(self, client: TestClient) -> None:
        date = "2029-12-30T00:00:00+00:00"
        assert answer(client.post(RUNS, json={"execution_date": date})) == (200, JSON, created(date, f"manual__{date}"))

    def test_a_dag_level_start_date_does_not_guard_triggers(
        self, client: TestClient, stored_task_instances: Callable[..., list[TaskInstance]]
    ) -> None:
        # latest_only sets start_date on the DAG, not in default_args, as in Airflow.
        date = "2015-01-01T00:00:00+00:00"
        response = client.post(f"{API}/dags/latest_only/dag_runs", json={"execution_date": date})
        assert answer(response) == (200, JSON, created(date, f"manual__{date}", dag_id="latest_only"))
        # Its tasks have not started by then, so the run has no task instances.
        assert stored_task_instances("latest_only") == []

    # --- duplicates ---

    def test_a_taken_run_id_is_400(self, client: TestClient, trigger: Callable[..., dict[str, Any]]) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": "2030-01-03T03:04:05+00:00"})
        assert answer(response) == (400, JSON, {"error": "Run id r1 already exists for dag id example_bash_operator"})

    def test_a_taken_execution_date_is_400(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]], stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        response = client.post(RUNS, json={"run_id": "r2", "execution_date": RUN_DATE})
        assert answer(response) == (
            400,
            JSON,
            {"error": "A Dag Run already exists for dag id example_bash_operator at 2030-01-02T03:04:05+00:00 with run id r2"},
        )
        assert [run.run_id for run in stored_runs()] == ["r1"]

    def test_the_same_instant_in_another_offset_is_taken_too(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]]
    ) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        response = client.post(RUNS, json={"run_id": "r2", "execution_date": "2030-01-02T05:04:05+02:00"})
        assert answer(response) == (
            400,
            JSON,
            {"error": "A Dag Run already exists for dag id example_bash_operator at 2030-01-02T05:04:05+02:00 with run id r2"},
        )

    def test_two_triggers_in_the_same_second_collide(self, client: TestClient) -> None:
        # The documented limit of the defaults: one run per second without run_id and date.
        client.post(RUNS, json={})
        assert answer(client.post(RUNS, json={})) == (
            400, JSON, {"error": "Run id manual__2030-01-01T10:20:30+00:00 already exists for dag id example_bash_operator"},
        )

    def test_the_same_run_id_in_another_dag_is_fine(self, client: TestClient, trigger: Callable[..., dict[str, Any]]) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        response = client.post(f"{API}/dags/tutorial/dag_runs", json={"run_id": "r1", "execution_date": RUN_DATE})
        assert answer(response) == (200, JSON, created(RUN_DATE, "r1", dag_id="tutorial"))

    # --- the run it creates ---

    def test_creates_a_running_externally_triggered_run(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        [run] = stored_runs()
        stored = (run.dag_id, run.run_id, run.execution_date, run.state, run.external_trigger, run.start_date, run.conf)
        assert stored == (DAG, "r1", RUN_DATETIME, "running", True, NOW, None)
        assert run.end_date is None

    def test_creates_one_task_instance_per_task_with_no_state(
        self, client: TestClient, stored_task_instances: Callable[..., list[TaskInstance]]
    ) -> None:
        client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        instances = stored_task_instances()
        assert [(ti.task_id, ti.run_id, ti.execution_date, ti.state) for ti in instances] == [
            (task_id, "r1", RUN_DATETIME, None) for task_id in EXAMPLE_BASH_TASKS
        ]

    def test_a_paused_dag_is_triggered_and_stays_paused(self, client: TestClient) -> None:
        client.get(f"{API}/dags/{DAG}/paused/true")
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        assert answer(response) == (200, JSON, created(RUN_DATE, "r1"))
        assert client.get(f"{API}/dags/{DAG}/paused").json() == {"is_paused": True}

    def test_a_run_id_of_250_characters_is_accepted(self, client: TestClient) -> None:
        run_id = "r" * 250
        assert answer(client.post(RUNS, json={"run_id": run_id, "execution_date": RUN_DATE})) == (
            200, JSON, created(RUN_DATE, run_id),
        )

    def test_a_run_id_over_250_characters_is_400(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        status, content_type, error = answer(client.post(RUNS, json={"run_id": "r" * 251, "execution_date": RUN_DATE}))
        assert (status, content_type, list(error)) == (400, JSON, ["error"])
        assert error["error"].endswith("(at run_id)")
        assert stored_runs() == []

    def test_a_failed_trigger_leaves_nothing_behind(
        self,
        client: TestClient,
        trigger: Callable[..., dict[str, Any]],
        stored_runs: Callable[..., list[DagRun]],
        stored_task_instances: Callable[..., list[TaskInstance]],
    ) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        client.post(RUNS, json={"run_id": "r2", "execution_date": RUN_DATE})
        client.post(RUNS, json={"run_id": "r1", "execution_date": "2030-01-03T03:04:05+00:00"})
        client.post(RUNS, json={"run_id": "r3", "execution_date": "2000-01-01T00:00:00+00:00"})
        assert [run.run_id for run in stored_runs()] == ["r1"]
        assert {ti.run_id for ti in stored_task_instances()} == {"r1"}

    # --- unknown DAGs ---

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        response = client.post(f"{API}/dags/nope/dag_runs", json={})
        assert answer(response) == (404, JSON, {"error": "Dag id nope not found in DagModel"})

    def test_a_dag_without_its_definition_is_404(self, client: TestClient, database: Database) -> None:
        with database.transaction() as session:
            session.execute(delete(SerializedDag).where(SerializedDag.dag_id == DAG))
        assert answer(client.post(RUNS, json={})) == (404, JSON, {"error": f"Dag id {DAG} not found"})

    # --- Airflow's own acceptance checks ---

    def test_airflows_trigger_dag_check(self, client: TestClient, stored_runs: Callable[..., list[DagRun]]) -> None:
        run_id = "my_run" + NOW.isoformat()
        response = client.post(RUNS, json={"run_id": run_id})
        assert response.status_code == 200
        execution_date = datetime.fromisoformat(response.json()["execution_date"])
        assert execution_date.microsecond == 0
        assert response.json()["run_id"] == run_id
        assert [(run.run_id, run.execution_date) for run in stored_runs()] == [(run_id, execution_date)]
        assert client.post(f"{API}/dags/does_not_exist_dag/dag_runs", json={}).status_code == 404

    def test_airflows_trigger_dag_for_date_check(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        execution_date = NOW + timedelta(hours=1)
        sent = execution_date.isoformat()
        response = client.post(RUNS, json={"execution_date": sent})
        assert response.status_code == 200
        assert response.json()["execution_date"] == sent
        response = client.post(RUNS, json={"execution_date": sent, "replace_microseconds": "true"})
        assert response.status_code == 200
        stripped = datetime.fromisoformat(response.json()["execution_date"])
        assert stripped.microsecond == 0
        assert [run.execution_date for run in stored_runs()] == [execution_date, stripped]
        assert client.post(f"{API}/dags/does_not_exist_dag/dag_runs", json={"execution_date": sent}).status_code == 404
        assert client.post(RUNS, json={"execution_date": "not_a_datetime"}).status_code == 400

    def test_on_the_real_clock_the_run_is_dated_now(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch, stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        monkeypatch.undo()  # unfreeze the clock for this test
        before = datetime.now(UTC).replace(microsecond=0)
        body = client.post(RUNS, json={}).json()
        after = datetime.now(UTC)
        execution_date = datetime.fromisoformat(body["execution_date"])
        assert before <= execution_date <= after
        assert execution_date.utcoffset() == timedelta(0)
        assert body == created(body["execution_date"], f"manual__{body['execution_date']}", str(execution_date))
        [run] = stored_runs()
        assert before <= run.start_date <= after


class TestListDagRuns:
    def test_lists_a_triggered_run(self, client: TestClient) -> None:
        client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        assert answer(client.get(RUNS)) == (
            200,
            JSON,
            [
                {
                    "dag_id": DAG,
                    "dag_run_url": graph_url(DAG, "2030-01-02+03%3A04%3A05%2B00%3A00"),
                    "execution_date": RUN_DATE,
                    "id": 1,
                    "run_id": "r1",
                    "start_date": "2030-01-01T10:20:30.123456+00:00",
                    "state": "running",
                }
            ],
        )

    def test_writes_json_as_flask_1_1_did(self, client: TestClient, add_run: Callable[..., int]) -> None:
        add_run(RUN_DATETIME, run_id="r1")
        assert client.get(RUNS).text == (
            '[{"dag_id":"example_bash_operator",'
            '"dag_run_url":"/admin/airflow/graph?dag_id=example_bash_operator&execution_date=2030-01-02+03%3A04%3A05%2B00%3A00",'
            '"execution_date":"2030-01-02T03:04:05+00:00","id":1,"run_id":"r1","start_date":"","state":"running"}]\n'
        )

    def test_lists_runs_by_ascending_execution_date(self, client: TestClient, add_run: Callable[..., int]) -> None:
        second = add_run(datetime(2030, 1, 3, tzinfo=UTC), run_id="b", state="success", start_date=NOW)
        first = add_run(datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=UTC), run_id="a", state="failed")
        third = add_run(datetime(2030, 1, 4, tzinfo=UTC), run_id="c", state=None)
        add_run(datetime(2030, 1, 1, tzinfo=UTC), dag_id="tutorial", run_id="other dag")
        assert answer(client.get(RUNS)) == (
            200,
            JSON,
            [
                {
                    "dag_id": DAG,
                    "dag_run_url": graph_url(DAG, "2030-01-02+03%3A04%3A05.000006%2B00%3A00"),
                    "execution_date": "2030-01-02T03:04:05.000006+00:00",
                    "id": first,
                    "run_id": "a",
                    "start_date": "",
                    "state": "failed",
                },
                {
                    "dag_id": DAG,
                    "dag_run_url": graph_url(DAG, "2030-01-03+00%3A00%3A00%2B00%3A00"),
                    "execution_date": "2030-01-03T00:00:00+00:00",
                    "id": second,
                    "run_id": "b",
                    "start_date": "2030-01-01T10:20:30.123456+00:00",
                    "state": "success",
                },
                {
                    "dag_id": DAG,
                    "dag_run_url": graph_url(DAG, "2030-01-04+00%3A00%3A00%2B00%3A00"),
                    "execution_date": "2030-01-04T00:00:00+00:00",
                    "id": third,
                    "run_id": "c",
                    "start_date": "",
                    "state": None,
                },
            ],
        )

    @pytest.mark.parametrize(("state", "run_ids"), [("running", ["r"]), ("RUNNING", ["r"]), ("Success", ["s"]), ("failed", [])])
    def test_filters_by_state_regardless_of_case(
        self, client: TestClient, add_run: Callable[..., int], state: str, run_ids: list[str]
    ) -> None:
        add_run(datetime(2030, 1, 2, tzinfo=UTC), run_id="r", state="running")
        add_run(datetime(2030, 1, 3, tzinfo=UTC), run_id="s", state="success")
        response = client.get(RUNS, params={"state": state})
        assert response.status_code == 200
        assert [run["run_id"] for run in response.json()] == run_ids

    def test_an_empty_state_means_no_filter(self, client: TestClient, add_run: Callable[..., int]) -> None:
        add_run(datetime(2030, 1, 2, tzinfo=UTC), run_id="r", state="running")
        add_run(datetime(2030, 1, 3, tzinfo=UTC), run_id="s", state="success")
        assert [run["run_id"] for run in client.get(f"{RUNS}?state=").json()] == ["r", "s"]

    def test_an_unknown_state_matches_nothing(self, client: TestClient, add_run: Callable[..., int]) -> None:
        add_run(RUN_DATETIME)
        assert answer(client.get(RUNS, params={"state": "dummy"})) == (200, JSON, [])

    def test_a_dag_without_runs_has_an_empty_list(self, client: TestClient) -> None:
        assert answer(client.get(RUNS)) == (200, JSON, [])

    def test_an_unknown_dag_is_400(self, client: TestClient) -> None:
        # Airflow's quirk, kept: every error of this endpoint is a 400.
        assert answer(client.get(f"{API}/dags/DUMMY_DAG/dag_runs")) == (
            400, JSON, {"error": "Dag id DUMMY_DAG not found in DagModel"},
        )

    def test_airflows_dag_runs_endpoint_checks(self, client: TestClient, trigger: Callable[..., dict[str, Any]]) -> None:
        # Airflow's test_dag_runs_endpoint: a run triggered "test_get_dag_runs_success".
        trigger(run_id="test_get_dag_runs_success")
        for query in ("", "?state=running", "?state=RUNNING"):
            body = client.get(RUNS + query).json()
            assert [(run["dag_id"], run["id"], run["run_id"]) for run in body] == [(DAG, 1, "test_get_dag_runs_success")]
        assert client.get(RUNS + "?state=dummy").json() == []


class TestGetDagRunState:
    @pytest.fixture(autouse=True)
    def run(self, trigger: Callable[..., dict[str, Any]]) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)

    def test_returns_the_state(self, client: TestClient) -> None:
        assert answer(client.get(f"{RUNS}/{path_date(RUN_DATE)}")) == (200, JSON, {"state": "running"})

    def test_writes_json_as_flask_1_1_did(self, client: TestClient) -> None:
        assert client.get(f"{RUNS}/{path_date(RUN_DATE)}").text == '{"state":"running"}\n'

    @pytest.mark.parametrize(
        "date",
        [
            "2030-01-02T03:04:05+00:00",
            "2030-01-02T03:04:05%2B00:00",
            "2030-01-02T03%3A04%3A05%2B00%3A00",
            "2030-01-02T05:04:05%2B02:00",
            "2030-01-01T22:04:05-05:00",
            "2030-01-02T03:04:05Z",
            "2030-01-02T03:04:05",
            "2030-01-02T03:04:05.000000%2B00:00",
            "2030-01-02%2003:04:05%2B00:00",
            "20300102T030405Z",
            # A '+' that arrived as a space is read back as '+'.
            "2030-01-02T03:04:05%2000:00",
        ],
    )
    def test_any_form_of_the_instant_finds_the_run(self, client: TestClient, date: str) -> None:
        assert answer(client.get(f"{RUNS}/{date}")) == (200, JSON, {"state": "running"})

    @pytest.mark.parametrize(
        ("date", "shown"),
        [
            ("2030-01-02T03:04:06+00:00", "2030-01-02T03:04:06+00:00"),
            ("2030-01-02T03:04:05.000001+00:00", "2030-01-02T03:04:05.000001+00:00"),
            ("2030-01-02T03:04:05+02:00", "2030-01-02T03:04:05+02:00"),
            ("2030-01-02", "2030-01-02T00:00:00+00:00"),
        ],
    )
    def test_another_instant_is_404(self, client: TestClient, date: str, shown: str) -> None:
        assert answer(client.get(f"{RUNS}/{path_date(date)}")) == (
            404, JSON, {"error": f"Dag Run for date {shown} not found in dag example_bash_operator"},
        )

    def test_shows_a_state_set_since(self, client: TestClient, database: Database) -> None:
        with database.transaction() as session:
            session.get(DagRun, 1).state = "success"
        assert answer(client.get(f"{RUNS}/{path_date(RUN_DATE)}")) == (200, JSON, {"state": "success"})

    def test_shows_a_null_state(self, client: TestClient, database: Database) -> None:
        with database.transaction() as session:
            session.get(DagRun, 1).state = None
        assert answer(client.get(f"{RUNS}/{path_date(RUN_DATE)}")) == (200, JSON, {"state": None})

    @pytest.mark.parametrize("dag_id", [DAG, "nope"])
    def test_an_unreadable_date_is_400(self, client: TestClient, dag_id: str) -> None:
        # The date is read first, so even an unknown DAG gives the date error.
        assert answer(client.get(f"{API}/dags/{dag_id}/dag_runs/not_a_datetime")) == (
            400, JSON, {"error": bad_date("not_a_datetime")},
        )

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/nope/dag_runs/{path_date(RUN_DATE)}")) == (
            404, JSON, {"error": "Dag id nope not found in DagModel"},
        )

    def test_airflows_dagrun_status_check(self, client: TestClient) -> None:
        wrong = datetime(1990, 1, 1, 1, 1, 1, tzinfo=UTC).isoformat()
        assert answer(client.get(f"{RUNS}/{path_date(wrong)}")) == (
            404, JSON, {"error": "Dag Run for date 1990-01-01T01:01:01+00:00 not found in dag example_bash_operator"},
        )


class TestGetLatestRuns:
    def test_without_runs_the_list_is_empty(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/latest_runs")) == (200, JSON, {"items": []})

    def test_returns_the_newest_run_of_each_dag(
        self, client: TestClient, add_run: Callable[..., int], trigger: Callable[..., dict[str, Any]]
    ) -> None:
        trigger(run_id="newest", execution_date="2030-01-05T00:00:00+00:00")
        add_run(datetime(2030, 1, 4, tzinfo=UTC), run_id="older", start_date=NOW)
        add_run(datetime(2030, 1, 9, tzinfo=UTC), dag_id="tutorial", state="success")
        add_run(datetime(2030, 1, 8, 12, tzinfo=UTC), dag_id="tutorial")
        status, content_type, body = answer(client.get(f"{API}/latest_runs"))
        # The order of the items is not defined.
        items = sorted(body["items"], key=lambda item: item["dag_id"])
        assert (status, content_type, list(body), items) == (
            200,
            JSON,
            ["items"],
            [
                {
                    "dag_id": DAG,
                    "dag_run_url": graph_url(DAG, "2030-01-05+00%3A00%3A00%2B00%3A00"),
                    "execution_date": "2030-01-05T00:00:00+00:00",
                    "start_date": "2030-01-01T10:20:30.123456+00:00",
                },
                {
                    "dag_id": "tutorial",
                    "dag_run_url": graph_url("tutorial", "2030-01-09+00%3A00%3A00%2B00%3A00"),
                    "execution_date": "2030-01-09T00:00:00+00:00",
                    "start_date": "",
                },
            ],
        )

    def test_writes_json_as_flask_1_1_did(self, client: TestClient, add_run: Callable[..., int]) -> None:
        add_run(RUN_DATETIME)
        assert client.get(f"{API}/latest_runs").text == (
            '{"items":[{"dag_id":"example_bash_operator",'
            '"dag_run_url":"/admin/airflow/graph?dag_id=example_bash_operator&execution_date=2030-01-02+03%3A04%3A05%2B00%3A00",'
            '"execution_date":"2030-01-02T03:04:05+00:00","start_date":""}]}\n'
        )
