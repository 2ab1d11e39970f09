"""Handler for lineage."""

from __future__ import annotations

from typing import Any

from expapi.runtime import with_context
from expapi.service import lineage
from expapi.service.context import Context


@with_context
def get_lineage(ctx: Context, *, dag_id: str, execution_date: str) -> dict[str, Any]:
    """Get the inlets and outlets of the tasks of the DAG's run at a date."""
    return lineage.get_lineage(ctx, dag_id, execution_date)
