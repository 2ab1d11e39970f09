"""Handlers for DAG runs: trigger, list, state and the latest run of each DAG."""

from __future__ import annotations

from typing import Any

from expapi.runtime import with_context
from expapi.service import dag_runs
from expapi.service.context import Context


@with_context
def trigger_dag_run(ctx: Context, *, dag_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Trigger a run of the DAG."""
    return dag_runs.trigger_dag_run(
        ctx,
        dag_id,
        run_id=body.get("run_id"),
        conf=body.get("conf"),
        conf_given="conf" in body,
        execution_date=body.get("execution_date"),
        replace_microseconds=body.get("replace_microseconds"),
    )


@with_context
def list_dag_runs(ctx: Context, *, dag_id: str, state: str | None = None) -> list[dict[str, Any]]:
    """List the DAG's runs, optionally of one state."""
    return dag_runs.list_dag_runs(ctx, dag_id, state)


@with_context
def get_dag_run_state(ctx: Context, *, dag_id: str, execution_date: str) -> dict[str, Any]:
    """Get the state of the DAG's run at a date."""
    return dag_runs.get_dag_run_state(ctx, dag_id, execution_date)


@with_context
def get_latest_runs(ctx: Context) -> dict[str, Any]:
    """Get the newest run of every DAG."""
    return dag_runs.get_latest_runs(ctx)
