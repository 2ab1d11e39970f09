"""Every way Airflow 1.10's experimental API differs from Airflow 2's, as data.

``[api] compat`` picks one ``Flavour``; nothing else in expapi asks which Airflow line it
follows. Adding a line means adding an instance here (and its example DAGs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable
from urllib.parse import urlencode


def _str_t(value: datetime) -> str:
    # pendulum 1's str(): isoformat with 'T'; what 1.10 prints for dates a client sent.
    return value.isoformat()


def _str_space(value: datetime) -> str:
    # Python's str(datetime); what 1.10 prints for dates it made itself.
    return str(value)


def _graph_url_1_10(dag_id: str, execution_date: datetime) -> str:
    return "/admin/airflow/graph?" + urlencode({"dag_id": dag_id, "execution_date": str(execution_date)})


@dataclass(frozen=True)
class Flavour:
    """What one Airflow line's experimental API looks like from outside."""

    name: str
    airflow_version: str
    # Folder of expapi/example_dags holding this line's example DAG files.
    examples: str
    # JSON as Flask's jsonify writes it in this line (keys are sorted in every line).
    json_separators: tuple[str, str]
    json_trailing_newline: bool
    # State and start date of a run made by a trigger.
    triggered_run_state: str
    triggered_run_starts_now: bool
    # str() of a date inside messages: one the client sent, one the server made.
    client_date_str: Callable[[datetime], str]
    server_date_str: Callable[[datetime], str]
    # ``dag_run_url`` in run listings.
    dag_run_url: Callable[[str, datetime], str]
    run_id_exists_message: str
    execution_date_exists_message: str
    created_message: str
    # Task-instance info: which attributes the line exposes.
    task_instance_keys: tuple[str, ...]
    # Operator attributes every task has, with BaseOperator's defaults in this line.
    base_operator_defaults: dict[str, Any] = field(default_factory=dict)
    # Extra attributes per operator class, with their defaults.
    operator_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    default_owner: str = "airflow"

    def dumps_options(self) -> dict[str, Any]:
        return {"sort_keys": True, "separators": self.json_separators, "ensure_ascii": True}


_PYTHON_OPERATOR_1_10 = {
    "python_callable": None,
    "op_args": [],
    "op_kwargs": {},
    "provide_context": False,
    "templates_dict": None,
    "templates_exts": None,
}

AIRFLOW_1_10 = Flavour(
    name="1.10",
    airflow_version="1.10.15",
    examples="airflow_1_10",
    json_separators=(",", ":"),
    json_trailing_newline=True,
    triggered_run_state="running",
    triggered_run_starts_now=True,
    client_date_str=_str_t,
    server_date_str=_str_space,
    dag_run_url=_graph_url_1_10,
    run_id_exists_message="Run id {run_id} already exists for dag id {dag_id}",
    execution_date_exists_message="A Dag Run already exists for dag id {dag_id} at {execution_date} with run id {run_id}",
    created_message="Created <DagRun {dag_id} @ {execution_date}: {run_id}, externally triggered: True>",
    task_instance_keys=(
        "dag_id", "duration", "end_date", "execution_date", "executor_config", "hostname", "job_id",
        "max_tries", "operator", "pid", "pool", "pool_slots", "priority_weight", "queue", "queued_dttm",
        "start_date", "state", "task_id", "test_mode", "unixname",
    ),
    base_operator_defaults={
        "depends_on_past": False,
        "do_xcom_push": True,
        "email": None,
        "email_on_failure": True,
        "email_on_retry": True,
        "end_date": None,
        "execution_timeout": None,
        "executor_config": {},
        "inlets": [],
        "lineage_data": None,
        "max_retry_delay": None,
        "on_failure_callback": None,
        "on_retry_callback": None,
        "on_success_callback": None,
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
        "subdag": None,
        "task_concurrency": None,
        "trigger_rule": "all_success",
        "wait_for_downstream": False,
        "weight_rule": "downstream",
    },
    operator_defaults={
        "BashOperator": {
            "bash_command": None,
            "env": None,
            "output_encoding": "utf-8",
            "sub_process": None,
            "xcom_push_flag": False,
        },
        "DummyOperator": {},
        "PythonOperator": _PYTHON_OPERATOR_1_10,
        "BranchPythonOperator": _PYTHON_OPERATOR_1_10,
        "ShortCircuitOperator": _PYTHON_OPERATOR_1_10,
        "LatestOnlyOperator": {},
    },
)

FLAVOURS: dict[str, Flavour] = {AIRFLOW_1_10.name: AIRFLOW_1_10}
