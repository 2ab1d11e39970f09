"""The store protocol: what the service asks of wherever DAGs, runs and pools are kept.

Methods are coarse on purpose: each is one unit a SQL store answers with a query or two,
and a store over Airflow's stable REST API (``/api/v2`` in Airflow 3, ``/api/v1`` in 2)
with one or two calls; the comment on each names those calls. A store returns records
(``expapi.store.records``) and raises outcomes (``expapi.store.outcomes``); it states no
Airflow rule and writes no message, which the service does once for every store.

A ``Storage`` opens one unit of work per operation; its ``Store`` is valid only inside it.
Calls are synchronous: the service runs in a worker thread, and a store that speaks HTTP
bridges to its client from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from expapi.dags.definition import Dag
from expapi.store.records import (
    DagRecord,
    DagRunRecord,
    DagRunSummary,
    NewDagRun,
    NewTaskInstance,
    PoolRecord,
    TaskInstanceRecord,
)


class Store(Protocol):
    """One unit of work on the store (one transaction, for a database)."""

    def get_dag(self, dag_id: str) -> DagRecord:
        """The DAG; raises DagNotFound.  (GET /dags/{dag_id})"""

    def get_dag_definition(self, dag_id: str) -> Dag:
        """The DAG's tasks and attributes; raises DagNotFound, then DagDefinitionMissing.
        (GET /dags/{dag_id}/details and GET /dags/{dag_id}/tasks)"""

    def get_dag_code(self, dag_id: str) -> str:
        """The text of a known DAG's file; raises DagCodeMissing.
        (v2: GET /dagSources/{dag_id}; v1: GET /dagSources/{file_token} of the DAG)"""

    def set_dag_paused(self, dag_id: str, paused: bool) -> None:
        """Pause or unpause the DAG; raises DagNotFound.  (PATCH /dags/{dag_id} {"is_paused": …})"""

    def delete_dag(self, dag_id: str) -> int:
        """Remove every record of the DAG; returns how many were removed; raises DagNotFound.

        Raises TaskInstancesStillRunning, removing nothing, where the store refuses while task
        instances of the DAG run: the SQL store in the states the flavour names
        (``Flavour.dag_delete_refused_while``), checked and deleted in one transaction.
        (DELETE /dags/{dag_id}, which reports no count: a count of its runs and task instances
        first; Airflow refuses with 409 while task instances run)"""

    def create_dag_run(self, run: NewDagRun, task_instances: Sequence[NewTaskInstance]) -> DagRunRecord:
        """Create the run and its task instances, all or nothing.

        Raises DuplicateRunId when a run of the DAG has the run id, else DuplicateExecutionDate
        when one is at the date; a concurrent create of either is reported the same way.
        Raises RunRefused when the store itself refuses the run (Airflow's 400, e.g. a conf its
        params refuse).
        (POST /dags/{dag_id}/dagRuns with dag_run_id, logical_date and conf; on 409,
        GET /dags/{dag_id}/dagRuns/{run_id} tells which one clashed)
        """

    def list_dag_runs(self, dag_id: str, state: str | None = None) -> list[DagRunSummary]:
        """The DAG's runs (of one state, if given), oldest first; raises DagNotFound.
        (GET /dags/{dag_id}/dagRuns?state=…&order_by=logical_date, every page)"""

    def get_dag_run(self, dag_id: str, execution_date: datetime) -> DagRunRecord:
        """The run at exactly this instant; raises DagRunNotFound.
        (GET /dags/{dag_id}/dagRuns?logical_date_gte=…&logical_date_lte=…)"""

    def get_latest_dag_runs(self) -> list[DagRunSummary]:
        """The run with the newest date of each DAG that has runs, by DAG id.
        (GET /dags/~/dagRuns?order_by=-logical_date, paged until each DAG has its newest)"""

    def get_task_instance(self, run: DagRunRecord, task_id: str) -> TaskInstanceRecord:
        """The run's instance of the task; raises TaskInstanceNotFound.
        (GET /dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id})"""

    def get_lineage(self, dag: Dag, run: DagRunRecord) -> dict[str, dict[str, Any]]:
        """Per task of the run with any, its ``inlets`` and/or ``outlets``.
        (v1: the run's XCom entries pipeline_inlets and pipeline_outlets; v2 keeps none)"""

    def list_pools(self) -> list[PoolRecord]:
        """Every pool, oldest first.  (GET /pools, every page)"""

    def get_pool(self, name: str) -> PoolRecord:
        """The pool; raises PoolNotFound.  (GET /pools/{name})"""

    def upsert_pool(self, name: str, slots: int, description: str | None) -> PoolRecord:
        """Create the pool, or set the slots and description of the one with that name.
        (PATCH /pools/{name}; on 404, POST /pools)"""

    def delete_pool(self, name: str) -> PoolRecord:
        """Delete the pool; returns it as it was; raises PoolNotFound.
        (GET /pools/{name}, then DELETE /pools/{name})"""


class Storage(Protocol):
    """Where the data is kept: opens units of work, and is closed when the app stops."""

    def unit_of_work(self) -> AbstractContextManager[Store]:
        """A Store whose changes are kept if the block returns and dropped if it raises.

        Failures of the storage itself come out as StoreFailure outcomes, also when they
        happen at the end (a commit).
        """

    def close(self) -> None:
        """Release connections."""
