"""GET /dags/{dag_id}/tasks/{task_id}: a task's attributes, each as Python's str() writes it."""

from __future__ import annotations

from datetime import datetime

import pytest
from starlette.testclient import TestClient

import expapi.dates
from handler_support import JSON, UTC, answer
from http_helpers import API

# Attributes every 1.10 BashOperator shows, with BaseOperator's and BashOperator's defaults.
BASH_OPERATOR_DEFAULTS = {
    "depends_on_past": "False",
    "do_xcom_push": "True",
    "email": "None",
    "email_on_failure": "True",
    "email_on_retry": "True",
    "end_date": "None",
    "env": "None",
    "execution_timeout": "None",
    "executor_config": "{}",
    "inlets": "[]",
    "lineage_data": "None",
    "max_retry_delay": "None",
    "on_failure_callback": "None",
    "on_retry_callback": "None",
    "on_success_callback": "None",
    "outlets": "[]",
    "output_encoding": "utf-8",
    "owner": "Airflow",
    "params": "{}",
    "pool": "default_pool",
    "pool_slots": "1",
    "priority_weight": "1",
    "queue": "default",
    "resources": "None",
    "retries": "0",
    "retry_delay": "0:05:00",
    "retry_exponential_backoff": "False",
    "run_as_user": "None",
    "sla": "None",
    "sub_process": "None",
    "subdag": "None",
    "task_concurrency": "None",
    "trigger_rule": "all_success",
    "wait_for_downstream": "False",
    "weight_rule": "downstream",
    "xcom_push_flag": "False",
}
# days_ago(2) at the frozen "now" (2030-01-01T10:20:30), as str() writes it.
START_DATE = "2029-12-30 00:00:00+00:00"


class TestGetTask:
    def test_returns_every_attribute_of_runme_0(self, client: TestClient) -> None:
        # The spec's example, at the frozen date.
        assert answer(client.get(f"{API}/dags/example_bash_operator/tasks/runme_0")) == (
            200,
            JSON,
            {
                **BASH_OPERATOR_DEFAULTS,
                "bash_command": 'echo "{{ task_instance_key_str }}" && sleep 1',
                "downstream_task_ids": "{'run_after_loop'}",
                "start_date": START_DATE,
                "task_id": "runme_0",
                "upstream_task_ids": "set()",
            },
        )

    def test_writes_json_as_flask_1_1_did(self, client: TestClient) -> None:
        text = client.get(f"{API}/dags/example_bash_operator/tasks/run_after_loop").text
        assert text.startswith('{"bash_command":"echo 1","depends_on_past":"False","do_xcom_push":"True",')
        assert text.endswith(',"wait_for_downstream":"False","weight_rule":"downstream","xcom_push_flag":"False"}\n')

    def test_lists_several_upstream_tasks_sorted(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/example_bash_operator/tasks/run_after_loop")) == (
            200,
            JSON,
            {
                **BASH_OPERATOR_DEFAULTS,
                "bash_command": "echo 1",
                "downstream_task_ids": "{'run_this_last'}",
                "start_date": START_DATE,
                "task_id": "run_after_loop",
                "upstream_task_ids": "{'runme_0', 'runme_1', 'runme_2'}",
            },
        )

    def test_a_dummy_operator_has_only_base_operator_attributes(self, client: TestClient) -> None:
        expected = {
            key: value
            for key, value in BASH_OPERATOR_DEFAULTS.items()
            if key not in ("env", "output_encoding", "sub_process", "xcom_push_flag")
        }
        assert answer(client.get(f"{API}/dags/example_bash_operator/tasks/run_this_last")) == (
            200,
            JSON,
            {
                **expected,
                "downstream_task_ids": "set()",
                "start_date": START_DATE,
                "task_id": "run_this_last",
                "upstream_task_ids": "{'also_run_this', 'run_after_loop'}",
            },
        )

    def test_default_args_and_params_show_through(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/tutorial/tasks/templated")) == (
            200,
            JSON,
            {
                **BASH_OPERATOR_DEFAULTS,
                "bash_command": (
                    '\n{% for i in range(5) %}\n    echo "{{ ds }}"\n'
                    '    echo "{{ macros.ds_add(ds, 7)}}"\n    echo "{{ params.my_param }}"\n{% endfor %}\n'
                ),
                "downstream_task_ids": "set()",
                "email": "['airflow@example.com']",
                "email_on_failure": "False",
                "email_on_retry": "False",
                "owner": "airflow",
                "params": "{'my_param': 'Parameter I passed in'}",
                "retries": "1",
                "start_date": START_DATE,
                "task_id": "templated",
                "upstream_task_ids": "{'print_date'}",
            },
        )

    def test_a_task_setting_overrides_default_args(self, client: TestClient) -> None:
        body = client.get(f"{API}/dags/tutorial/tasks/sleep").json()
        assert (body["retries"], body["bash_command"], body["owner"]) == ("3", "sleep 5", "airflow")

    def test_there_is_no_dag_id_key(self, client: TestClient) -> None:
        # As in Airflow; and Airflow's own check: "email" is there, "error" is not.
        body = client.get(f"{API}/dags/example_bash_operator/tasks/runme_0").json()
        assert "dag_id" not in body
        assert "email" in body
        assert "error" not in body

    def test_days_ago_follows_the_clock(self, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
        # days_ago(2) is resolved when read, as Airflow re-parses DAG files.
        monkeypatch.setattr(expapi.dates, "utcnow", lambda: datetime(2031, 6, 15, 23, 59, 59, tzinfo=UTC))
        body = client.get(f"{API}/dags/example_bash_operator/tasks/runme_0").json()
        assert body["start_date"] == "2031-06-13 00:00:00+00:00"

    def test_an_unknown_task_is_404(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/example_bash_operator/tasks/DNE")) == (
            404, JSON, {"error": "Task DNE not found in dag example_bash_operator"},
        )

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/DNE/tasks/DNE")) == (404, JSON, {"error": "Dag id DNE not found in DagModel"})

    def test_a_task_of_another_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/tutorial/tasks/runme_0")) == (
            404, JSON, {"error": "Task runme_0 not found in dag tutorial"},
        )
