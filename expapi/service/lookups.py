"""Finding a DAG, a task and a run, with Airflow's not-found messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from expapi.dags.definition import Dag, Task
from expapi.errors import NotFound
from expapi.models import DagModel, DagRun, SerializedDag
from expapi.service.context import Context


def dag_model(ctx: Context, dag_id: str) -> DagModel:
    """The DAG's row, or 404 ``Dag id <id> not found in DagModel``."""
    model = ctx.session.get(DagModel, dag_id)
    if model is None:
        raise NotFound(f"Dag id {dag_id} not found in DagModel")
    return model


def dag(ctx: Context, dag_id: str) -> Dag:
    """The DAG's definition, checked as Airflow's ``check_and_get_dag`` does."""
    dag_model(ctx, dag_id)
    data = ctx.session.scalar(select(SerializedDag.data).where(SerializedDag.dag_id == dag_id))
    if data is None:
        raise NotFound(f"Dag id {dag_id} not found")
    return Dag.from_data(data)


def task(ctx: Context, dag_definition: Dag, task_id: str) -> Task:
    """A task of the DAG, or 404 ``Task <t> not found in dag <d>``."""
    found = dag_definition.tasks.get(task_id)
    if found is None:
        raise NotFound(f"Task {task_id} not found in dag {dag_definition.dag_id}")
    return found


def dag_run(ctx: Context, dag_id: str, execution_date: datetime) -> DagRun:
    """The run at exactly this instant, or 404 ``Dag Run for date <d> not found in dag <id>``."""
    run = ctx.session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.execution_date == execution_date))
    if run is None:
        raise NotFound(
            f"Dag Run for date {ctx.flavour.client_date_str(execution_date)} not found in dag {dag_id}"
        )
    return run
