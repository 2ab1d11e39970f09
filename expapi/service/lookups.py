"""Finding a DAG, a task and a run, and reading a date, with Airflow's not-found messages."""

from __future__ import annotations

from datetime import datetime

from expapi.dags.definition import Dag, Task
from expapi.dates import EXAMPLE_DATE, UnreadableDate, parse_execution_date
from expapi.errors import BadRequest, NotFound
from expapi.service.context import Context
from expapi.store.outcomes import DagDefinitionMissing, DagNotFound, DagRunNotFound
from expapi.store.records import DagRecord, DagRunRecord


def execution_date(ctx: Context, value: object) -> datetime:
    """A date the client sent, read as Airflow reads it, or 400 ``Given execution date, …``."""
    try:
        return parse_execution_date(value, ctx.timezone)
    except UnreadableDate:
        raise BadRequest(ctx.messages.unreadable_execution_date.format(value=value, example=EXAMPLE_DATE)) from None


def dag(ctx: Context, dag_id: str) -> DagRecord:
    """The DAG, or 404 ``Dag id <id> not found in DagModel``."""
    try:
        return ctx.store.get_dag(dag_id)
    except DagNotFound:
        raise dag_not_found_in_dag_model(ctx, dag_id) from None


def dag_definition(ctx: Context, dag_id: str) -> Dag:
    """The DAG's definition, checked as Airflow's ``check_and_get_dag`` does: the DAG, then its definition."""
    try:
        return ctx.store.get_dag_definition(dag_id)
    except DagNotFound:
        raise dag_not_found_in_dag_model(ctx, dag_id) from None
    except DagDefinitionMissing:
        raise NotFound(ctx.messages.dag_not_found.format(dag_id=dag_id)) from None


def dag_not_found_in_dag_model(ctx: Context, dag_id: str) -> NotFound:
    """404 ``Dag id <id> not found in DagModel``."""
    return NotFound(ctx.messages.dag_not_found_in_dag_model.format(dag_id=dag_id))


def task(ctx: Context, dag_definition: Dag, task_id: str) -> Task:
    """A task of the DAG, or 404 ``Task <t> not found in dag <d>``."""
    found = dag_definition.tasks.get(task_id)
    if found is None:
        raise NotFound(ctx.messages.task_not_found.format(task_id=task_id, dag_id=dag_definition.dag_id))
    return found


def dag_run(ctx: Context, dag_id: str, when: datetime) -> DagRunRecord:
    """The run at exactly this instant, or 404 ``Dag Run for date <d> not found in dag <id>``."""
    try:
        return ctx.store.get_dag_run(dag_id, when)
    except DagRunNotFound:
        message = ctx.messages.dag_run_not_found.format(execution_date=ctx.flavour.client_date_str(when), dag_id=dag_id)
        raise NotFound(message) from None
