"""GET /dags/{dag_id}/tasks/{task_id}: a task's attributes, each as Python's str() writes it, in both flavours.

The 2 flavour's attributes are those the running Airflow 2.11.2 answered (CAPTURE.md), except
``task_group`` and ``weight_rule``, which Airflow writes as object reprs with memory addresses.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from starlette.testclient import TestClient

import expapi.dates
from handler_support import JSON, UTC, answer, by_flavour
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
# Attributes every 2.11.2 BashOperator shows (serialized DAG), with their defaults.
BASH_OPERATOR_DEFAULTS_2 = {
    "allow_nested_operators": "True",
    "cwd": "None",
    "depends_on_past": "False",
    "do_xcom_push": "True",
    "doc": "None",
    "doc_json": "None",
    "doc_md": "None",
    "doc_rst": "None",
    "doc_yaml": "None",
    "email": "None",
    "email_on_failure": "True",
    "email_on_retry": "True",
    "end_date": "None",
    "env": "None",
    "execution_timeout": "None",
    "executor": "None",
    "executor_config": "{}",
    "ignore_first_depends_on_past": "True",
    "inlets": "[]",
    "map_index_template": "None",
    "max_active_tis_per_dag": "None",
    "max_active_tis_per_dagrun": "None",
    "max_retry_delay": "None",
    "multiple_outputs": "False",
    "on_execute_callback": "None",
    "on_failure_callback": "None",
    "on_retry_callback": "None",
    "on_skipped_callback": "None",
    "on_success_callback": "None",
    "operator_extra_links": "()",
    "outlets": "[]",
    "owner": "airflow",
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
    "start_from_trigger": "False",
    "start_trigger_args": "None",
    "template_ext": "['.sh', '.bash']",
    "template_fields": "['bash_command', 'env', 'cwd']",
    "template_fields_renderers": "{'bash_command': 'bash', 'env': 'json'}",
    "trigger_rule": "all_success",
    "ui_color": "#f0ede4",
    "ui_fgcolor": "#000",
    "wait_for_downstream": "False",
    "wait_for_past_depends_before_skipping": "False",
    "weight_rule": "downstream",
}
# An EmptyOperator has BaseOperator's attributes only, and its own colour.
EMPTY_OPERATOR_2 = {
    **{k: v for k, v in BASH_OPERATOR_DEFAULTS_2.items() if k not in ("cwd", "env")},
    "template_ext": "[]",
    "template_fields": "[]",
    "template_fields_renderers": "{}",
    "ui_color": "#e8f7e4",
}
# 1.10: days_ago(2) at the frozen "now" (2030-01-01T10:20:30); 2.11.2: the DAG's fixed start date.
START_DATE = {"1.10": "2029-12-30 00:00:00+00:00", "2": "2021-01-01 00:00:00+00:00"}
EXAMPLE_PARAMS_2 = "{'example_key': 'example_value'}"


class TestGetTask:
    def test_returns_every_attribute_of_runme_0(self, client: TestClient, flavour_name: str) -> None:
        # The spec's example, at the frozen date (1.10); as the running 2.11.2 answered (2).
        expected = by_flavour(
            flavour_name,
            v1_10={**BASH_OPERATOR_DEFAULTS, "params": "{}"},
            v2={**BASH_OPERATOR_DEFAULTS_2, "params": EXAMPLE_PARAMS_2},
        )
        assert answer(client.get(f"{API}/dags/example_bash_operator/tasks/runme_0")) == (
            200,
            JSON,
            {
                **expected,
                "bash_command": 'echo "{{ task_instance_key_str }}" && sleep 1',
                "downstream_task_ids": "{'run_after_loop'}",
                "start_date": START_DATE[flavour_name],
                "task_id": "runme_0",
                "upstream_task_ids": "set()",
            },
        )

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        text = client.get(f"{API}/dags/example_bash_operator/tasks/run_after_loop").text
        start, end = by_flavour(
            flavour_name,
            v1_10=(
                '{"bash_command":"echo 1","depends_on_past":"False","do_xcom_push":"True",',
                ',"wait_for_downstream":"False","weight_rule":"downstream","xcom_push_flag":"False"}\n',
            ),
            v2=(
                '{"allow_nested_operators": "True", "bash_command": "echo https://airflow.apache.org/", "cwd": "None", ',
                ', "wait_for_downstream": "False", "wait_for_past_depends_before_skipping": "False", "weight_rule": "downstream"}',
            ),
        )
        assert (text[: len(start)], text[-len(end):]) == (start, end)

    def test_lists_several_upstream_tasks_sorted(self, client: TestClient, flavour_name: str) -> None:
        expected = by_flavour(
            flavour_name,
            v1_10={**BASH_OPERATOR_DEFAULTS, "bash_command": "echo 1"},
            v2={**BASH_OPERATOR_DEFAULTS_2, "bash_command": "echo https://airflow.apache.org/", "params": EXAMPLE_PARAMS_2},
        )
        assert answer(client.get(f"{API}/dags/example_bash_operator/tasks/run_after_loop")) == (
            200,
            JSON,
            {
                **expected,
                "downstream_task_ids": "{'run_this_last'}",
                "start_date": START_DATE[flavour_name],
                "task_id": "run_after_loop",
                "upstream_task_ids": "{'runme_0', 'runme_1', 'runme_2'}",
            },
        )

    def test_a_dummy_operator_has_only_base_operator_attributes(self, client: TestClient, flavour_name: str) -> None:
        # 1.10's DummyOperator; 2.11.2's EmptyOperator (run_this_last also waits for this_will_skip there).
        expected = by_flavour(
            flavour_name,
            v1_10={
                **{
                    key: value
                    for key, value in BASH_OPERATOR_DEFAULTS.items()
                    if key not in ("env", "output_encoding", "sub_process", "xcom_push_flag")
                },
                "upstream_task_ids": "{'also_run_this', 'run_after_loop'}",
            },
            v2={
                **EMPTY_OPERATOR_2,
                "params": EXAMPLE_PARAMS_2,
                "upstream_task_ids": "{'also_run_this', 'run_after_loop', 'this_will_skip'}",
            },
        )
        assert answer(client.get(f"{API}/dags/example_bash_operator/tasks/run_this_last")) == (
            200,
            JSON,
            {**expected, "downstream_task_ids": "set()", "start_date": START_DATE[flavour_name], "task_id": "run_this_last"},
        )

    def test_default_args_and_params_show_through(self, client: TestClient, flavour_name: str) -> None:
        # 2.11.2's tutorial has no params and no params line in its command.
        expected = by_flavour(
            flavour_name,
            v1_10={
                **BASH_OPERATOR_DEFAULTS,
                "bash_command": (
                    '\n{% for i in range(5) %}\n    echo "{{ ds }}"\n'
                    '    echo "{{ macros.ds_add(ds, 7)}}"\n    echo "{{ params.my_param }}"\n{% endfor %}\n'
                ),
                "params": "{'my_param': 'Parameter I passed in'}",
            },
            v2={
                **BASH_OPERATOR_DEFAULTS_2,
                "bash_command": '\n{% for i in range(5) %}\n    echo "{{ ds }}"\n    echo "{{ macros.ds_add(ds, 7)}}"\n{% endfor %}\n',
                "params": "{}",
            },
        )
        assert answer(client.get(f"{API}/dags/tutorial/tasks/templated")) == (
            200,
            JSON,
            {
                **expected,
                "downstream_task_ids": "set()",
                "email": "['airflow@example.com']",
                "email_on_failure": "False",
                "email_on_retry": "False",
                "owner": "airflow",
                "retries": "1",
                "start_date": START_DATE[flavour_name],
                "task_id": "templated",
                "upstream_task_ids": "{'print_date'}",
            },
        )

    def test_this_will_skip_exists_in_2_only(self, client: TestClient, flavour_name: str) -> None:
        response = client.get(f"{API}/dags/example_bash_operator/tasks/this_will_skip")
        assert (response.status_code, response.json().get("bash_command")) == by_flavour(
            flavour_name, v1_10=(404, None), v2=(200, 'echo "hello world"; exit 99;')
        )

    def test_a_task_setting_overrides_default_args(self, client: TestClient) -> None:
        # The same in both lines' tutorial.
        body = client.get(f"{API}/dags/tutorial/tasks/sleep").json()
        assert (body["retries"], body["bash_command"], body["owner"]) == ("3", "sleep 5", "airflow")

    def test_there_is_no_dag_id_key(self, client: TestClient) -> None:
        # As in Airflow; and Airflow's own check: "email" is there, "error" is not.
        body = client.get(f"{API}/dags/example_bash_operator/tasks/runme_0").json()
        assert "dag_id" not in body
        assert "email" in body
        assert "error" not in body

    @pytest.mark.flavours("1.10", reason="2.11.2's example DAGs have fixed start dates; none uses days_ago")
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
