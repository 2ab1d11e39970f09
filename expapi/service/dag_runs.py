"""DAG runs: triggering one, listing them, reading one's state, the latest per DAG."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from expapi.dags.definition import Dag
from expapi.dates import parse_execution_date, utcnow
from expapi.errors import BadRequest
from expapi.models import DagRun, TaskInstance
from expapi.service import lookups
from expapi.service.context import Context
from expapi.service.render import iso_or_empty

CONF_NOT_A_DICT = "Dag Run conf must be a dictionary object, other types are not supported"
TRUE_STRINGS = ("true", "t", "y", "yes", "1")


def trigger_dag(
    ctx: Context,
    dag_id: str,
    *,
    run_id: str | None = None,
    conf: Any = None,
    execution_date: Any = None,
    replace_microseconds: bool | str | None = None,
) -> dict[str, Any]:
    """Create a run of the DAG (and its task instances), as ``POST .../dag_runs`` does."""
    run_conf = _read_conf(conf)
    supplied = execution_date is not None
    when = parse_execution_date(execution_date, ctx.timezone) if supplied else None
    strip_microseconds = _read_flag(replace_microseconds, default=not supplied)

    dag = lookups.dag(ctx, dag_id)  # 404s for an unknown DAG, then for a missing definition
    if when is None:
        when = utcnow()
    if strip_microseconds:
        when = when.replace(microsecond=0)
    _check_start_date(dag, when)
    run_id = run_id or f"manual__{when.isoformat()}"
    date_str = ctx.flavour.client_date_str if supplied else ctx.flavour.server_date_str

    _refuse_duplicate(ctx, dag_id, run_id, when, date_str)
    try:
        with ctx.session.begin_nested():
            _create_run(ctx, dag, run_id, when, run_conf)
    except IntegrityError:
        # Another request won the race between our check and our insert.
        _refuse_duplicate(ctx, dag_id, run_id, when, date_str)
        raise BadRequest(
            ctx.flavour.execution_date_exists_message.format(dag_id=dag_id, execution_date=date_str(when), run_id=run_id)
        ) from None
    message = ctx.flavour.created_message.format(dag_id=dag_id, execution_date=date_str(when), run_id=run_id)
    return {"execution_date": when.isoformat(), "message": message, "run_id": run_id}


def _read_conf(conf: Any) -> dict[str, Any] | None:
    # As in 1.10, an empty conf (None, "", {}) means no conf at all; other falsy
    # values (0, false, []) are not objects and are refused like any other.
    if conf is None or conf == "" or conf == {}:
        return None
    if isinstance(conf, str):
        try:
            conf = json.loads(conf)
        except ValueError:
            raise BadRequest(CONF_NOT_A_DICT) from None
    if not isinstance(conf, dict):
        raise BadRequest(CONF_NOT_A_DICT)
    return conf or None


def _read_flag(value: bool | str | None, *, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return value.lower() in TRUE_STRINGS


def _check_start_date(dag: Dag, when: datetime) -> None:
    # Only default_args' start date guards a trigger, as in Airflow.
    start = dag.default_args_start_date()
    if start is not None and when < start:
        raise BadRequest(
            f"The execution_date [{when.isoformat()}] should be >= start_date [{start.isoformat()}] from DAG's default_args"
        )


def _refuse_duplicate(ctx: Context, dag_id: str, run_id: str, when: datetime, date_str) -> None:
    # One query, so one snapshot: two would let a concurrent trigger commit in between
    # and the same request get the date message where a later one gets the run id message.
    clash = select(DagRun.run_id).where(DagRun.dag_id == dag_id, or_(DagRun.run_id == run_id, DagRun.execution_date == when))
    taken = set(ctx.session.scalars(clash))
    if run_id in taken:
        raise BadRequest(ctx.flavour.run_id_exists_message.format(run_id=run_id, dag_id=dag_id))
    if taken:
        raise BadRequest(
            ctx.flavour.execution_date_exists_message.format(dag_id=dag_id, execution_date=date_str(when), run_id=run_id)
        )


def _create_run(ctx: Context, dag: Dag, run_id: str, when: datetime, conf: dict[str, Any] | None) -> DagRun:
    now = utcnow()
    run = DagRun(
        dag_id=dag.dag_id,
        run_id=run_id,
        execution_date=when,
        start_date=now if ctx.flavour.triggered_run_starts_now else None,
        state=ctx.flavour.triggered_run_state,
        external_trigger=True,
        conf=conf,
    )
    ctx.session.add(run)
    unixname = _unixname()
    for task in dag.tasks.values():
        # Airflow makes instances only for tasks already started by this date.
        start = dag.task_start_date(task)
        if start is not None and start > when:
            continue
        attrs = {**dag.default_args, **task.attributes}
        ctx.session.add(
            TaskInstance(
                dag_id=dag.dag_id,
                task_id=task.task_id,
                execution_date=when,
                run_id=run_id,
                state=None,
                try_number=0,
                max_tries=int(attrs.get("retries") or 0),
                hostname="",
                unixname=unixname,
                pool=str(attrs.get("pool") or ctx.flavour.base_operator_defaults["pool"]),
                pool_slots=int(attrs.get("pool_slots") or 1),
                queue=str(attrs.get("queue") or ctx.flavour.base_operator_defaults["queue"]),
                priority_weight=dag.priority_weight_total(task.task_id),
                operator=task.operator,
                executor_config=attrs.get("executor_config") or {},
            )
        )
    ctx.session.flush()
    return run


def _unixname() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def list_dag_runs(ctx: Context, dag_id: str, state: str | None = None) -> list[dict[str, Any]]:
    """The DAG's runs, oldest first, optionally of one state (any case)."""
    lookups.dag_model(ctx, dag_id)
    query = select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.execution_date)
    if state:
        query = query.where(DagRun.state == state.lower())
    return [
        {
            "dag_id": run.dag_id,
            "dag_run_url": ctx.flavour.dag_run_url(run.dag_id, run.execution_date),
            "execution_date": run.execution_date.isoformat(),
            "id": run.id,
            "run_id": run.run_id,
            "start_date": iso_or_empty(run.start_date),
            "state": run.state,
        }
        for run in ctx.session.scalars(query)
    ]


def get_dag_run_state(ctx: Context, dag_id: str, execution_date: str) -> dict[str, Any]:
    """The state of the run at this date."""
    when = parse_execution_date(execution_date, ctx.timezone)
    lookups.dag(ctx, dag_id)
    return {"state": lookups.dag_run(ctx, dag_id, when).state}


def latest_runs(ctx: Context) -> dict[str, Any]:
    """Each DAG's run with the newest execution date."""
    newest = (
        select(DagRun.dag_id, func.max(DagRun.execution_date).label("execution_date"))
        .group_by(DagRun.dag_id)
        .subquery()
    )
    query = (
        select(DagRun)
        .join(newest, (DagRun.dag_id == newest.c.dag_id) & (DagRun.execution_date == newest.c.execution_date))
        .order_by(DagRun.dag_id)
    )
    items = [
        {
            "dag_id": run.dag_id,
            "dag_run_url": ctx.flavour.dag_run_url(run.dag_id, run.execution_date),
            "execution_date": run.execution_date.isoformat(),
            "start_date": iso_or_empty(run.start_date),
        }
        for run in ctx.session.scalars(query)
    ]
    return {"items": items}
