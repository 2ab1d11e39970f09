"""Handlers for DAGs: source code, paused state, deletion."""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionResponse

from expapi.runtime import with_context
from expapi.service import dags
from expapi.service.context import Context


@with_context
def get_dag_code(ctx: Context, *, dag_id: str) -> ConnexionResponse:
    """Get the text of the DAG's file, as plain text."""
    return ConnexionResponse(
        status_code=200, body=dags.get_dag_code(ctx, dag_id), content_type="text/plain; charset=utf-8"
    )


@with_context
def get_dag_paused(ctx: Context, *, dag_id: str) -> dict[str, Any]:
    """Get whether the DAG is paused."""
    return dags.get_dag_paused(ctx, dag_id)


@with_context
def set_dag_paused(ctx: Context, *, dag_id: str, paused: str) -> dict[str, Any]:
    """Pause ('true') or unpause (anything else) the DAG; a GET that changes state, as in Airflow."""
    return dags.set_dag_paused(ctx, dag_id, paused)


@with_context
def delete_dag(ctx: Context, *, dag_id: str) -> dict[str, Any]:
    """Delete every database record of the DAG."""
    return dags.delete_dag(ctx, dag_id)
