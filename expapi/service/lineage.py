"""Lineage: the inlets and outlets of the tasks of a run."""

from __future__ import annotations

from typing import Any

from expapi.errors import NotImplementedHere
from expapi.flavours import presenters
from expapi.service import lookups
from expapi.service.context import Context
from expapi.store.outcomes import NotKept

# expapi's own words: an Airflow 3 behind the gateway keeps no lineage this endpoint could show.
LINEAGE_NOT_KEPT = "Lineage is not available here: {where} keeps no lineage its stable API can show"


def get_lineage(ctx: Context, dag_id: str, execution_date: str) -> dict[str, Any]:
    """Per task of the run, its inlets and outlets (what the store knows of them)."""
    when = lookups.execution_date(ctx, execution_date)
    dag = lookups.dag_definition(ctx, dag_id)
    run = lookups.dag_run(ctx, dag_id, when)
    try:
        lineage = ctx.store.get_lineage(dag, run)
    except NotKept as missing:
        raise NotImplementedHere(LINEAGE_NOT_KEPT.format(where=missing.where)) from None
    return presenters.lineage(ctx.flavour, lineage)
