"""Lineage: the inlets and outlets of the tasks of a run."""

from __future__ import annotations

from typing import Any

from expapi.flavours import presenters
from expapi.service import lookups
from expapi.service.context import Context


def get_lineage(ctx: Context, dag_id: str, execution_date: str) -> dict[str, Any]:
    """Per task of the run, its inlets and outlets (what the store knows of them)."""
    when = lookups.execution_date(ctx, execution_date)
    dag = lookups.dag_definition(ctx, dag_id)
    run = lookups.dag_run(ctx, dag_id, when)
    return presenters.lineage(ctx.flavour, ctx.store.get_lineage(dag, run))
