"""What a store hands the service, and what the service asks it to create: plain immutable records.

They hold values, never a database row or an HTTP response, so any store can make them:
the SQL store from selected columns, an Airflow stable-API store from its JSON. Dates are
aware datetimes. A DAG's definition is ``expapi.dags.definition.Dag``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DagRecord:
    """A DAG the store knows (Airflow's ``dag`` table, the stable API's DAG)."""

    dag_id: str
    is_paused: bool
    # False once the DAG's file is gone (the stable API's ``is_stale`` / not ``is_active``).
    is_active: bool
    fileloc: str
    owners: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class DagRunSummary:
    """One run of a DAG as the run listings show it: a store reads no more for a listing."""

    dag_id: str
    run_id: str
    # The run's logical date (the stable API's ``logical_date``).
    execution_date: datetime
    state: str | None
    start_date: datetime | None = None
    # The store's own number for the run; None where a store has none (the stable API).
    id: int | None = None


@dataclass(frozen=True)
class DagRunRecord(DagRunSummary):
    """One run of a DAG, whole."""

    end_date: datetime | None = None
    external_trigger: bool = True
    conf: Mapping[str, Any] | None = None
    # When the run was made queued; None if it never was (1.10's runs) or the store does not know.
    queued_at: datetime | None = None


@dataclass(frozen=True)
class TaskInstanceRecord:
    """One task of one run, with the attributes the experimental API shows."""

    dag_id: str
    task_id: str
    execution_date: datetime
    run_id: str
    state: str | None
    start_date: datetime | None = None
    end_date: datetime | None = None
    duration: float | None = None
    try_number: int = 0
    max_tries: int = 0
    hostname: str = ""
    unixname: str = ""
    job_id: int | None = None
    pool: str = ""
    pool_slots: int = 1
    queue: str | None = None
    priority_weight: int | None = None
    operator: str | None = None
    queued_dttm: datetime | None = None
    pid: int | None = None
    executor_config: Mapping[str, Any] | None = None
    # The row's last write; None where the store does not know it.
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PoolRecord:
    """A pool of task slots."""

    name: str
    slots: int
    description: str | None
    # The store's own number for the pool; None where a store has none (the stable API).
    id: int | None = None
    include_deferred: bool = False


@dataclass(frozen=True)
class NewDagRun:
    """A run the service asks the store to create, as a trigger made it."""

    dag_id: str
    run_id: str
    execution_date: datetime
    state: str
    start_date: datetime | None
    conf: Mapping[str, Any] | None
    external_trigger: bool = True
    # Set when the run is created queued (see queued_at_for).
    queued_at: datetime | None = None


def queued_at_for(state: str, now: datetime) -> datetime | None:
    """A new run's ``queued_at``: now if it starts queued, as Airflow 2's DagRun does; else none."""
    return now if state == "queued" else None


@dataclass(frozen=True)
class NewTaskInstance:
    """A task instance a new run starts with, as Airflow makes them when it creates a run.

    A store whose Airflow creates task instances itself (the stable API) may ignore these.
    """

    task_id: str
    operator: str
    max_tries: int
    pool: str
    pool_slots: int
    queue: str
    priority_weight: int
    executor_config: Mapping[str, Any]
    unixname: str
