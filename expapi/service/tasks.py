"""Tasks: an operator's attributes, rendered as Airflow renders them."""

from __future__ import annotations

from typing import Any

from expapi.dags.definition import Dag, Task, resolve_date
from expapi.flavours import Flavour
from expapi.service import lookups
from expapi.service.context import Context
from expapi.service.render import python_str


def get_task(ctx: Context, dag_id: str, task_id: str) -> dict[str, str]:
    """Every public attribute of the task's operator, each as a string."""
    dag = lookups.dag(ctx, dag_id)
    task = lookups.task(ctx, dag, task_id)
    return {name: python_str(value) for name, value in sorted(task_attributes(ctx.flavour, dag, task).items())}


def task_attributes(flavour: Flavour, dag: Dag, task: Task) -> dict[str, Any]:
    """The operator's attributes: Airflow's defaults, then default_args, then the task's own."""
    attributes: dict[str, Any] = {
        **flavour.base_operator_defaults,
        **flavour.operator_defaults.get(task.operator, {}),
        **dag.default_args,
        **task.attributes,
    }
    attributes["task_id"] = task.task_id
    attributes["start_date"] = dag.task_start_date(task)
    attributes["end_date"] = resolve_date(attributes.get("end_date"))
    attributes["upstream_task_ids"] = set(task.upstream)
    attributes["downstream_task_ids"] = set(task.downstream)
    return attributes
