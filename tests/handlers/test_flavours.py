"""Every flavour answers as its Airflow line did: the same requests, each flavour's exact answers.

The module's app is built once per flavour (``served_settings`` is parametrised over the
registry), so each test below runs against a 1.10 and a 2 server and compares with that
flavour's row of the expectations.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from expapi.flavours import FLAVOURS, Flavour
from handler_support import JSON, NOT_FOUND_URL, answer
from http_helpers import API

LINK = (
    "<https://airflow.apache.org/docs/apache-airflow/2.11.2/upgrading-to-2.html"
    '#migration-guide-from-experimental-api-to-stable-api-v1>; rel="deprecation"; type="text/html"'
)
DATE = "2030-01-01T00:00:00+00:00"
DATE_PATH = "2030-01-01T00%3A00%3A00%2B00%3A00"


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def flavour_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def served_settings(server_database: str | None, flavour_name: str) -> dict[str, str]:
    settings = {"EXPAPI__API__COMPAT": flavour_name}
    if server_database is not None:
        settings["EXPAPI__CORE__SQL_ALCHEMY_CONN"] = server_database
    return settings


@pytest.fixture
def flavour(flavour_name: str) -> Flavour:
    return FLAVOURS[flavour_name]


def by_flavour(flavour: Flavour, **answers: Any) -> Any:
    """The expectation of this flavour: keyword ``v1_10`` or ``v2``."""
    return answers["v" + flavour.name.replace(".", "_")]


class TestJsonAndHeaders:
    def test_json_is_written_as_the_lines_flask_did(self, client: TestClient, flavour: Flavour) -> None:
        text = client.get(f"{API}/test").text
        assert text == by_flavour(flavour, v1_10='{"status":"OK"}\n', v2='{"status": "OK"}')

    def test_info_names_the_airflow_version(self, client: TestClient, flavour: Flavour) -> None:
        expected = by_flavour(flavour, v1_10="1.10.15", v2="2.11.2")
        assert answer(client.get(f"{API}/info")) == (200, JSON, {"version": expected})

    @pytest.mark.parametrize(
        ("method", "path", "status"),
        [
            ("GET", "/test", 200),
            ("GET", "/dags/nope/paused", 404),
            ("GET", "/dags/example_bash_operator/dag_runs/not-a-date", 400),
            ("GET", "/nope", 404),
            ("PUT", "/test", 405),
        ],
    )
    def test_deprecation_headers_on_every_answer_of_the_2_flavour(
        self, client: TestClient, flavour: Flavour, method: str, path: str, status: int
    ) -> None:
        response = client.request(method, f"{API}{path}")
        assert response.status_code == status
        seen = (response.headers.get("Deprecation"), response.headers.get("Link"))
        assert seen == by_flavour(flavour, v1_10=(None, None), v2=("true", LINK))


class TestTrigger:
    def test_created_message(self, client: TestClient, flavour: Flavour) -> None:
        body = client.post(f"{API}/dags/example_bash_operator/dag_runs", json={"execution_date": DATE}).json()
        run_id = f"manual__{DATE}"
        assert body == {
            "execution_date": DATE,
            "run_id": run_id,
            "message": by_flavour(
                flavour,
                v1_10=f"Created <DagRun example_bash_operator @ {DATE}: {run_id}, externally triggered: True>",
                v2=(
                    f"Created <DagRun example_bash_operator @ 2030-01-01 00:00:00+00:00: {run_id}, state:queued, "
                    "queued_at: 2030-01-01 10:20:30.123456+00:00. externally triggered: True>"
                ),
            ),
        }

    def test_a_taken_run_id(self, client: TestClient, flavour: Flavour) -> None:
        url = f"{API}/dags/example_bash_operator/dag_runs"
        client.post(url, json={"execution_date": DATE, "run_id": "r1"})
        response = client.post(url, json={"execution_date": "2030-01-02T00:00:00+00:00", "run_id": "r1"})
        assert answer(response) == (
            400,
            JSON,
            {
                "error": by_flavour(
                    flavour,
                    v1_10="Run id r1 already exists for dag id example_bash_operator",
                    v2="A DAG Run already exists for DAG example_bash_operator at 2030-01-02 00:00:00+00:00 with run id r1",
                )
            },
        )

    def test_a_taken_execution_date(self, client: TestClient, flavour: Flavour) -> None:
        url = f"{API}/dags/example_bash_operator/dag_runs"
        client.post(url, json={"execution_date": DATE, "run_id": "r1"})
        response = client.post(url, json={"execution_date": DATE, "run_id": "r2"})
        assert answer(response) == (
            400,
            JSON,
            {
                "error": by_flavour(
                    flavour,
                    v1_10=f"A Dag Run already exists for dag id example_bash_operator at {DATE} with run id r2",
                    v2="A DAG Run already exists for DAG example_bash_operator at 2030-01-01 00:00:00+00:00 with run id r2",
                )
            },
        )

    @pytest.mark.parametrize("conf", [None, '{"k": "v"}'])
    def test_a_conf_that_is_not_an_object(self, client: TestClient, flavour: Flavour, conf: Any) -> None:
        # 1.10 takes null (no conf) and a string holding JSON; Airflow 2.1.1+ refuses both.
        response = client.post(f"{API}/dags/example_bash_operator/dag_runs", json={"execution_date": DATE, "conf": conf})
        error = {"error": "Dag Run conf must be a dictionary object, other types are not supported"}
        assert response.status_code == by_flavour(flavour, v1_10=200, v2=400)
        if response.status_code == 400:
            assert response.json() == error

    def test_a_date_before_the_dags_start(self, client: TestClient, flavour: Flavour) -> None:
        # 1.10's example has default_args' start_date (days_ago(2)); 2.11's has a DAG-level
        # start_date only, so any date is taken and the run simply has no task instances.
        url = f"{API}/dags/example_bash_operator/dag_runs"
        response = client.post(url, json={"execution_date": "2015-01-01T00:00:00+00:00"})
        assert response.status_code == by_flavour(flavour, v1_10=400, v2=200)
        if response.status_code == 200:
            instance = client.get(f"{url}/2015-01-01T00%3A00%3A00%2B00%3A00/tasks/runme_0")
            assert answer(instance) == (
                404,
                JSON,
                {"error": "Task runme_0 instance for date 2015-01-01 00:00:00+00:00 not found"},
            )


class TestRuns:
    def test_listing(self, client: TestClient, flavour: Flavour) -> None:
        client.post(f"{API}/dags/example_bash_operator/dag_runs", json={"execution_date": DATE})
        run = client.get(f"{API}/dags/example_bash_operator/dag_runs").json()[0]
        assert {k: run[k] for k in ("dag_run_url", "start_date", "state")} == by_flavour(
            flavour,
            v1_10={
                "dag_run_url": "/admin/airflow/graph?dag_id=example_bash_operator&execution_date=2030-01-01+00%3A00%3A00%2B00%3A00",
                "start_date": "2030-01-01T10:20:30.123456+00:00",
                "state": "running",
            },
            v2={
                "dag_run_url": "/dags/example_bash_operator/graph?execution_date=2030-01-01+00:00:00%2B00:00",
                "start_date": "",
                "state": "queued",
            },
        )
        assert sorted(run) == ["dag_id", "dag_run_url", "execution_date", "id", "run_id", "start_date", "state"]

    def test_an_unknown_state_filter(self, client: TestClient, flavour: Flavour) -> None:
        response = client.get(f"{API}/dags/example_bash_operator/dag_runs", params={"state": "bogus"})
        assert answer(response) == by_flavour(
            flavour, v1_10=(200, JSON, []), v2=(400, JSON, {"error": "'bogus' is not a valid DagRunState"})
        )

    def test_a_run_not_found_prints_the_date_in_the_lines_way(self, client: TestClient, flavour: Flavour) -> None:
        response = client.get(f"{API}/dags/example_bash_operator/dag_runs/{DATE_PATH}")
        date = by_flavour(flavour, v1_10=DATE, v2="2030-01-01 00:00:00+00:00")
        assert answer(response) == (404, JSON, {"error": f"Dag Run for date {date} not found in dag example_bash_operator"})


class TestTaskInstance:
    def test_key_set(self, client: TestClient, flavour: Flavour) -> None:
        client.post(f"{API}/dags/example_bash_operator/dag_runs", json={"execution_date": DATE})
        body = client.get(f"{API}/dags/example_bash_operator/dag_runs/{DATE_PATH}/tasks/runme_0").json()
        assert sorted(body) == sorted(flavour.task_instance_keys)
        picked = by_flavour(
            flavour,
            v1_10={"execution_date": "2030-01-01 00:00:00+00:00", "state": "None"},
            v2={"run_id": f"manual__{DATE}", "map_index": "-1", "try_number": "0", "state": "None"},
        )
        assert {k: body[k] for k in picked} == picked


class TestExampleDags:
    def test_example_bash_operator(self, client: TestClient, flavour: Flavour) -> None:
        task = client.get(f"{API}/dags/example_bash_operator/tasks/run_this_last").json()
        assert (task["owner"], task["upstream_task_ids"]) == by_flavour(
            flavour,
            v1_10=("Airflow", "{'also_run_this', 'run_after_loop'}"),
            v2=("airflow", "{'also_run_this', 'run_after_loop', 'this_will_skip'}"),
        )

    def test_this_will_skip_exists_in_2_only(self, client: TestClient, flavour: Flavour) -> None:
        response = client.get(f"{API}/dags/example_bash_operator/tasks/this_will_skip")
        assert response.status_code == by_flavour(flavour, v1_10=404, v2=200)

    def test_bash_operator_attributes(self, client: TestClient, flavour: Flavour) -> None:
        task = client.get(f"{API}/dags/example_bash_operator/tasks/runme_0").json()
        if flavour.name == "2":
            # As the running 2.11.2 answered (its object reprs aside).
            assert {k: task[k] for k in ("start_date", "params", "template_fields", "retry_delay", "ui_color")} == {
                "start_date": "2021-01-01 00:00:00+00:00",
                "params": "{'example_key': 'example_value'}",
                "template_fields": "['bash_command', 'env', 'cwd']",
                "retry_delay": "0:05:00",
                "ui_color": "#f0ede4",
            }
        else:
            assert "execution_date" not in task and task["xcom_push_flag"] == "False"


class TestPools:
    def test_listing(self, client: TestClient, flavour: Flavour) -> None:
        pool = {"description": "Default pool", "id": 1, "pool": "default_pool", "slots": 128}
        expected = by_flavour(flavour, v1_10=pool, v2={**pool, "include_deferred": False})
        assert answer(client.get(f"{API}/pools")) == (200, JSON, [expected])

    def test_an_unknown_route_is_a_json_404(self, client: TestClient, flavour: Flavour) -> None:
        assert answer(client.get(f"{API}/pools/")) == (404, JSON, {"error": NOT_FOUND_URL})


class TestServedSpec:
    def test_describes_the_running_flavour_only(self, client: TestClient, flavour: Flavour) -> None:
        document = client.get(f"{API}/openapi.json").json()
        pool = document["components"]["schemas"]["Pool"]["properties"]
        headers = document["paths"]["/test"]["get"]["responses"]["200"].get("headers", {})
        seen = ("include_deferred" in pool, sorted(headers))
        assert seen == by_flavour(flavour, v1_10=(False, []), v2=(True, ["Deprecation", "Link"]))
        assert '"x-expapi-flavours":' not in json.dumps(document)  # the marks are dropped; prose may name them
