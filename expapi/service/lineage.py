"""Lineage: the inlets and outlets the tasks of a run declare."""

from __future__ import annotations

from typing import Any

from expapi.dates import parse_execution_date
from expapi.service import lookups
from expapi.service.context import Context


def get_lineage(ctx: Context, dag_id: str, execution_date: str) -> dict[str, Any]:
    """Per task of the run's DAG, the inlets and outlets its DAG file declares.

    Airflow reports what tasks pushed while running; expapi runs no tasks, so it
    reports what they declare.
    """
    when = parse_execution_date(execution_date, ctx.timezone)
    dag = lookups.dag(ctx, dag_id)
    lookups.dag_run(ctx, dag_id, when)
    task_ids: dict[str, dict[str, Any]] = {}
    for task in dag.tasks.values():
        declared = {key: task.attributes[key] for key in ("inlets", "outlets") if task.attributes.get(key)}
        if declared:
            task_ids[task.task_id] = declared
    return {"task_ids": task_ids}
