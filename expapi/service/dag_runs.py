"""DAG runs: triggering one, listing them, reading one's state, the latest per DAG."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import Any

from expapi.dags.definition import Dag
from expapi.dates import utcnow
from expapi.errors import ApiError, BadRequest
from expapi.flavours import presenters
from expapi.flavours.flavour import ConfNotADict, Flavour
from expapi.service import lookups
from expapi.service.context import Context
from expapi.store.outcomes import DagNotFound, DuplicateExecutionDate, DuplicateRunId, RunRefused
from expapi.store.records import NewDagRun, NewTaskInstance, queued_at_for

TRUE_STRINGS = ("true", "t", "y", "yes", "1")


def trigger_dag_run(
    ctx: Context,
    dag_id: str,
    *,
    run_id: str | int | None = None,
    conf: Any = None,
    conf_given: bool | None = None,
    execution_date: Any = None,
    replace_microseconds: bool | str | None = None,
) -> dict[str, Any]:
    """Create a run of the DAG (and its task instances), as ``POST .../dag_runs`` does."""
    try:
        run_conf = ctx.flavour.read_conf(conf, conf is not None if conf_given is None else conf_given)
    except ConfNotADict:
        raise BadRequest(ctx.messages.conf_not_a_dict) from None
    if run_conf:
        _check_conf_size(dict(run_conf))
    supplied = execution_date is not None
    when = lookups.execution_date(ctx, execution_date) if supplied else None
    strip_microseconds = _read_flag(replace_microseconds, default=not supplied)

    dag = lookups.dag_definition(ctx, dag_id)  # 404s for an unknown DAG, then for a missing definition
    if when is None:
        when = utcnow()
    if strip_microseconds:
        when = when.replace(microsecond=0)
    _check_start_date(ctx, dag, when)
    # A number is stored as its string, as Airflow 1.10's string column did.
    run_id = str(run_id) if run_id else f"manual__{when.isoformat()}"
    date_str = ctx.flavour.client_date_str if supplied else ctx.flavour.server_date_str
    state = ctx.flavour.triggered_run_state
    queued_at = queued_at_for(state, utcnow())
    # Airflow 2's message also names the new run's state and the moment it was queued.
    said = {"dag_id": dag_id, "execution_date": date_str(when), "run_id": run_id, "state": state, "queued_at": str(queued_at)}

    run = NewDagRun(
        dag_id=dag_id,
        run_id=run_id,
        execution_date=when,
        state=state,
        start_date=utcnow() if ctx.flavour.triggered_run_starts_now else None,
        conf=run_conf,
        queued_at=queued_at,
    )
    try:
        ctx.store.create_dag_run(run, new_task_instances(ctx.flavour, dag, when))
    except DuplicateRunId:
        raise BadRequest(ctx.messages.run_id_exists.format(**said)) from None
    except DuplicateExecutionDate:
        raise BadRequest(ctx.messages.execution_date_exists.format(**said)) from None
    except RunRefused as refused:
        raise BadRequest(refused.reason) from None
    return presenters.triggered_run(ctx.flavour, when, run_id, ctx.messages.run_created.format(**said))


# The largest conf stored, as the JSON the column holds: within every database's bound (MySQL
# and MariaDB send a row in one packet, max_allowed_packet, 4 MiB at its smallest default;
# PostgreSQL's json and SQLite's text take up to 1 GB), whatever [webserver] max_request_body is.
MAX_CONF_BYTES = 1024 * 1024


def _check_conf_size(conf: dict[str, Any]) -> None:
    try:
        size = len(json.dumps(conf))  # ASCII-escaped, as the column stores it: characters = bytes
    except RecursionError:
        raise BadRequest("conf is nested too deeply to be stored") from None
    if size > MAX_CONF_BYTES:
        raise BadRequest(f"conf is {size} bytes as JSON; at most {MAX_CONF_BYTES} bytes are stored")


def _read_flag(value: bool | str | None, *, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return value.lower() in TRUE_STRINGS


def _check_start_date(ctx: Context, dag: Dag, when: datetime) -> None:
    # Only default_args' start date guards a trigger, as in Airflow.
    start = dag.default_args_start_date()
    if start is not None and when < start:
        raise BadRequest(
            ctx.messages.execution_date_before_start_date.format(execution_date=when.isoformat(), start_date=start.isoformat())
        )


def new_task_instances(flavour: Flavour, dag: Dag, when: datetime) -> list[NewTaskInstance]:
    """The task instances Airflow creates with a run: one per task already started by its date (the scheduler's runs too)."""
    instances = []
    unixname = _unixname()
    for task in dag.tasks.values():
        start = dag.task_start_date(task)
        if start is not None and start > when:
            continue
        defaults = flavour.defaults_for(task.operator)
        attrs = {**dag.default_args, **task.attributes}
        instances.append(
            NewTaskInstance(
                task_id=task.task_id,
                operator=task.operator,
                max_tries=int(_set_or_default(attrs, defaults, "retries")),
                pool=str(_set_or_default(attrs, defaults, "pool")),
                pool_slots=int(_set_or_default(attrs, defaults, "pool_slots")),
                queue=str(_set_or_default(attrs, defaults, "queue")),
                priority_weight=dag.priority_weight_total(task.task_id, defaults),
                executor_config=_set_or_default(attrs, defaults, "executor_config"),
                unixname=unixname,
            )
        )
    return instances


def _set_or_default(attributes: dict[str, Any], defaults: dict[str, Any], name: str) -> Any:
    # An attribute left empty takes the operator's default, as Airflow's constructor does.
    return attributes.get(name) or defaults[name]


def _unixname() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def list_dag_runs(ctx: Context, dag_id: str, state: str | None = None) -> list[dict[str, Any]]:
    """The DAG's runs, oldest first, optionally of one state (any case)."""
    try:
        runs = ctx.store.list_dag_runs(dag_id, _state_filter(ctx, dag_id, state))
    except ApiError as exc:
        # Airflow answers 400 to every error of this endpoint, an unknown DAG included.
        raise BadRequest(exc.message) from None
    except DagNotFound:
        raise BadRequest(lookups.dag_not_found_in_dag_model(ctx, dag_id).message) from None
    return presenters.dag_runs(ctx.flavour, runs)


def _state_filter(ctx: Context, dag_id: str, state: str | None) -> str | None:
    # Airflow lower-cases the filter; Airflow 2 then refuses a state it does not know
    # (a ValueError, i.e. a 500 there; a 400 in its words here).
    if not state:
        return None
    wanted = state.lower()
    known = ctx.flavour.dag_run_states
    if known is not None and wanted not in known:
        lookups.dag(ctx, dag_id)  # Airflow looks the DAG up first: an unknown one is reported instead
        raise BadRequest(ctx.messages.dag_run_state_invalid.format(state=wanted))
    return wanted


def get_dag_run_state(ctx: Context, dag_id: str, execution_date: str) -> dict[str, Any]:
    """The state of the run at this date."""
    when = lookups.execution_date(ctx, execution_date)
    lookups.dag_definition(ctx, dag_id)
    return presenters.dag_run_state(ctx.flavour, lookups.dag_run(ctx, dag_id, when))


def get_latest_runs(ctx: Context) -> dict[str, Any]:
    """Each DAG's run with the newest execution date."""
    return presenters.latest_runs(ctx.flavour, ctx.store.get_latest_dag_runs())
