"""Handler for tasks."""

from __future__ import annotations

from expapi.runtime import with_context
from expapi.service import tasks
from expapi.service.context import Context


@with_context
def get_task(ctx: Context, *, dag_id: str, task_id: str) -> dict[str, str]:
    """Get the attributes of a task of the DAG."""
    return tasks.get_task(ctx, dag_id, task_id)
