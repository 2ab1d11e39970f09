"""Airflow 1.10.15's experimental API (the classic ``www`` app), as data."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

from expapi.flavours.cli_habits import CLI_1_10
from expapi.flavours.flavour import ConfNotADict, Flavour
from expapi.flavours.messages import Messages


def _str_t(value: datetime) -> str:
    # pendulum 1's str(): isoformat with 'T'; what 1.10 prints for dates a client sent.
    return value.isoformat()


def _str_space(value: datetime) -> str:
    # Python's str(datetime); what 1.10 prints for dates it made itself.
    return str(value)


def _graph_url_1_10(dag_id: str, execution_date: datetime) -> str:
    # urlencode()'s output, built faster (once per row of every run listing): str() of a
    # datetime holds only digits, "-", ".", " ", ":" and "+", which quote_plus writes thus.
    date = str(execution_date).replace("+", "%2B").replace(":", "%3A").replace(" ", "+")
    return f"/admin/airflow/graph?dag_id={_quoted(dag_id)}&execution_date={date}"


@functools.lru_cache(maxsize=1024)
def _quoted(dag_id: str) -> str:
    return quote_plus(dag_id)


def _read_conf_1_10(conf: Any, given: bool) -> Mapping[str, Any] | None:
    # 1.10 json.loads a string conf (its documented curl example sends one); an empty conf
    # (None, "", {}) means no conf at all; other falsy values (0, false, []) are refused.
    if conf is None or conf == "" or conf == {}:
        return None
    if isinstance(conf, str):
        try:
            conf = json.loads(conf)
        except ValueError:
            raise ConfNotADict(conf) from None
    if not isinstance(conf, dict):
        raise ConfNotADict(conf)
    return conf or None


_PYTHON_OPERATOR_1_10 = {
    "python_callable": None,
    "op_args": [],
    "op_kwargs": {},
    "provide_context": False,
    "templates_dict": None,
    "templates_exts": None,
}

MESSAGES = Messages(
    dag_not_found_in_dag_model="Dag id {dag_id} not found in DagModel",
    dag_not_found="Dag id {dag_id} not found",
    task_not_found="Task {task_id} not found in dag {dag_id}",
    dag_run_not_found="Dag Run for date {execution_date} not found in dag {dag_id}",
    task_instance_not_found="Task {task_id} instance for date {execution_date} not found",
    # 1.10 answered a 500 with the read error; expapi names what is missing.
    dag_code_not_found="Code of Dag id {dag_id} not found",
    unreadable_execution_date="Given execution date, {value}, could not be identified as a date. Example date format: {example}",
    # Airflow 2.1.1's words: 1.10 answered 500 to a conf that is not an object.
    conf_not_a_dict="Dag Run conf must be a dictionary object, other types are not supported",
    # 1.10 takes any state filter (an unknown one matches nothing); kept for the table's completeness.
    dag_run_state_invalid="'{state}' is not a valid DagRunState",
    # Airflow raised this as a ValueError (a 500); expapi answers it as a 400.
    execution_date_before_start_date=(
        "The execution_date [{execution_date}] should be >= start_date [{start_date}] from DAG's default_args"
    ),
    run_id_exists="Run id {run_id} already exists for dag id {dag_id}",
    # 1.10 answered a 500 (IntegrityError) to a second run at one date; these are Airflow 2.2's words.
    execution_date_exists="A Dag Run already exists for dag id {dag_id} at {execution_date} with run id {run_id}",
    run_created="Created <DagRun {dag_id} @ {execution_date}: {run_id}, externally triggered: True>",
    dag_records_removed="Removed {count} record(s)",
    # 1.10 deletes whatever runs; Airflow 2's words, for the table's completeness.
    task_instances_still_running="TaskInstances still running",
    pool_name_empty="Pool name shouldn't be empty",
    pool_name_too_long="Pool name can't be more than {length} characters",
    pool_not_found="Pool '{name}' doesn't exist",
    pool_slots_invalid="Bad value for `slots`: {slots}",
    pool_not_deletable="{name} cannot be deleted",
    route_not_found=(
        "The requested URL was not found on the server. "
        "If you entered the URL manually please check your spelling and try again."
    ),
    method_not_allowed="The method is not allowed for the requested URL.",
)

AIRFLOW_1_10 = Flavour(
    name="1.10",
    aliases=("1", "1.10.15"),
    airflow_version="1.10.15",
    examples="airflow-1.10",
    json_separators=(",", ":"),
    json_trailing_newline=True,
    triggered_run_state="running",
    triggered_run_starts_now=True,
    client_date_str=_str_t,
    server_date_str=_str_space,
    dag_run_url=_graph_url_1_10,
    messages=MESSAGES,
    dag_run_keys=("dag_id", "dag_run_url", "execution_date", "id", "run_id", "start_date", "state"),
    latest_run_keys=("dag_id", "dag_run_url", "execution_date", "start_date"),
    pool_keys=("description", "id", "pool", "slots"),
    # Airflow 1.10's password_auth: 401 without credentials, 403 with wrong ones.
    wrong_password_status=403,
    read_conf=_read_conf_1_10,
    cli=CLI_1_10,
    task_instance_keys=(
        "dag_id", "duration", "end_date", "execution_date", "executor_config", "hostname", "job_id",
        "max_tries", "operator", "pid", "pool", "pool_slots", "priority_weight", "queue", "queued_dttm",
        "start_date", "state", "task_id", "test_mode", "unixname",
    ),
    # DagRun.__repr__ of 1.10 (its task instances do not show their run; its trigger message does).
    dag_run_repr="<DagRun {dag_id} @ {execution_date}: {run_id}, externally triggered: {external_trigger}>",
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
    # 1.10's names: none_failed_or_skipped and dummy became none_failed_min_one_success and always in 2.
    trigger_rules={
        "all_success": "all_success",
        "all_failed": "all_failed",
        "all_done": "all_done",
        "one_success": "one_success",
        "one_failed": "one_failed",
        "none_failed": "none_failed",
        "none_failed_or_skipped": "none_failed_min_one_success",
        "none_skipped": "none_skipped",
        "dummy": "always",
    },
    # 1.10's scheduler creates runs already running.
    scheduled_run_state="running",
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
