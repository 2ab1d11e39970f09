"""The render step: every JSON body the API answers with, built from records and the flavour.

Airflow's ``schemas/`` idea. The service hands over records; a flavour decides which keys
each object shows (``Flavour.*_keys``) and how a value that differs between Airflow lines
is written (its hooks, e.g. ``dag_run_url``); the tables below say where each key's value
comes from. A new line adds keys here and lists them in its flavour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from expapi.flavours.flavour import Flavour
from expapi.store.records import (
    DagRecord,
    DagRunRecord,
    DagRunSummary,
    PoolRecord,
    TaskInstanceRecord,
)

R = TypeVar("R")
Fields = Mapping[str, Callable[[R, Flavour], Any]]


def python_str(value: Any) -> str:
    """Python's str() of a value, as Airflow renders task and task-instance attributes.

    Sets are written with their items sorted, so the text is stable from one
    request to the next (Python's own order depends on string hashing).
    """
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(repr(v) for v in sorted(value)) + "}" if value else "set()"
    return str(value)


RunRenderer = Callable[[DagRunSummary], dict[str, Any]]
# Every key a run listing can show; _run_values says where each one's value comes from.
DAG_RUN_KEYS = frozenset({"dag_id", "dag_run_url", "execution_date", "id", "run_id", "start_date", "state"})


def _run_values(run: DagRunSummary, dag_run_url: Callable[[str, datetime], str]) -> dict[str, Any]:
    execution_date = run.execution_date
    start_date = run.start_date
    return {
        "dag_id": run.dag_id,
        "dag_run_url": dag_run_url(run.dag_id, execution_date),
        "execution_date": execution_date.isoformat(),
        "id": run.id,
        "run_id": run.run_id,
        "start_date": start_date.isoformat() if start_date is not None else "",  # "" for a run not started
        "state": run.state,
    }


@lru_cache(maxsize=64)
def _run_renderer(keys: tuple[str, ...], dag_run_url: Callable[[str, datetime], str]) -> RunRenderer:
    """The function that writes one run as ``keys`` show it, made once per flavour and listing.

    Listings write hundreds of runs: one call per run, where a call per key cost a quarter
    of a listing's time.
    """
    unknown = set(keys) - DAG_RUN_KEYS
    if unknown:
        raise ValueError(f"run keys with no value: {sorted(unknown)}")
    if set(keys) == DAG_RUN_KEYS:
        return lambda run: _run_values(run, dag_run_url)
    return lambda run: {key: value for key, value in _run_values(run, dag_run_url).items() if key in keys}


POOL_FIELDS: Fields[PoolRecord] = {
    "description": lambda pool, _: pool.description,
    "id": lambda pool, _: pool.id,
    "include_deferred": lambda pool, _: pool.include_deferred,
    "pool": lambda pool, _: pool.name,
    "slots": lambda pool, _: pool.slots,
}

# Task-instance keys not named after a record field; any other key is the field's value (None if none).
TASK_INSTANCE_FIELDS: Fields[TaskInstanceRecord] = {
    "executor_config": lambda instance, _: instance.executor_config or {},
    "test_mode": lambda instance, _: False,
}


def _shaped(record: R, keys: Iterable[str], fields: Fields[R], flavour: Flavour) -> dict[str, Any]:
    return {key: fields[key](record, flavour) for key in keys}


def triggered_run(flavour: Flavour, execution_date: datetime, run_id: str, message: str) -> dict[str, Any]:
    """``POST .../dag_runs``: the date as the trigger read it (the client's offset kept)."""
    return {"execution_date": execution_date.isoformat(), "message": message, "run_id": run_id}


def dag_runs(flavour: Flavour, runs: Iterable[DagRunSummary]) -> list[dict[str, Any]]:
    """``GET .../dag_runs``: a bare list."""
    render = _run_renderer(flavour.dag_run_keys, flavour.dag_run_url)
    return [render(run) for run in runs]


def dag_run_state(flavour: Flavour, run: DagRunRecord) -> dict[str, Any]:
    """``GET .../dag_runs/{execution_date}``."""
    return {"state": run.state}


def latest_runs(flavour: Flavour, runs: Iterable[DagRunSummary]) -> dict[str, Any]:
    """``GET /latest_runs``: wrapped in ``items`` (old Flask could not jsonify a list)."""
    render = _run_renderer(flavour.latest_run_keys, flavour.dag_run_url)
    return {"items": [render(run) for run in runs]}


def task(flavour: Flavour, attributes: Mapping[str, Any]) -> dict[str, str]:
    """``GET .../tasks/{task_id}``: every operator attribute, as str()."""
    return {name: python_str(value) for name, value in sorted(attributes.items())}


def dag_run_repr(flavour: Flavour, run: DagRunRecord) -> str:
    """str() of the run as the flavour's Airflow prints a DagRun (every value through str())."""
    return flavour.dag_run_repr.format(
        dag_id=run.dag_id,
        execution_date=str(run.execution_date),
        run_id=run.run_id,
        state=str(run.state),
        queued_at=str(run.queued_at),
        external_trigger=str(run.external_trigger),
    )


# Task-instance keys that show the instance's run rather than the instance itself.
TASK_INSTANCE_RUN_FIELDS: Fields[DagRunRecord] = {
    "dag_run": lambda run, flavour: dag_run_repr(flavour, run),
}


def task_instance(flavour: Flavour, instance: TaskInstanceRecord, run: DagRunRecord) -> dict[str, str]:
    """``GET .../tasks/{task_id}`` of a run: the flavour's keys, each as str()."""
    return {key: python_str(_task_instance_value(instance, run, key, flavour)) for key in flavour.task_instance_keys}


def _task_instance_value(instance: TaskInstanceRecord, run: DagRunRecord, key: str, flavour: Flavour) -> Any:
    if key in flavour.task_instance_constants:
        return flavour.task_instance_constants[key]
    if key in TASK_INSTANCE_RUN_FIELDS:
        return TASK_INSTANCE_RUN_FIELDS[key](run, flavour)
    if key in TASK_INSTANCE_FIELDS:
        return TASK_INSTANCE_FIELDS[key](instance, flavour)
    return getattr(instance, key, None)


def dag_paused(flavour: Flavour, dag: DagRecord) -> dict[str, Any]:
    """``GET .../paused``."""
    return {"is_paused": dag.is_paused}


def dag_paused_set(flavour: Flavour) -> dict[str, Any]:
    """``GET .../paused/{paused}``."""
    return {"response": "ok"}


def dag_deleted(flavour: Flavour, count: int, message: str) -> dict[str, Any]:
    """``DELETE /dags/{dag_id}``."""
    return {"count": count, "message": message}


def lineage(flavour: Flavour, task_ids: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``GET /lineage/...``."""
    return {"task_ids": dict(task_ids)}


def pool(flavour: Flavour, record: PoolRecord) -> dict[str, Any]:
    """A pool, as every pool operation shows it."""
    return _shaped(record, flavour.pool_keys, POOL_FIELDS, flavour)


def pools(flavour: Flavour, records: Iterable[PoolRecord]) -> list[dict[str, Any]]:
    """``GET /pools``: a bare list."""
    return [pool(flavour, record) for record in records]


def status(flavour: Flavour) -> dict[str, Any]:
    """``GET /test``."""
    return {"status": "OK"}


def info(flavour: Flavour) -> dict[str, Any]:
    """``GET /info``: the Airflow version the flavour follows."""
    return {"version": flavour.airflow_version}
