"""Reading the stable API's JSON into plain Python values (dates, states, operator attributes).

Airflow 2's /api/v1 writes dates as ``2030-01-01T00:00:00+00:00``, Airflow 3's /api/v2 as
``2030-01-01T00:00:00Z``; durations as ``{"__type": "TimeDelta", ...}`` (v2 DAG details: ISO
8601 ``PT1H``); counts as floats (``retries: 0.0``). Everything here gives the value Airflow's
own objects hold, so a flavour renders it as Airflow would.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from expapi.gateway.api_lines import ApiLine

_TIMESTAMP = re.compile(
    r"^(?P<base>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
_ISO_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_timestamp(value: str | None) -> datetime | None:
    """A stable-API date as an aware UTC datetime (microseconds kept); None stays None.

    ValueError for text that is not such a date.
    """
    if value is None:
        return None
    match = _TIMESTAMP.match(value.strip())
    if match is None:
        raise ValueError(f"not a stable-API timestamp: {value!r}")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    offset = match["offset"] or "+00:00"
    text = f"{match['base'].replace(' ', 'T')}.{fraction}{'+00:00' if offset == 'Z' else offset}"
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def format_timestamp(value: datetime) -> str:
    """An aware datetime as both stable APIs accept it in bodies and filters: UTC, ISO 8601, 'T'.

    (A naive date is refused by v1 with 400 and makes v2 answer 500, so naive is an error here.)
    """
    if value.tzinfo is None:
        raise ValueError("a naive datetime cannot be sent to Airflow")
    return value.astimezone(timezone.utc).isoformat()


def parse_duration(value: Any) -> timedelta | None:
    """A stable-API duration (``{"__type": "TimeDelta", ...}`` or ISO 8601 ``PT1H``) as a timedelta."""
    if value is None:
        return None
    if isinstance(value, dict):
        return timedelta(days=value.get("days", 0), seconds=value.get("seconds", 0), microseconds=value.get("microseconds", 0))
    if isinstance(value, str):
        match = _ISO_DURATION.match(value)
        if match and any(match.groupdict().values()):
            parts = {unit: float(amount) for unit, amount in match.groupdict().items() if amount}
            return timedelta(**parts)
    raise ValueError(f"not a stable-API duration: {value!r}")


def _whole(value: Any) -> Any:
    # Airflow's API writes some integer attributes as floats (retries 0.0, pool_slots 1.0).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class RunFields(NamedTuple):
    """What the experimental API shows of a DAG run, from a stable-API DAG run."""

    dag_id: str
    run_id: str
    execution_date: datetime | None  # None only for Airflow 3 runs made without a logical date
    start_date: datetime | None
    end_date: datetime | None
    state: str | None
    conf: dict[str, Any]
    external_trigger: bool
    queued_at: datetime | None = None


def run_fields(line: ApiLine, run: dict[str, Any]) -> RunFields:
    """A stable-API DAG run (as listed, fetched or just triggered) as ``RunFields``.

    v2 has no ``external_trigger``: a run Airflow did not schedule itself has run_type "manual".
    """
    external = run["external_trigger"] if "external_trigger" in run else run.get("run_type") == "manual"
    return RunFields(
        dag_id=run["dag_id"],
        run_id=run["dag_run_id"],
        execution_date=parse_timestamp(run.get(line.run_date_field)),
        start_date=parse_timestamp(run.get("start_date")),
        end_date=parse_timestamp(run.get("end_date")),
        state=run.get("state"),
        conf=run.get("conf") or {},
        external_trigger=bool(external),
        queued_at=parse_timestamp(run.get("queued_at")),
    )


class PoolFields(NamedTuple):
    """What the experimental API shows of a pool (all but its database ``id``, which no API gives)."""

    name: str
    slots: int
    description: str | None
    include_deferred: bool


def pool_fields(pool: dict[str, Any]) -> PoolFields:
    """A stable-API pool as ``PoolFields``."""
    return PoolFields(pool["name"], int(pool["slots"]), pool.get("description"), bool(pool.get("include_deferred", False)))


def params_values(params: dict[str, Any] | None) -> dict[str, Any]:
    """A DAG's or task's params by name: v1 ``{"__class": "...Param", "value": x}``, v2 ``{"value": x}``."""
    values = {}
    for name, param in (params or {}).items():
        values[name] = param.get("value") if isinstance(param, dict) and "value" in param else param
    return values


def task_attributes(task: dict[str, Any], dag_tasks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The operator attributes a stable-API task gives, as Airflow's operator holds them.

    With every task of the DAG (``dag_tasks``), ``upstream_task_ids`` too (the API lists only
    downstream ones). Attributes the API does not expose (``bash_command``, ``email``,
    callbacks, ``sla``, ``inlets``/``outlets``, ``executor_config``, ...) are absent: the flavour
    fills them with what Airflow shows for an unset value. See docs/gateway.md.
    """
    attributes: dict[str, Any] = {
        "task_id": task["task_id"],
        "owner": task.get("owner"),
        "start_date": parse_timestamp(task.get("start_date")),
        "end_date": parse_timestamp(task.get("end_date")),
        "trigger_rule": task.get("trigger_rule"),
        "depends_on_past": bool(task.get("depends_on_past", False)),
        "wait_for_downstream": bool(task.get("wait_for_downstream", False)),
        "retries": _whole(task.get("retries")),
        "queue": task.get("queue"),
        "pool": task.get("pool"),
        "pool_slots": _whole(task.get("pool_slots")),
        "execution_timeout": parse_duration(task.get("execution_timeout")),
        "retry_delay": parse_duration(task.get("retry_delay")),
        # v1 writes a bool; v2 a number (0.0 = off, 1.0 = on).
        "retry_exponential_backoff": _backoff(task.get("retry_exponential_backoff")),
        "priority_weight": _whole(task.get("priority_weight")),
        "weight_rule": task.get("weight_rule"),
        "ui_color": task.get("ui_color"),
        "ui_fgcolor": task.get("ui_fgcolor"),
        "template_fields": tuple(task.get("template_fields") or ()),
        "downstream_task_ids": set(task.get("downstream_task_ids") or ()),
        "doc_md": task.get("doc_md"),
        "params": params_values(task.get("params")),
    }
    if "executor" in task:  # v1 only
        attributes["executor"] = task["executor"]
    class_ref = task.get("class_ref") or {}
    if class_ref.get("class_name"):
        attributes["task_type"] = class_ref["class_name"]
    if dag_tasks is not None:
        attributes["upstream_task_ids"] = {
            other["task_id"] for other in dag_tasks if task["task_id"] in (other.get("downstream_task_ids") or ())
        }
    return attributes


def _backoff(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return bool(value)
    return bool(value) if value in (0, 1) else value


def task_instance_attributes(line: ApiLine, instance: dict[str, Any]) -> dict[str, Any]:
    """A stable-API task instance as the attributes Airflow's TaskInstance holds.

    Airflow's names where the API renamed them (``queued_dttm`` from ``queued_when``,
    ``execution_date`` from v2's ``logical_date``); ``job_id`` is in neither API and is absent.
    """
    return {
        "dag_id": instance["dag_id"],
        "task_id": instance["task_id"],
        "run_id": instance.get("dag_run_id"),
        "map_index": instance.get("map_index", -1),
        "execution_date": parse_timestamp(instance.get(line.run_date_field)),
        "start_date": parse_timestamp(instance.get("start_date")),
        "end_date": parse_timestamp(instance.get("end_date")),
        "duration": instance.get("duration"),
        "state": instance.get("state"),
        "try_number": instance.get("try_number"),
        "max_tries": instance.get("max_tries"),
        "hostname": instance.get("hostname"),
        "unixname": instance.get("unixname"),
        "pool": instance.get("pool"),
        "pool_slots": instance.get("pool_slots"),
        "queue": instance.get("queue"),
        "priority_weight": instance.get("priority_weight"),
        "operator": instance.get("operator"),
        "queued_dttm": parse_timestamp(instance.get("queued_when")),
        "pid": instance.get("pid"),
        # Already Python's str() of the dict in both APIs ("{}").
        "executor_config": instance.get("executor_config"),
        "executor": instance.get("executor"),
        "rendered_fields": instance.get("rendered_fields") or {},
        # Neither stable API lists it today; taken where an Airflow gives it.
        "updated_at": parse_timestamp(instance.get("updated_at")),
    }
