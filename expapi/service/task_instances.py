"""Task instances: one task of one run, rendered as Airflow renders them."""

from __future__ import annotations

from sqlalchemy import select

from expapi.dates import parse_execution_date
from expapi.errors import NotFound
from expapi.models import TaskInstance
from expapi.service import lookups
from expapi.service.context import Context
from expapi.service.render import python_str


def get_task_instance(ctx: Context, dag_id: str, execution_date: str, task_id: str) -> dict[str, str]:
    """The task instance's attributes (the flavour's key set), each as a string."""
    when = parse_execution_date(execution_date, ctx.timezone)
    dag = lookups.dag(ctx, dag_id)
    lookups.task(ctx, dag, task_id)
    lookups.dag_run(ctx, dag_id, when)
    instance = ctx.session.scalar(
        select(TaskInstance).where(
            TaskInstance.dag_id == dag_id, TaskInstance.task_id == task_id, TaskInstance.execution_date == when
        )
    )
    if instance is None:
        raise NotFound(f"Task {task_id} instance for date {ctx.flavour.client_date_str(when)} not found")
    values = {
        "executor_config": instance.executor_config or {},
        "test_mode": False,
    }
    return {
        key: python_str(values[key] if key in values else getattr(instance, key, None))
        for key in ctx.flavour.task_instance_keys
    }
