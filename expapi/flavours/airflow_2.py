"""Airflow 2.10/2.11's experimental API (the last 2.x line, checked against a running 2.11.2), as data."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

from expapi.flavours import airflow_1_10
from expapi.flavours.cli_habits import CLI_2
from expapi.flavours.flavour import ConfNotADict, Flavour

AIRFLOW_VERSION = "2.11.2"

DEPRECATION_LINK = (
    f"<https://airflow.apache.org/docs/apache-airflow/{AIRFLOW_VERSION}/upgrading-to-2.html"
    '#migration-guide-from-experimental-api-to-stable-api-v1>; rel="deprecation"; type="text/html"'
)


def _str_space(value: datetime) -> str:
    # pendulum 3's str() (Airflow 2.10+): a space between date and time, whoever made the date.
    return str(value)


def _graph_url_2(dag_id: str, execution_date: datetime) -> str:
    # 2.3+'s /dags/<id>/graph route. The running 2.11.2 keeps ':' as is (the reference's
    # 2.10.5 note shows %3A): 2024-01-01+00:00:00%2B00:00.
    return f"/dags/{quote_plus(dag_id)}/graph?execution_date={quote_plus(str(execution_date), safe=':')}"


def _read_conf_2(conf: Any, given: bool) -> Mapping[str, Any] | None:
    # 2.1.1+: a conf key that is present must hold an object; null, strings (even JSON
    # ones), lists and numbers are refused. Without the key the run's conf is {}.
    if not given:
        return {}
    if not isinstance(conf, dict):
        raise ConfNotADict(conf)
    return conf


# 1.10's table with 2.11.2's own words where they differ. The rest is the same text in both
# lines (the invalid-state message is said only here: 1.10 takes any state filter).
MESSAGES = dataclasses.replace(
    airflow_1_10.MESSAGES,
    # 2.6+: one message for a taken run_id and a taken date, naming what the client asked for.
    run_id_exists="A DAG Run already exists for DAG {dag_id} at {execution_date} with run id {run_id}",
    execution_date_exists="A DAG Run already exists for DAG {dag_id} at {execution_date} with run id {run_id}",
    run_created=(
        "Created <DagRun {dag_id} @ {execution_date}: {run_id}, state:{state}, queued_at: {queued_at}. "
        "externally triggered: True>"
    ),
)

_PYTHON_OPERATOR_2 = {
    "python_callable": None,
    "op_args": [],
    "op_kwargs": {},
    "templates_dict": None,
    "templates_exts": None,
    "show_return_value_in_logs": True,
    "template_fields": ["templates_dict", "op_args", "op_kwargs"],
    "template_fields_renderers": {"templates_dict": "json", "op_args": "py", "op_kwargs": "py"},
    "ui_color": "#ffefeb",
}

AIRFLOW_2 = Flavour(
    name="2",
    aliases=("2.10", "2.11", AIRFLOW_VERSION),
    airflow_version=AIRFLOW_VERSION,
    examples="airflow-2",
    # Flask 2's jsonify: sorted keys, ", " and ": ", no trailing newline.
    json_separators=(", ", ": "),
    json_trailing_newline=False,
    # 2.2+: a triggered run waits for the scheduler, with no start date yet.
    triggered_run_state="queued",
    triggered_run_starts_now=False,
    client_date_str=_str_space,
    server_date_str=_str_space,
    dag_run_url=_graph_url_2,
    messages=MESSAGES,
    dag_run_keys=("dag_id", "dag_run_url", "execution_date", "id", "run_id", "start_date", "state"),
    latest_run_keys=("dag_id", "dag_run_url", "execution_date", "start_date"),
    # 2.7+ shows include_deferred (not settable through this API).
    pool_keys=("description", "id", "include_deferred", "pool", "slots"),
    # 2.x's basic_auth: 401 with a Basic challenge for any credentials it does not accept.
    wrong_password_status=401,
    read_conf=_read_conf_2,
    dag_run_states=frozenset({"queued", "running", "success", "failed"}),
    response_headers={"Deprecation": "true", "Link": DEPRECATION_LINK},
    # The attributes of a 2.11.2 TaskInstance as its GET shows them: no execution_date, run_id and
    # map_index instead, and the loaded run (``dag_run``, its repr) and the row's ``updated_at``.
    task_instance_keys=(
        "custom_operator_name", "dag_id", "dag_run", "duration", "end_date", "executor", "executor_config",
        "external_executor_id", "hostname", "job_id", "map_index", "max_tries", "next_kwargs", "next_method",
        "operator", "pid", "pool", "pool_slots", "priority_weight", "queue", "queued_by_job_id", "queued_dttm",
        "rendered_map_index", "rendered_task_instance_fields", "run_id", "start_date", "state", "task_id",
        "test_mode", "trigger_id", "trigger_timeout", "try_number", "unixname", "updated_at",
    ),
    # DagRun.__repr__ of 2.1+ ("state:queued" with no space, as the running 2.11.2 prints it).
    dag_run_repr=(
        "<DagRun {dag_id} @ {execution_date}: {run_id}, state:{state}, queued_at: {queued_at}. "
        "externally triggered: {external_trigger}>"
    ),
    task_instance_constants={"map_index": -1},
    # delete_dag raises "TaskInstances still running" (a 500 in Airflow; a 409 here).
    dag_delete_refused_while=frozenset({"running"}),
    cli=CLI_2,
    # BaseOperator's attributes as a 2.11.2 serialized DAG shows them (GET .../tasks/<id>).
    base_operator_defaults={
        "allow_nested_operators": True,
        "depends_on_past": False,
        "do_xcom_push": True,
        "doc": None,
        "doc_json": None,
        "doc_md": None,
        "doc_rst": None,
        "doc_yaml": None,
        "email": None,
        "email_on_failure": True,
        "email_on_retry": True,
        "end_date": None,
        "execution_timeout": None,
        "executor": None,
        "executor_config": {},
        "ignore_first_depends_on_past": True,
        "inlets": [],
        "map_index_template": None,
        "max_active_tis_per_dag": None,
        "max_active_tis_per_dagrun": None,
        "max_retry_delay": None,
        "multiple_outputs": False,
        "on_execute_callback": None,
        "on_failure_callback": None,
        "on_retry_callback": None,
        "on_skipped_callback": None,
        "on_success_callback": None,
        "operator_extra_links": (),
        "outlets": [],
        "owner": "airflow",
        "params": {},
        "pool": "default_pool",
        "pool_slots": 1,
        "priority_weight": 1,
        "queue": "default",
        "resources": None,
        "retries": 0,
        "retry_delay": timedelta(seconds=300),
        "retry_exponential_backoff": False,
        "run_as_user": None,
        "sla": None,
        "start_date": None,
        "start_from_trigger": False,
        "start_trigger_args": None,
        "template_ext": [],
        "template_fields": [],
        "template_fields_renderers": {},
        "trigger_rule": "all_success",
        "ui_color": "#fff",
        "ui_fgcolor": "#000",
        "wait_for_downstream": False,
        "wait_for_past_depends_before_skipping": False,
        # 2.11.2 prints a priority-strategy object here (with its memory address); expapi its name.
        "weight_rule": "downstream",
    },
    operator_defaults={
        "BashOperator": {
            "bash_command": None,
            "cwd": None,
            "env": None,
            "template_ext": [".sh", ".bash"],
            "template_fields": ["bash_command", "env", "cwd"],
            "template_fields_renderers": {"bash_command": "bash", "env": "json"},
            "ui_color": "#f0ede4",
        },
        "EmptyOperator": {"ui_color": "#e8f7e4"},
        "PythonOperator": _PYTHON_OPERATOR_2,
        "BranchPythonOperator": _PYTHON_OPERATOR_2,
        "ShortCircuitOperator": {**_PYTHON_OPERATOR_2, "ignore_downstream_trigger_rules": True},
        "LatestOnlyOperator": {"ui_color": "#e9ffdb"},
    },
)
