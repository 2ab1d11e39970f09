"""DAG runs: trigger one, list them, read one's state, and the latest run of every DAG, in both flavours.

Where the lines differ, each test spells out both answers: a 2.x trigger makes a ``queued`` run
with no start date and says so in its message (with ``queued_at``); 2.x takes only an object as
``conf``; 2.x prints dates with a space, links runs to ``/dags/<id>/graph``, refuses an unknown
state filter, and its example_bash_operator has no default_args start date and a seventh task.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete
from starlette.testclient import TestClient

from expapi.db import Database
from expapi.models import DagRun, SerializedDag, TaskInstance
from handler_support import JSON, NOW, UTC, answer, bad_date, by_flavour
from http_helpers import API, path_date

DAG = "example_bash_operator"
RUNS = f"{API}/dags/{DAG}/dag_runs"
RUN_DATE = "2030-01-02T03:04:05+00:00"
RUN_DATETIME = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
CONF_NOT_A_DICT = {"error": "Dag Run conf must be a dictionary object, other types are not supported"}
EXAMPLE_BASH_TASKS = {
    "1.10": ["also_run_this", "run_after_loop", "run_this_last", "runme_0", "runme_1", "runme_2"],
    "2": ["also_run_this", "run_after_loop", "run_this_last", "runme_0", "runme_1", "runme_2", "this_will_skip"],
}
# A triggered run: 1.10 starts it at once; 2.x queues it for the scheduler, with no start date.
TRIGGERED = {"1.10": ("running", "2030-01-01T10:20:30.123456+00:00"), "2": ("queued", "")}
NOW_STR = "2030-01-01 10:20:30.123456+00:00"


@pytest.fixture
def created(flavour_name: str) -> Callable[..., dict[str, str]]:
    """A trigger's answer in the flavour.

    ``message_date`` is how 1.10's message writes the date (the 'T' form the client sent by
    default, str() for a date the server made); 2.x writes str() of the date it read, always.
    """

    def created(execution_date: str, run_id: str, message_date: str | None = None, dag_id: str = DAG) -> dict[str, str]:
        message = by_flavour(
            flavour_name,
            v1_10=f"Created <DagRun {dag_id} @ {message_date or execution_date}: {run_id}, externally triggered: True>",
            v2=(
                f"Created <DagRun {dag_id} @ {datetime.fromisoformat(execution_date)}: {run_id}, state:queued, "
                f"queued_at: {NOW_STR}. externally triggered: True>"
            ),
        )
        return {"execution_date": execution_date, "message": message, "run_id": run_id}

    return created


def graph_url(flavour_name: str, dag_id: str, date: str) -> str:
    """dag_run_url of the run at ``date`` (str() form): 1.10's classic UI, urlencoded; 2.3+'s graph, ':' kept."""
    return by_flavour(
        flavour_name,
        v1_10=f"/admin/airflow/graph?dag_id={dag_id}&execution_date="
        + date.replace("+", "%2B").replace(":", "%3A").replace(" ", "+"),
        v2=f"/dags/{dag_id}/graph?execution_date=" + date.replace("+", "%2B").replace(" ", "+"),
    )


class TestTriggerDagRun:
    # --- the body and its conf ---

    def test_the_documented_curl_body_works(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], created: Callable[..., dict[str, str]], flavour_name: str
    ) -> None:
        # Airflow 1.10's documentation: curl -X POST ... -d '{"conf":"{\"key\":\"value\"}"}'
        response = client.post(
            RUNS,
            content=b'{"conf":"{\\"key\\":\\"value\\"}"}',
            headers={"Cache-Control": "no-cache", "Content-Type": "application/json"},
        )
        # Airflow 2.1.1+ takes only an object: the documented string is refused there.
        assert answer(response) == by_flavour(
            flavour_name,
            v1_10=(
                200,
                JSON,
                created("2030-01-01T10:20:30+00:00", "manual__2030-01-01T10:20:30+00:00", "2030-01-01 10:20:30+00:00"),
            ),
            v2=(400, JSON, CONF_NOT_A_DICT),
        )
        assert [run.conf for run in stored_runs()] == by_flavour(flavour_name, v1_10=[{"key": "value"}], v2=[])

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        assert response.text == by_flavour(
            flavour_name,
            v1_10=(
                '{"execution_date":"2030-01-02T03:04:05+00:00",'
                '"message":"Created <DagRun example_bash_operator @ 2030-01-02T03:04:05+00:00: r1, externally triggered: True>",'
                '"run_id":"r1"}\n'
            ),
            v2=(
                '{"execution_date": "2030-01-02T03:04:05+00:00", '
                '"message": "Created <DagRun example_bash_operator @ 2030-01-02 03:04:05+00:00: r1, state:queued, '
                'queued_at: 2030-01-01 10:20:30.123456+00:00. externally triggered: True>", "run_id": "r1"}'
            ),
        )

    def test_a_conf_object_is_stored(self, client: TestClient, created: Callable[..., dict[str, str]], stored_runs: Callable[..., list[DagRun]]) -> None:
        conf = {"target": "staging", "full_refresh": True, "nested": {"list": [1, 2]}}
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE, "conf": conf})
        assert answer(response) == (200, JSON, created(RUN_DATE, "r1"))
        assert [run.conf for run in stored_runs()] == [conf]

    @pytest.mark.parametrize(
        ("body", "in_2"),
        [({}, {}), ({"conf": None}, 400), ({"conf": ""}, 400), ({"conf": {}}, {}), ({"conf": "{}"}, 400)],
        ids=["no conf", "null", "empty string", "empty object", "empty object as a string"],
    )
    def test_an_empty_conf(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], body: dict[str, Any], in_2: Any, flavour_name: str
    ) -> None:
        # 1.10 stores no conf for every empty one; 2.1.1+ stores {} and refuses a present conf that is not an object.
        response = client.post(RUNS, json={"execution_date": RUN_DATE, **body})
        stored = [run.conf for run in stored_runs()]
        if flavour_name == "2" and in_2 == 400:
            assert (answer(response), stored) == ((400, JSON, CONF_NOT_A_DICT), [])
        else:
            assert (response.status_code, stored) == (200, by_flavour(flavour_name, v1_10=[None], v2=[in_2]))

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
        self, client: TestClient, created: Callable[..., dict[str, str]], stored_runs: Callable[..., list[DagRun]], content_type: str | None
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

    def test_unknown_keys_are_ignored(self, client: TestClient, created: Callable[..., dict[str, str]]) -> None:
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
        self, client: TestClient, created: Callable[..., dict[str, str]], stored_runs: Callable[..., list[DagRun]]
    ) -> None:
        # Airflow 1.10 took any JSON value and its string column kept 42 as "42".
        assert answer(client.post(RUNS, json={"run_id": 42, "execution_date": RUN_DATE})) == (200, JSON, created(RUN_DATE, "42"))
        assert [run.run_id for run in stored_runs()] == ["42"]
        assert client.get(RUNS).json()[0]["run_id"] == "42"

    # --- run_id and execution_date ---

    def test_without_a_date_the_run_is_dated_now_to_the_second(self, client: TestClient, created: Callable[..., dict[str, str]]) -> None:
        # The server's "now" is written with a space in the message, as 1.10 did.
        assert answer(client.post(RUNS, json={})) == (
            200,
            JSON,
            created("2030-01-01T10:20:30+00:00", "manual__2030-01-01T10:20:30+00:00", "2030-01-01 10:20:30+00:00"),
        )

    @pytest.mark.parametrize("body", [{"execution_date": None}, {"execution_date": None, "run_id": None}, {"run_id": ""}])
    def test_null_or_empty_fields_mean_not_given(self, client: TestClient, created: Callable[..., dict[str, str]], body: dict[str, Any]) -> None:
        assert answer(client.post(RUNS, json=body)) == (
            200,
            JSON,
            created("2030-01-01T10:20:30+00:00", "manual__2030-01-01T10:20:30+00:00", "2030-01-01 10:20:30+00:00"),
        )

    @pytest.mark.parametrize("flag", ["false", "False", "no", "0", "", "anything", False])
    def test_without_a_date_microseconds_can_be_kept(self, client: TestClient, created: Callable[..., dict[str, str]], flag: Any) -> None:
        assert answer(client.post(RUNS, json={"replace_microseconds": flag})) == (
            200,
            JSON,
            created(
                "2030-01-01T10:20:30.123456+00:00",
                "manual__2030-01-01T10:20:30.123456+00:00",
                "2030-01-01 10:20:30.123456+00:00",
            ),
        )

    def test_a_generated_run_id_names_the_date(self, client: TestClient, created: Callable[..., dict[str, str]]) -> None:
        assert answer(client.post(RUNS, json={"execution_date": RUN_DATE})) == (
            200, JSON, created(RUN_DATE, "manual__2030-01-02T03:04:05+00:00"),
        )

    def test_a_given_date_keeps_its_microseconds(self, client: TestClient, created: Callable[..., dict[str, str]]) -> None:
        date = "2030-01-02T03:04:05.123456+00:00"
        assert answer(client.post(RUNS, json={"execution_date": date})) == (
            200, JSON, created(date, f"manual__{date}"),
        )

    @pytest.mark.parametrize("flag", ["true", "TRUE", "t", "y", "Yes", "1", True])
    def test_replace_microseconds_strips_them_from_a_given_date(self, client: TestClient, created: Callable[..., dict[str, str]], flag: Any) -> None:
        response = client.post(RUNS, json={"execution_date": "2030-01-02T03:04:05.123456+00:00", "replace_microseconds": flag})
        assert answer(response) == (200, JSON, created(RUN_DATE, "manual__2030-01-02T03:04:05+00:00"))

    @pytest.mark.parametrize("flag", ["false", "no", False])
    def test_replace_microseconds_false_keeps_them(self, client: TestClient, created: Callable[..., dict[str, str]], flag: Any) -> None:
        date = "2030-01-02T03:04:05.123456+00:00"
        response = client.post(RUNS, json={"execution_date": date, "replace_microseconds": flag})
        assert answer(response) == (200, JSON, created(date, f"manual__{date}"))

    def test_the_answer_keeps_the_callers_offset(
        self, client: TestClient, created: Callable[..., dict[str, str]], stored_runs: Callable[..., list[DagRun]]
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
    def test_other_date_forms_are_read(self, client: TestClient, created: Callable[..., dict[str, str]], date: str, answered: str) -> None:
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
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], created: Callable[..., dict[str, str]], flavour_name: str
    ) -> None:
        # example_bash_operator: default_args start_date = days_ago(2) = 2029-12-30 at the frozen now.
        # 2.11.2's example has its start date on the DAG only: the trigger is taken there.
        response = client.post(RUNS, json={"execution_date": "2029-12-29T23:59:59+00:00"})
        assert answer(response) == by_flavour(
            flavour_name,
            v1_10=(
                400,
                JSON,
                {
                    "error": "The execution_date [2029-12-29T23:59:59+00:00] should be >= "
                    "start_date [2029-12-30T00:00:00+00:00] from DAG's default_args"
                },
            ),
            v2=(200, JSON, created("2029-12-29T23:59:59+00:00", "manual__2029-12-29T23:59:59+00:00")),
        )
        assert len(stored_runs()) == by_flavour(flavour_name, v1_10=0, v2=1)

    def test_the_start_date_itself_is_accepted(self, client: TestClient, created: Callable[..., dict[str, str]]) -> None:
        date = "2029-12-30T00:00:00+00:00"
        assert answer(client.post(RUNS, json={"execution_date": date})) == (200, JSON, created(date, f"manual__{date}"))

    def test_a_dag_level_start_date_does_not_guard_triggers(
        self, client: TestClient, created: Callable[..., dict[str, str]], stored_task_instances: Callable[..., list[TaskInstance]]
    ) -> None:
        # latest_only sets start_date on the DAG, not in default_args, as in Airflow.
        date = "2015-01-01T00:00:00+00:00"
        response = client.post(f"{API}/dags/latest_only/dag_runs", json={"execution_date": date})
        assert answer(response) == (200, JSON, created(date, f"manual__{date}", dag_id="latest_only"))
        # Its tasks have not started by then, so the run has no task instances.
        assert stored_task_instances("latest_only") == []

    # --- duplicates ---

    def test_a_taken_run_id_is_400(self, client: TestClient, trigger: Callable[..., dict[str, Any]], flavour_name: str) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": "2030-01-03T03:04:05+00:00"})
        error = by_flavour(
            flavour_name,
            v1_10="Run id r1 already exists for dag id example_bash_operator",
            v2="A DAG Run already exists for DAG example_bash_operator at 2030-01-03 03:04:05+00:00 with run id r1",
        )
        assert answer(response) == (400, JSON, {"error": error})

    def test_a_taken_execution_date_is_400(
        self,
        client: TestClient,
        trigger: Callable[..., dict[str, Any]],
        stored_runs: Callable[..., list[DagRun]],
        flavour_name: str,
    ) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        response = client.post(RUNS, json={"run_id": "r2", "execution_date": RUN_DATE})
        error = by_flavour(
            flavour_name,
            v1_10="A Dag Run already exists for dag id example_bash_operator at 2030-01-02T03:04:05+00:00 with run id r2",
            v2="A DAG Run already exists for DAG example_bash_operator at 2030-01-02 03:04:05+00:00 with run id r2",
        )
        assert answer(response) == (400, JSON, {"error": error})
        assert [run.run_id for run in stored_runs()] == ["r1"]

    def test_the_same_instant_in_another_offset_is_taken_too(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]], flavour_name: str
    ) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        response = client.post(RUNS, json={"run_id": "r2", "execution_date": "2030-01-02T05:04:05+02:00"})
        error = by_flavour(
            flavour_name,
            v1_10="A Dag Run already exists for dag id example_bash_operator at 2030-01-02T05:04:05+02:00 with run id r2",
            v2="A DAG Run already exists for DAG example_bash_operator at 2030-01-02 05:04:05+02:00 with run id r2",
        )
        assert answer(response) == (400, JSON, {"error": error})

    def test_two_triggers_in_the_same_second_collide(self, client: TestClient, flavour_name: str) -> None:
        # The documented limit of the defaults: one run per second without run_id and date.
        client.post(RUNS, json={})
        error = by_flavour(
            flavour_name,
            v1_10="Run id manual__2030-01-01T10:20:30+00:00 already exists for dag id example_bash_operator",
            v2=(
                "A DAG Run already exists for DAG example_bash_operator at 2030-01-01 10:20:30+00:00 "
                "with run id manual__2030-01-01T10:20:30+00:00"
            ),
        )
        assert answer(client.post(RUNS, json={})) == (400, JSON, {"error": error})

    def test_the_same_run_id_in_another_dag_is_fine(self, client: TestClient, created: Callable[..., dict[str, str]], trigger: Callable[..., dict[str, Any]]) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)
        response = client.post(f"{API}/dags/tutorial/dag_runs", json={"run_id": "r1", "execution_date": RUN_DATE})
        assert answer(response) == (200, JSON, created(RUN_DATE, "r1", dag_id="tutorial"))

    # --- the run it creates ---

    def test_creates_an_externally_triggered_run(
        self, client: TestClient, stored_runs: Callable[..., list[DagRun]], flavour_name: str
    ) -> None:
        # 1.10: running from now, no conf, never queued; 2.x: queued now, not started, conf {}.
        client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        [run] = stored_runs()
        stored = (run.dag_id, run.run_id, run.execution_date, run.external_trigger, run.end_date)
        assert stored == (DAG, "r1", RUN_DATETIME, True, None)
        assert (run.state, run.start_date, run.conf, run.queued_at) == by_flavour(
            flavour_name, v1_10=("running", NOW, None, None), v2=("queued", None, {}, NOW)
        )

    def test_creates_one_task_instance_per_task_with_no_state(
        self, client: TestClient, stored_task_instances: Callable[..., list[TaskInstance]], flavour_name: str
    ) -> None:
        client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        instances = stored_task_instances()
        assert [(ti.task_id, ti.run_id, ti.execution_date, ti.state, ti.updated_at) for ti in instances] == [
            (task_id, "r1", RUN_DATETIME, None, NOW) for task_id in EXAMPLE_BASH_TASKS[flavour_name]
        ]

    def test_a_paused_dag_is_triggered_and_stays_paused(self, client: TestClient, created: Callable[..., dict[str, str]]) -> None:
        client.get(f"{API}/dags/{DAG}/paused/true")
        response = client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        assert answer(response) == (200, JSON, created(RUN_DATE, "r1"))
        assert client.get(f"{API}/dags/{DAG}/paused").json() == {"is_paused": True}

    def test_a_run_id_of_250_characters_is_accepted(self, client: TestClient, created: Callable[..., dict[str, str]]) -> None:
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
        client.post(RUNS, json={"run_id": "r3", "execution_date": RUN_DATE, "conf": [1]})
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
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch, stored_runs: Callable[..., list[DagRun]], flavour_name: str
    ) -> None:
        monkeypatch.undo()  # unfreeze the clock for this test
        before = datetime.now(UTC).replace(microsecond=0)
        body = client.post(RUNS, json={}).json()
        after = datetime.now(UTC)
        execution_date = datetime.fromisoformat(body["execution_date"])
        assert before <= execution_date <= after
        assert execution_date.utcoffset() == timedelta(0)
        [run] = stored_runs()
        # 1.10 starts the run now; 2.x queues it now (the message names that moment).
        moment = by_flavour(flavour_name, v1_10=run.start_date, v2=run.queued_at)
        assert before <= moment <= after
        message = by_flavour(
            flavour_name,
            v1_10=f"Created <DagRun {DAG} @ {execution_date}: manual__{body['execution_date']}, externally triggered: True>",
            v2=(
                f"Created <DagRun {DAG} @ {execution_date}: manual__{body['execution_date']}, state:queued, "
                f"queued_at: {run.queued_at}. externally triggered: True>"
            ),
        )
        assert body == {"execution_date": body["execution_date"], "message": message, "run_id": f"manual__{body['execution_date']}"}


class TestListDagRuns:
    def test_lists_a_triggered_run(self, client: TestClient, flavour_name: str) -> None:
        client.post(RUNS, json={"run_id": "r1", "execution_date": RUN_DATE})
        assert answer(client.get(RUNS)) == (
            200,
            JSON,
            [
                {
                    "dag_id": DAG,
                    "dag_run_url": graph_url(flavour_name, DAG, "2030-01-02 03:04:05+00:00"),
                    "execution_date": RUN_DATE,
                    "id": 1,
                    "run_id": "r1",
                    "start_date": TRIGGERED[flavour_name][1],
                    "state": TRIGGERED[flavour_name][0],
                }
            ],
        )

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, add_run: Callable[..., int], flavour_name: str) -> None:
        add_run(RUN_DATETIME, run_id="r1")
        assert client.get(RUNS).text == by_flavour(
            flavour_name,
            v1_10=(
                '[{"dag_id":"example_bash_operator",'
                '"dag_run_url":"/admin/airflow/graph?dag_id=example_bash_operator&execution_date=2030-01-02+03%3A04%3A05%2B00%3A00",'
                '"execution_date":"2030-01-02T03:04:05+00:00","id":1,"run_id":"r1","start_date":"","state":"running"}]\n'
            ),
            v2=(
                '[{"dag_id": "example_bash_operator", '
                '"dag_run_url": "/dags/example_bash_operator/graph?execution_date=2030-01-02+03:04:05%2B00:00", '
                '"execution_date": "2030-01-02T03:04:05+00:00", "id": 1, "run_id": "r1", "start_date": "", "state": "running"}]'
            ),
        )

    def test_lists_runs_by_ascending_execution_date(self, client: TestClient, add_run: Callable[..., int], flavour_name: str) -> None:
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
                    "dag_run_url": graph_url(flavour_name, DAG, "2030-01-02 03:04:05.000006+00:00"),
                    "execution_date": "2030-01-02T03:04:05.000006+00:00",
                    "id": first,
                    "run_id": "a",
                    "start_date": "",
                    "state": "failed",
                },
                {
                    "dag_id": DAG,
                    "dag_run_url": graph_url(flavour_name, DAG, "2030-01-03 00:00:00+00:00"),
                    "execution_date": "2030-01-03T00:00:00+00:00",
                    "id": second,
                    "run_id": "b",
                    "start_date": "2030-01-01T10:20:30.123456+00:00",
                    "state": "success",
                },
                {
                    "dag_id": DAG,
                    "dag_run_url": graph_url(flavour_name, DAG, "2030-01-04 00:00:00+00:00"),
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

    def test_an_unknown_state_matches_nothing_in_1_10_and_is_refused_in_2(
        self, client: TestClient, add_run: Callable[..., int], flavour_name: str
    ) -> None:
        add_run(RUN_DATETIME)
        assert answer(client.get(RUNS, params={"state": "dummy"})) == by_flavour(
            flavour_name, v1_10=(200, JSON, []), v2=(400, JSON, {"error": "'dummy' is not a valid DagRunState"})
        )

    @pytest.mark.flavours("2", reason="Airflow 1.10 had no queued runs")
    def test_filters_queued_runs(self, client: TestClient, add_run: Callable[..., int], trigger: Callable[..., dict[str, Any]]) -> None:
        trigger(run_id="q", execution_date=RUN_DATE)
        add_run(datetime(2030, 1, 3, tzinfo=UTC), run_id="r", state="running")
        assert [run["run_id"] for run in client.get(RUNS, params={"state": "QUEUED"}).json()] == ["q"]

    def test_a_dag_without_runs_has_an_empty_list(self, client: TestClient) -> None:
        assert answer(client.get(RUNS)) == (200, JSON, [])

    def test_an_unknown_dag_is_400(self, client: TestClient) -> None:
        # Airflow's quirk, kept: every error of this endpoint is a 400.
        assert answer(client.get(f"{API}/dags/DUMMY_DAG/dag_runs")) == (
            400, JSON, {"error": "Dag id DUMMY_DAG not found in DagModel"},
        )

    def test_airflows_dag_runs_endpoint_checks(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]], flavour_name: str
    ) -> None:
        # Airflow's test_dag_runs_endpoint: a run triggered "test_get_dag_runs_success" (queued in 2.x).
        trigger(run_id="test_get_dag_runs_success")
        state = TRIGGERED[flavour_name][0]
        for query in ("", f"?state={state}", f"?state={state.upper()}"):
            body = client.get(RUNS + query).json()
            assert [(run["dag_id"], run["id"], run["run_id"]) for run in body] == [(DAG, 1, "test_get_dag_runs_success")]
        assert client.get(RUNS + "?state=success").json() == []


class TestGetDagRunState:
    @pytest.fixture(autouse=True)
    def run(self, trigger: Callable[..., dict[str, Any]]) -> None:
        trigger(run_id="r1", execution_date=RUN_DATE)

    def test_returns_the_state(self, client: TestClient, flavour_name: str) -> None:
        state = by_flavour(flavour_name, v1_10="running", v2="queued")
        assert answer(client.get(f"{RUNS}/{path_date(RUN_DATE)}")) == (200, JSON, {"state": state})

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        text = client.get(f"{RUNS}/{path_date(RUN_DATE)}").text
        assert text == by_flavour(flavour_name, v1_10='{"state":"running"}\n', v2='{"state": "queued"}')

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
    def test_any_form_of_the_instant_finds_the_run(self, client: TestClient, date: str, flavour_name: str) -> None:
        assert answer(client.get(f"{RUNS}/{date}")) == (200, JSON, {"state": TRIGGERED[flavour_name][0]})

    @pytest.mark.parametrize(
        ("date", "shown_1_10", "shown_2"),
        [
            ("2030-01-02T03:04:06+00:00", "2030-01-02T03:04:06+00:00", "2030-01-02 03:04:06+00:00"),
            ("2030-01-02T03:04:05.000001+00:00", "2030-01-02T03:04:05.000001+00:00", "2030-01-02 03:04:05.000001+00:00"),
            ("2030-01-02T03:04:05+02:00", "2030-01-02T03:04:05+02:00", "2030-01-02 03:04:05+02:00"),
            ("2030-01-02", "2030-01-02T00:00:00+00:00", "2030-01-02 00:00:00+00:00"),
        ],
    )
    def test_another_instant_is_404(
        self, client: TestClient, date: str, shown_1_10: str, shown_2: str, flavour_name: str
    ) -> None:
        shown = by_flavour(flavour_name, v1_10=shown_1_10, v2=shown_2)
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

    def test_airflows_dagrun_status_check(self, client: TestClient, flavour_name: str) -> None:
        wrong = datetime(1990, 1, 1, 1, 1, 1, tzinfo=UTC).isoformat()
        shown = by_flavour(flavour_name, v1_10="1990-01-01T01:01:01+00:00", v2="1990-01-01 01:01:01+00:00")
        assert answer(client.get(f"{RUNS}/{path_date(wrong)}")) == (
            404, JSON, {"error": f"Dag Run for date {shown} not found in dag example_bash_operator"},
        )


class TestGetLatestRuns:
    def test_without_runs_the_list_is_empty(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/latest_runs")) == (200, JSON, {"items": []})

    def test_returns_the_newest_run_of_each_dag(
        self, client: TestClient, add_run: Callable[..., int], trigger: Callable[..., dict[str, Any]], flavour_name: str
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
                    "dag_run_url": graph_url(flavour_name, DAG, "2030-01-05 00:00:00+00:00"),
                    "execution_date": "2030-01-05T00:00:00+00:00",
                    "start_date": TRIGGERED[flavour_name][1],
                },
                {
                    "dag_id": "tutorial",
                    "dag_run_url": graph_url(flavour_name, "tutorial", "2030-01-09 00:00:00+00:00"),
                    "execution_date": "2030-01-09T00:00:00+00:00",
                    "start_date": "",
                },
            ],
        )

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, add_run: Callable[..., int], flavour_name: str) -> None:
        add_run(RUN_DATETIME)
        assert client.get(f"{API}/latest_runs").text == by_flavour(
            flavour_name,
            v1_10=(
                '{"items":[{"dag_id":"example_bash_operator",'
                '"dag_run_url":"/admin/airflow/graph?dag_id=example_bash_operator&execution_date=2030-01-02+03%3A04%3A05%2B00%3A00",'
                '"execution_date":"2030-01-02T03:04:05+00:00","start_date":""}]}\n'
            ),
            v2=(
                '{"items": [{"dag_id": "example_bash_operator", '
                '"dag_run_url": "/dags/example_bash_operator/graph?execution_date=2030-01-02+03:04:05%2B00:00", '
                '"execution_date": "2030-01-02T03:04:05+00:00", "start_date": ""}]}'
            ),
        )
