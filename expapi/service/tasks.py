"""Tasks: an operator's attributes, rendered as Airflow renders them."""

from __future__ import annotations

from typing import Any

from expapi.dags.definition import Dag, Task, resolve_date
from expapi.flavours import Flavour, presenters
from expapi.service import lookups
from expapi.service.context import Context


def get_task(ctx: Context, dag_id: str, task_id: str) -> dict[str, str]:
    """Every public attribute of the task's operator, each as a string."""
    dag = lookups.dag_definition(ctx, dag_id)
    task = lookups.task(ctx, dag, task_id)
    return presenters.task(ctx.flavour, task_attributes(ctx.flavour, dag, task))


def task_attributes(flavour: Flavour, dag: Dag, task: Task) -> dict[str, Any]:
    """The operator's attributes: Airflow's defaults, then default_args, then the task's own."""
    attributes: dict[str, Any] = {**flavour.defaults_for(task.operator), **dag.default_args, **task.attributes}
    attributes["task_id"] = task.task_id
    attributes["start_date"] = dag.task_start_date(task)
    attributes["end_date"] = resolve_date(attributes.get("end_date"))
    attributes["upstream_task_ids"] = set(task.upstream)
    attributes["downstream_task_ids"] = set(task.downstream)
    return attributes
