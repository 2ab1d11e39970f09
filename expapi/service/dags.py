"""DAGs: their source, their paused flag, and deleting their records."""

from __future__ import annotations

from typing import Any

from expapi.errors import Conflict, NotFound
from expapi.flavours import presenters
from expapi.service import lookups
from expapi.service.context import Context
from expapi.store.outcomes import DagCodeMissing, DagNotFound, TaskInstancesStillRunning


def get_dag_code(ctx: Context, dag_id: str) -> str:
    """The text of the DAG's file, as stored by the last sync."""
    lookups.dag(ctx, dag_id)
    try:
        return ctx.store.get_dag_code(dag_id)
    except DagCodeMissing:
        raise NotFound(ctx.messages.dag_code_not_found.format(dag_id=dag_id)) from None


def get_dag_paused(ctx: Context, dag_id: str) -> dict[str, Any]:
    """Whether the DAG is paused."""
    return presenters.dag_paused(ctx.flavour, lookups.dag(ctx, dag_id))


def set_dag_paused(ctx: Context, dag_id: str, paused: str) -> dict[str, Any]:
    """Pause the DAG when ``paused`` is exactly 'true'; any other value unpauses it (Airflow's rule)."""
    try:
        ctx.store.set_dag_paused(dag_id, paused == "true")
    except DagNotFound:
        raise lookups.dag_not_found_in_dag_model(ctx, dag_id) from None
    return presenters.dag_paused_set(ctx.flavour)


def delete_dag(ctx: Context, dag_id: str) -> dict[str, Any]:
    """Remove every record of the DAG; its file stays, so a sync brings it back.

    The store refuses while task instances run where the flavour says so (Airflow 2).
    """
    try:
        count = ctx.store.delete_dag(dag_id)
    except DagNotFound:
        # Not "... in DagModel" here: Airflow's delete says it otherwise.
        raise NotFound(ctx.messages.dag_not_found.format(dag_id=dag_id)) from None
    except TaskInstancesStillRunning:
        # Airflow 2 answers 500; the request conflicts with the DAG's state, so 409, same words.
        raise Conflict(ctx.messages.task_instances_still_running) from None
    return presenters.dag_deleted(ctx.flavour, count, ctx.messages.dag_records_removed.format(count=count))
