"""Handler for task instances."""

from __future__ import annotations

from expapi.runtime import with_context
from expapi.service import task_instances
from expapi.service.context import Context


@with_context
def get_task_instance(ctx: Context, *, dag_id: str, execution_date: str, task_id: str) -> dict[str, str]:
    """Get a task instance of the DAG's run at a date."""
    return task_instances.get_task_instance(ctx, dag_id, execution_date, task_id)
