"""DAGs: their source, their paused flag, and deleting their records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from expapi.errors import NotFound
from expapi.models import DagCode, DagModel, DagRun, SerializedDag, TaskInstance
from expapi.service import lookups
from expapi.service.context import Context

# Tables whose rows belong to one DAG; deleting a DAG counts the rows it removes from each.
DAG_TABLES = (TaskInstance, DagRun, SerializedDag, DagModel)


def get_code(ctx: Context, dag_id: str) -> str:
    """The text of the DAG's file, as stored by the last sync."""
    lookups.dag_model(ctx, dag_id)
    source = ctx.session.scalar(select(DagCode.source_code).where(DagCode.dag_id == dag_id))
    if source is None:
        raise NotFound(f"Code of Dag id {dag_id} not found")
    return source


def get_paused(ctx: Context, dag_id: str) -> dict[str, Any]:
    """Whether the DAG is paused."""
    return {"is_paused": lookups.dag_model(ctx, dag_id).is_paused}


def set_paused(ctx: Context, dag_id: str, paused: str) -> dict[str, Any]:
    """Pause the DAG when ``paused`` is exactly 'true'; any other value unpauses it (Airflow's rule)."""
    model = lookups.dag_model(ctx, dag_id)
    model.is_paused = paused == "true"
    return {"response": "ok"}


def delete_dag(ctx: Context, dag_id: str) -> dict[str, Any]:
    """Remove every database record of the DAG; its file stays, so a sync brings it back."""
    if ctx.session.get(DagModel, dag_id, with_for_update=True) is None:
        raise NotFound(f"Dag id {dag_id} not found")
    count = 0
    for table in DAG_TABLES:
        count += ctx.session.execute(delete(table).where(table.dag_id == dag_id)).rowcount
    ctx.session.execute(delete(DagCode).where(DagCode.dag_id == dag_id))
    return {"count": count, "message": f"Removed {count} record(s)"}
