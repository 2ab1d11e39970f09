"""The Airflow store: the store protocol answered by a live Airflow through its stable REST API.

Each method is one or a few ``stable_api`` calls (v2 on Airflow 3, v1 on Airflow 2), read by
``translate`` into the store's records; Airflow's 404 and 409 become the store's outcomes,
so the service words them exactly as for the database. Every other upstream failure is
already an API error (503 unreachable, 502 rejected credentials or an unusable answer) and
goes out as it is. A "unit of work" is no transaction here: each call is one of Airflow's.

In passthrough mode the caller's own Basic credentials (``CALLER``, set per request by the
app) go with every call. docs/gateway.md lists what the stable APIs cannot supply.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from expapi.dags.definition import Dag, Task
from expapi.gateway import stable_api
from expapi.gateway.client import Upstream
from expapi.gateway.errors import UpstreamBadRequest, UpstreamConflict, UpstreamNotFound
from expapi.gateway.exchange import path
from expapi.gateway.tokens import Credentials
from expapi.gateway.stable_api import EARLIEST
from expapi.gateway.translate import format_timestamp, parse_timestamp, pool_fields, run_fields, task_attributes, task_instance_attributes
from expapi.store.outcomes import (
    DagCodeMissing,
    DagNotFound,
    DagRunNotFound,
    DuplicateExecutionDate,
    DuplicateRunId,
    PoolNotFound,
    NotKept,
    RunRefused,
    TaskInstanceNotFound,
    TaskInstancesStillRunning,
)
from expapi.store.records import (
    DagRecord,
    DagRunRecord,
    NewDagRun,
    NewTaskInstance,
    PoolRecord,
    TaskInstanceRecord,
)

# The API caller's Basic credentials for this request (passthrough mode); None otherwise.
CALLER: ContextVar[Credentials | None] = ContextVar("expapi_gateway_caller", default=None)

# What the experimental API's lineage shows, as Airflow 2 kept it: XCom entries of the run.
LINEAGE_KEYS = {"inlets": "pipeline_inlets", "outlets": "pipeline_outlets"}
# Task attributes the service computes itself from the DAG, never copied from the API's task.
_EDGE_KEYS = ("task_id", "upstream_task_ids", "downstream_task_ids")


class AirflowStorage:
    """A live Airflow as a storage; ``owns_upstream`` when closing it should close the client too."""

    def __init__(self, upstream: Upstream, *, owns_upstream: bool = False) -> None:
        self.upstream = upstream
        self.owns_upstream = owns_upstream

    @contextmanager
    def unit_of_work(self) -> Iterator[AirflowStore]:
        yield AirflowStore(self.upstream, CALLER.get())

    def close(self) -> None:
        if self.owns_upstream:
            self.upstream.close()  # type: ignore[attr-defined]  # SyncUpstream


class AirflowStore:
    """The store protocol over the stable API, as one caller."""

    def __init__(self, upstream: Upstream, caller: Credentials | None) -> None:
        self.upstream = upstream
        self.caller = caller

    # -- DAGs -------------------------------------------------------------------------------

    def get_dag(self, dag_id: str) -> DagRecord:
        try:
            dag = stable_api.get_dag(self.upstream, dag_id, caller=self.caller)
        except UpstreamNotFound:
            raise DagNotFound(dag_id) from None
        return _dag_record(dag)

    def get_dag_definition(self, dag_id: str) -> Dag:
        try:
            details = stable_api.get_dag_details(self.upstream, dag_id, caller=self.caller)
            tasks = stable_api.list_tasks(self.upstream, dag_id, caller=self.caller)
        except UpstreamNotFound:
            raise DagNotFound(dag_id) from None
        return _dag_definition(details, tasks)

    def get_dag_code(self, dag_id: str) -> str:
        try:
            return stable_api.get_dag_source(self.upstream, dag_id, caller=self.caller)
        except UpstreamNotFound:
            raise DagCodeMissing(dag_id) from None

    def set_dag_paused(self, dag_id: str, paused: bool) -> None:
        try:
            stable_api.set_dag_paused(self.upstream, dag_id, paused, caller=self.caller)
        except UpstreamNotFound:
            raise DagNotFound(dag_id) from None

    def delete_dag(self, dag_id: str) -> int:
        # Airflow's DELETE says nothing of what it removed: count the DAG, its runs and their
        # task instances first (the experimental API's count also held rows of other tables).
        try:
            stable_api.get_dag(self.upstream, dag_id, caller=self.caller)
            runs = self._total(path("dags", dag_id, "dagRuns"))
            instances = self._total(path("dags", dag_id, "dagRuns", "~", "taskInstances"))
            stable_api.delete_dag(self.upstream, dag_id, caller=self.caller)
        except UpstreamNotFound:
            raise DagNotFound(dag_id) from None
        except UpstreamConflict:
            # Both stable APIs refuse while task instances run (409), in either flavour.
            raise TaskInstancesStillRunning(dag_id, frozenset({"running"})) from None
        return 1 + runs + instances

    def _total(self, api_path: str) -> int:
        body = self.upstream.call("GET", api_path, params={"limit": 1}, caller=self.caller).json()
        return int(body.get("total_entries", 0))

    # -- DAG runs ---------------------------------------------------------------------------

    def create_dag_run(self, run: NewDagRun, task_instances: Sequence[NewTaskInstance]) -> DagRunRecord:
        # Airflow creates the task instances itself; the trigger always carries a date.
        conf = dict(run.conf) if run.conf is not None else None
        try:
            created = stable_api.trigger_dag_run(
                self.upstream, run.dag_id, logical_date=run.execution_date, run_id=run.run_id, conf=conf, caller=self.caller
            )
        except UpstreamNotFound:
            raise DagNotFound(run.dag_id) from None
        except UpstreamBadRequest as refused:
            # Airflow's 400 is about what the client sent (e.g. conf against the DAG's params);
            # a 422 would be about the body the gateway built: that stays a 502.
            if refused.status_code != 400:
                raise
            raise RunRefused(run.dag_id, refused.detail) from None
        except UpstreamConflict:
            # Airflow 3 does not say which key clashed: a run with the id tells.
            try:
                stable_api.get_dag_run(self.upstream, run.dag_id, run.run_id, caller=self.caller)
            except UpstreamNotFound:
                raise DuplicateExecutionDate(run.dag_id, run.run_id, run.execution_date) from None
            raise DuplicateRunId(run.dag_id, run.run_id, run.execution_date) from None
        return self._run_record(created)

    def list_dag_runs(self, dag_id: str, state: str | None = None) -> list[DagRunRecord]:
        # The DAG first: not every line answers 404 to the runs of an unknown DAG.
        self.get_dag(dag_id)
        try:
            runs = stable_api.list_dag_runs(self.upstream, dag_id, states=[state] if state else None, caller=self.caller)
        except UpstreamNotFound:
            raise DagNotFound(dag_id) from None
        return [self._run_record(run) for run in runs]

    def get_dag_run(self, dag_id: str, execution_date: datetime) -> DagRunRecord:
        try:
            runs = stable_api.list_dag_runs(self.upstream, dag_id, at=execution_date, caller=self.caller)
        except UpstreamNotFound:
            runs = []
        if not runs:
            raise DagRunNotFound(dag_id, execution_date)
        return self._run_record(runs[0])

    def get_latest_dag_runs(self) -> list[DagRunRecord]:
        # The stable API has no "newest run of each DAG": walk every run, newest first, when
        # that takes fewer pages than one call per DAG; else ask each DAG for its newest.
        line = self.upstream.api_line()
        every_run = path("dags", "~", "dagRuns")
        params = {"order_by": "-" + line.run_date_field, f"{line.run_date_filter}_gte": format_timestamp(EARLIEST)}
        body = self.upstream.call("GET", every_run, params={**params, "limit": 1}, caller=self.caller).json()
        dags = stable_api.list_dags(self.upstream, caller=self.caller)
        newest: dict[str, dict[str, Any]] = {}
        if body.get("total_entries", 0) / line.max_page_limit <= len(dags):
            for run in stable_api.pages(self.upstream, every_run, "dag_runs", params=params, caller=self.caller):
                newest.setdefault(run["dag_id"], run)
        else:
            for dag in dags:
                try:
                    run = stable_api.latest_dag_run(self.upstream, dag["dag_id"], caller=self.caller)
                except UpstreamNotFound:
                    continue  # deleted meanwhile
                if run is not None:
                    newest[dag["dag_id"]] = run
        return [self._run_record(newest[dag_id]) for dag_id in sorted(newest)]

    def _run_record(self, run: dict[str, Any]) -> DagRunRecord:
        fields = run_fields(self.upstream.api_line(), run)
        return DagRunRecord(
            dag_id=fields.dag_id,
            run_id=fields.run_id,
            execution_date=fields.execution_date,  # type: ignore[arg-type]  # dateless runs are filtered out
            state=fields.state,
            start_date=fields.start_date,
            end_date=fields.end_date,
            id=None,
            external_trigger=fields.external_trigger,
            conf=fields.conf or None,
            queued_at=fields.queued_at,
        )

    # -- task instances and lineage ---------------------------------------------------------

    def get_task_instance(self, run: DagRunRecord, task_id: str) -> TaskInstanceRecord:
        try:
            instance = stable_api.get_task_instance(self.upstream, run.dag_id, run.run_id, task_id, caller=self.caller)
        except UpstreamNotFound:
            raise TaskInstanceNotFound(run.dag_id, task_id, run.execution_date) from None
        found = task_instance_attributes(self.upstream.api_line(), instance)
        return TaskInstanceRecord(
            dag_id=found["dag_id"],
            task_id=found["task_id"],
            execution_date=found["execution_date"] or run.execution_date,
            run_id=found["run_id"] or run.run_id,
            state=found["state"],
            start_date=found["start_date"],
            end_date=found["end_date"],
            duration=found["duration"],
            try_number=int(found["try_number"] or 0),
            max_tries=int(found["max_tries"] or 0),
            hostname=found["hostname"] or "",
            unixname=found["unixname"] or "",
            job_id=None,  # in neither stable API
            pool=found["pool"] or "",
            pool_slots=int(found["pool_slots"] or 1),
            queue=found["queue"],
            priority_weight=found["priority_weight"],
            operator=found["operator"],
            queued_dttm=found["queued_dttm"],
            pid=found["pid"],
            executor_config=_executor_config(found["executor_config"]),
            updated_at=found["updated_at"],
        )

    def get_lineage(self, dag: Dag, run: DagRunRecord) -> dict[str, dict[str, Any]]:
        line = self.upstream.api_line()
        if line.uses_tokens:  # Airflow 3 writes no lineage XComs, and its API shows no other lineage
            raise NotKept("lineage", f"Airflow {self.upstream.exchange.airflow_version or 3} at {self.upstream.exchange.upstream}")
        lineage: dict[str, dict[str, Any]] = {}
        for name, key in LINEAGE_KEYS.items():
            for entry in stable_api.list_xcom_keys(self.upstream, run.dag_id, run.run_id, key, caller=self.caller):
                value = stable_api.get_xcom_value(self.upstream, run.dag_id, run.run_id, entry["task_id"], key, caller=self.caller)
                if value:
                    lineage.setdefault(entry["task_id"], {})[name] = value
        return lineage

    # -- pools ------------------------------------------------------------------------------

    def list_pools(self) -> list[PoolRecord]:
        return [_pool_record(pool) for pool in stable_api.list_pools(self.upstream, caller=self.caller)]

    def get_pool(self, name: str) -> PoolRecord:
        try:
            return _pool_record(stable_api.get_pool(self.upstream, name, caller=self.caller))
        except UpstreamNotFound:
            raise PoolNotFound(name) from None

    def upsert_pool(self, name: str, slots: int, description: str | None) -> PoolRecord:
        return _pool_record(stable_api.put_pool(self.upstream, name, slots, description, caller=self.caller))

    def delete_pool(self, name: str) -> PoolRecord:
        try:
            pool = _pool_record(stable_api.get_pool(self.upstream, name, caller=self.caller))
            stable_api.delete_pool(self.upstream, name, caller=self.caller)
        except UpstreamNotFound:
            raise PoolNotFound(name) from None
        return pool


def _dag_record(dag: dict[str, Any]) -> DagRecord:
    # v1 says is_active; v2 says is_stale.
    active = dag["is_active"] if "is_active" in dag else not dag.get("is_stale", False)
    owners = dag.get("owners")
    return DagRecord(
        dag_id=dag["dag_id"],
        is_paused=bool(dag.get("is_paused")),
        is_active=bool(active),
        fileloc=dag.get("fileloc") or "",
        owners=", ".join(owners) if isinstance(owners, list) else owners,
        description=dag.get("description"),
    )


def _dag_definition(details: dict[str, Any], tasks: list[dict[str, Any]]) -> Dag:
    """A DAG's definition from its stable-API details and tasks.

    Only what the API gives: attributes it leaves out are absent, and the flavour's operator
    defaults stand in for them, as Airflow shows an attribute nobody set. Of ``default_args``
    (v2 only) the start date is kept, the one the service checks a trigger against.
    """
    default_args = {}
    start = (details.get("default_args") or {}).get("start_date")
    if isinstance(start, str):
        default_args["start_date"] = parse_timestamp(start)
    dag = Dag(
        dag_id=details["dag_id"],
        fileloc=details.get("fileloc") or "",
        description=details.get("description"),
        start_date=parse_timestamp(details.get("start_date")),
        end_date=parse_timestamp(details.get("end_date")),
        default_args=default_args,
    )
    for task in tasks:
        attributes = task_attributes(task, tasks)
        operator = attributes.pop("task_type", None) or task.get("operator_name") or "BaseOperator"
        kept = {key: value for key, value in attributes.items() if key not in _EDGE_KEYS and value is not None}
        dag.tasks[task["task_id"]] = Task(
            task_id=task["task_id"],
            operator=operator,
            attributes=kept,
            upstream=set(attributes["upstream_task_ids"]),
            downstream=set(attributes["downstream_task_ids"]),
        )
    return dag


def _executor_config(value: Any) -> dict[str, Any]:
    # Both APIs send Python's text of the dict ("{}"); anything unreadable shows as empty.
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _pool_record(pool: dict[str, Any]) -> PoolRecord:
    fields = pool_fields(pool)
    return PoolRecord(name=fields.name, slots=fields.slots, description=fields.description, id=None, include_deferred=fields.include_deferred)
