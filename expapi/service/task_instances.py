"""Task instances: one task of one run, rendered as Airflow renders them."""

from __future__ import annotations

from expapi.errors import NotFound
from expapi.flavours import presenters
from expapi.service import lookups
from expapi.service.context import Context
from expapi.store.outcomes import TaskInstanceNotFound


def get_task_instance(ctx: Context, dag_id: str, execution_date: str, task_id: str) -> dict[str, str]:
    """The task instance's attributes (the flavour's key set), each as a string."""
    when = lookups.execution_date(ctx, execution_date)
    dag = lookups.dag_definition(ctx, dag_id)
    lookups.task(ctx, dag, task_id)
    run = lookups.dag_run(ctx, dag_id, when)
    try:
        instance = ctx.store.get_task_instance(run, task_id)
    except TaskInstanceNotFound:
        message = ctx.messages.task_instance_not_found.format(task_id=task_id, execution_date=ctx.flavour.client_date_str(when))
        raise NotFound(message) from None
    return presenters.task_instance(ctx.flavour, instance, run)
