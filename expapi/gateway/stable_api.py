"""The stable-API calls the experimental operations need, one thin function each.

Each takes an ``Upstream`` (``client.AsyncUpstream`` from a handler thread, or
``client.SyncUpstream``), sends what the API line in use expects (``api_lines``), and returns
Airflow's JSON as it came; ``translate`` reads it. Failures are the typed outcomes of
``errors`` (e.g. ``UpstreamNotFound`` for an unknown DAG). Lists are read to the end, page by
page: never a silently truncated answer. docs/gateway.md maps each experimental operation
onto these calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from expapi.gateway.client import Upstream
from expapi.gateway.errors import UpstreamAnswerError, UpstreamConflict, UpstreamNotFound
from expapi.gateway.exchange import path
from expapi.gateway.tokens import Credentials
from expapi.gateway.translate import format_timestamp

JsonObject = dict[str, Any]
TEXT = "text/plain"
# The earliest instant the date filters accept; a lower bound on it leaves out Airflow 3's
# runs without a logical date, which no date can address.
EARLIEST = datetime.fromisoformat("0001-01-01T00:00:00+00:00")


def pages(
    upstream: Upstream,
    api_path: str,
    key: str,
    *,
    params: dict[str, Any] | None = None,
    caller: Credentials | None = None,
    page_size: int | None = None,
) -> Iterator[JsonObject]:
    """Every item of a paginated list (``key`` in each page), walking offset/limit to ``total_entries``.

    The offset advances by what each page held, so a server capping ``limit`` lower than asked
    is harmless; a page that ends early is an error, never a short list.
    """
    size = page_size or upstream.api_line().max_page_limit
    offset = 0
    while True:
        body = upstream.call("GET", api_path, params={**(params or {}), "limit": size, "offset": offset}, caller=caller).json()
        items, total = body.get(key), body.get("total_entries")
        if not isinstance(items, list) or not isinstance(total, int):
            raise UpstreamAnswerError(upstream.exchange.upstream, f"GET {api_path} answered a page without {key!r} and total_entries")
        yield from items
        offset += len(items)
        if offset >= total:
            return
        if not items:
            raise UpstreamAnswerError(
                upstream.exchange.upstream, f"GET {api_path} stopped at {offset} of {total} entries"
            )


# -- server ---------------------------------------------------------------------------------


def get_version(upstream: Upstream) -> JsonObject:
    """GET /version: ``{"version": "3.3.2", "git_version": ...}`` (needs no credentials)."""
    return upstream.call("GET", "/version").json()


# -- DAGs -----------------------------------------------------------------------------------


def get_dag(upstream: Upstream, dag_id: str, *, caller: Credentials | None = None) -> JsonObject:
    """GET /dags/{dag_id}: ``is_paused``, ``file_token``, ``fileloc``, ``owners``; 404 if unknown."""
    return upstream.call("GET", path("dags", dag_id), caller=caller).json()


def get_dag_details(upstream: Upstream, dag_id: str, *, caller: Credentials | None = None) -> JsonObject:
    """GET /dags/{dag_id}/details: adds ``start_date``, ``params`` (and ``default_args`` on v2)."""
    return upstream.call("GET", path("dags", dag_id, "details"), caller=caller).json()


def list_dags(upstream: Upstream, *, caller: Credentials | None = None) -> list[JsonObject]:
    """Every DAG Airflow knows that is still in its files (v1 ``is_active``, v2 not ``is_stale``), by dag_id."""
    return list(pages(upstream, "/dags", "dags", params={"order_by": "dag_id"}, caller=caller))


def set_dag_paused(upstream: Upstream, dag_id: str, paused: bool, *, caller: Credentials | None = None) -> JsonObject:
    """PATCH /dags/{dag_id}?update_mask=is_paused; the DAG as it is now."""
    return upstream.call(
        "PATCH", path("dags", dag_id), params={"update_mask": "is_paused"}, json={"is_paused": paused}, caller=caller
    ).json()


def delete_dag(upstream: Upstream, dag_id: str, *, caller: Credentials | None = None) -> None:
    """DELETE /dags/{dag_id} (204, no count of what went). Airflow parses its file again later."""
    upstream.call("DELETE", path("dags", dag_id), caller=caller)


def get_dag_source(upstream: Upstream, dag_id: str, *, caller: Credentials | None = None) -> str:
    """The DAG's file as text: v1 ``/dagSources/{file_token}``, v2 ``/dagSources/{dag_id}``."""
    if upstream.api_line().source_by_file_token:
        key = get_dag(upstream, dag_id, caller=caller)["file_token"]
    else:
        key = dag_id
    return upstream.call("GET", path("dagSources", key), accept=TEXT, caller=caller).text


# -- tasks ----------------------------------------------------------------------------------


def list_tasks(upstream: Upstream, dag_id: str, *, caller: Credentials | None = None) -> list[JsonObject]:
    """GET /dags/{dag_id}/tasks: every task (one page, not paginated), by task_id."""
    body = upstream.call("GET", path("dags", dag_id, "tasks"), params={"order_by": "task_id"}, caller=caller).json()
    tasks = body["tasks"]
    if len(tasks) != body.get("total_entries", len(tasks)):
        raise UpstreamAnswerError(upstream.exchange.upstream, f"GET /dags/{dag_id}/tasks held {len(tasks)} of {body['total_entries']} tasks")
    return tasks


def get_task(upstream: Upstream, dag_id: str, task_id: str, *, caller: Credentials | None = None) -> JsonObject:
    """GET /dags/{dag_id}/tasks/{task_id}; 404 for an unknown DAG or task."""
    return upstream.call("GET", path("dags", dag_id, "tasks", task_id), caller=caller).json()


# -- DAG runs -------------------------------------------------------------------------------


def trigger_dag_run(
    upstream: Upstream,
    dag_id: str,
    *,
    logical_date: datetime,
    run_id: str | None = None,
    conf: dict[str, Any] | None = None,
    caller: Credentials | None = None,
) -> JsonObject:
    """POST /dags/{dag_id}/dagRuns with a logical date, always (so the run stays addressable by date).

    404 for an unknown DAG; 409 when the run id or the date is taken (v2 does not say which).
    """
    body: JsonObject = {upstream.api_line().trigger_date_field: format_timestamp(logical_date)}
    if run_id is not None:
        body["dag_run_id"] = run_id
    if conf is not None:
        body["conf"] = conf
    return upstream.call("POST", path("dags", dag_id, "dagRuns"), json=body, caller=caller).json()


def get_dag_run(upstream: Upstream, dag_id: str, run_id: str, *, caller: Credentials | None = None) -> JsonObject:
    """GET /dags/{dag_id}/dagRuns/{run_id}; 404 for an unknown DAG or run."""
    return upstream.call("GET", path("dags", dag_id, "dagRuns", run_id), caller=caller).json()


def list_dag_runs(
    upstream: Upstream,
    dag_id: str,
    *,
    states: list[str] | None = None,
    at: datetime | None = None,
    newest_first: bool = False,
    caller: Credentials | None = None,
) -> list[JsonObject]:
    """A DAG's runs ordered by date (all pages), optionally in ``states`` or at exactly the instant ``at``.

    Date filters match to the microsecond, whatever offset the date is written in. v1 answers
    an empty list for an unknown DAG, v2 a 404 (``ApiLine.run_list_checks_dag``).
    """
    line = upstream.api_line()
    order = ("-" if newest_first else "") + line.run_date_field
    params: dict[str, Any] = {"order_by": order, "state": states}
    if at is not None:
        params[f"{line.run_date_filter}_gte"] = params[f"{line.run_date_filter}_lte"] = format_timestamp(at)
    elif line.uses_tokens:
        params[f"{line.run_date_filter}_gte"] = format_timestamp(EARLIEST)  # no runs without a date
    return list(pages(upstream, path("dags", dag_id, "dagRuns"), "dag_runs", params=params, caller=caller))


def latest_dag_run(upstream: Upstream, dag_id: str, *, caller: Credentials | None = None) -> JsonObject | None:
    """The DAG's run with the latest date, or None when it has none."""
    line = upstream.api_line()
    params = {"order_by": "-" + line.run_date_field, "limit": 1, f"{line.run_date_filter}_gte": format_timestamp(EARLIEST)}
    runs = upstream.call("GET", path("dags", dag_id, "dagRuns"), params=params, caller=caller).json()["dag_runs"]
    return runs[0] if runs else None


# -- task instances -------------------------------------------------------------------------


def get_task_instance(
    upstream: Upstream, dag_id: str, run_id: str, task_id: str, *, caller: Credentials | None = None
) -> JsonObject:
    """GET /dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}; 404 if there is none."""
    return upstream.call("GET", path("dags", dag_id, "dagRuns", run_id, "taskInstances", task_id), caller=caller).json()


def list_xcom_keys(
    upstream: Upstream, dag_id: str, run_id: str, key: str, *, caller: Credentials | None = None
) -> list[JsonObject]:
    """The XCom entries named ``key`` of every task of a run (``~`` for all tasks), without values."""
    api_path = path("dags", dag_id, "dagRuns", run_id, "taskInstances", "~", "xcomEntries")
    return list(pages(upstream, api_path, "xcom_entries", params={"xcom_key": key}, caller=caller))


def get_xcom_value(
    upstream: Upstream, dag_id: str, run_id: str, task_id: str, key: str, *, caller: Credentials | None = None
) -> Any:
    """One XCom entry's value as JSON (``stringify=false``; v1's default is its Python text form).

    Airflow 2's lineage lives here: keys ``pipeline_inlets`` and ``pipeline_outlets`` hold the
    list the experimental lineage endpoint shows. Airflow 3 writes no such entries.
    """
    api_path = path("dags", dag_id, "dagRuns", run_id, "taskInstances", task_id, "xcomEntries", key)
    return upstream.call("GET", api_path, params={"stringify": False}, caller=caller).json().get("value")


# -- pools ----------------------------------------------------------------------------------


def list_pools(upstream: Upstream, *, caller: Credentials | None = None) -> list[JsonObject]:
    """Every pool, in Airflow's order (by id, i.e. creation)."""
    return list(pages(upstream, "/pools", "pools", caller=caller))


def get_pool(upstream: Upstream, name: str, *, caller: Credentials | None = None) -> JsonObject:
    """GET /pools/{name}; 404 if there is no such pool."""
    return upstream.call("GET", path("pools", name), caller=caller).json()


def create_pool(
    upstream: Upstream, name: str, slots: int, description: str | None, *, caller: Credentials | None = None
) -> JsonObject:
    """POST /pools; 409 if the name is taken."""
    body = {"name": name, "slots": slots, "description": description}
    return upstream.call("POST", "/pools", json=body, caller=caller).json()


def update_pool(
    upstream: Upstream,
    name: str,
    slots: int,
    description: str | None,
    *,
    include_deferred: bool,
    caller: Credentials | None = None,
) -> JsonObject:
    """PATCH /pools/{name} with its slots and description, keeping ``include_deferred``.

    v1 replaces the whole pool (its update_mask ignores ``slots``), so the current
    ``include_deferred`` is sent back; v2 needs the name (as ``pool``) and ``include_deferred``
    in the body even when update_mask leaves them alone, and allows only ``slots`` to change
    on default_pool.
    """
    line = upstream.api_line()
    body: JsonObject = {line.pool_patch_name_key: name, "slots": slots, "description": description, "include_deferred": include_deferred}
    params = None
    if line.pool_patch_uses_update_mask:
        params = {"update_mask": ["slots"] if name == "default_pool" else ["slots", "description"]}
    return upstream.call("PATCH", path("pools", name), params=params, json=body, caller=caller).json()


def put_pool(
    upstream: Upstream, name: str, slots: int, description: str | None, *, caller: Credentials | None = None
) -> JsonObject:
    """Create the pool, or update the one with that name (the experimental POST /pools' upsert).

    Read, then PATCH or POST; a POST beaten by a concurrent create (409) becomes a PATCH.
    """
    for _ in range(3):
        try:
            current = get_pool(upstream, name, caller=caller)
        except UpstreamNotFound:
            try:
                return create_pool(upstream, name, slots, description, caller=caller)
            except UpstreamConflict:
                continue  # created meanwhile: update it
        try:
            return update_pool(upstream, name, slots, description, include_deferred=current["include_deferred"], caller=caller)
        except UpstreamNotFound:
            continue  # deleted meanwhile: create it
    raise UpstreamAnswerError(upstream.exchange.upstream, f"pool {name!r} kept changing while it was being written")


def delete_pool(upstream: Upstream, name: str, *, caller: Credentials | None = None) -> None:
    """DELETE /pools/{name} (204); 400 for default_pool, 404 if there is no such pool."""
    upstream.call("DELETE", path("pools", name), caller=caller)
