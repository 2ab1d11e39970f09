"""A DAG as expapi knows it: its tasks, their attributes and their edges.

Definitions are read from DAG files, stored as JSON in ``serialized_dag`` and read back
from there by every request, so all server workers agree on them. Dates and durations
are tagged in that JSON so they survive the round trip; ``days_ago(n)`` stays relative
and is resolved each time it is read, as Airflow re-parses it every day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from expapi.dates import midnight_days_ago


@dataclass(frozen=True)
class DaysAgo:
    """Airflow's ``days_ago(n)``: midnight UTC n days before the day it is read."""

    days: int

    def resolve(self, now: datetime | None = None) -> datetime:
        return midnight_days_ago(self.days, now)

    def __str__(self) -> str:
        return f"days_ago({self.days})"


@dataclass
class Task:
    """One task: its operator name, its attributes as written, and its neighbours."""

    task_id: str
    operator: str
    attributes: dict[str, Any] = field(default_factory=dict)
    upstream: set[str] = field(default_factory=set)
    downstream: set[str] = field(default_factory=set)
    # The ``simulate:`` block: how the scheduler plays this task (never an operator attribute).
    simulate: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dag:
    """One DAG and its tasks, in file order."""

    dag_id: str
    fileloc: str
    description: str | None = None
    schedule_interval: Any = None
    start_date: Any = None
    end_date: Any = None
    default_args: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    # The DAG-level ``simulate:`` block: defaults for every task's.
    simulate: dict[str, Any] = field(default_factory=dict)

    def owners(self, operator_defaults: Mapping[str, Any]) -> str | None:
        """The owners of the DAG's tasks, as Airflow lists them (``operator_defaults`` give the default owner)."""
        owners = sorted({str(self.task_value(t, "owner", operator_defaults)) for t in self.tasks.values()})
        return ", ".join(owners) or None

    def default_args_start_date(self, now: datetime | None = None) -> datetime | None:
        """``default_args['start_date']``, the one date a trigger is checked against."""
        return resolve_date(self.default_args.get("start_date"), now)

    def task_start_date(self, task: Task, now: datetime | None = None) -> datetime | None:
        """A task's start date: its own, else default_args', else the DAG's."""
        for value in (task.attributes.get("start_date"), self.default_args.get("start_date"), self.start_date):
            if value is not None:
                return resolve_date(value, now)
        return None

    def priority_weight_total(self, task_id: str, operator_defaults: Mapping[str, Any]) -> int:
        """The weight the scheduler gives a task, per its ``weight_rule`` (as Airflow sums it)."""
        task = self.tasks[task_id]
        rule = self.task_value(task, "weight_rule", operator_defaults)
        own = int(self.task_value(task, "priority_weight", operator_defaults))
        if rule == "absolute":
            return own
        neighbours = "downstream" if rule == "downstream" else "upstream"
        related = self._relatives(task_id, neighbours)
        return own + sum(int(self.task_value(self.tasks[t], "priority_weight", operator_defaults)) for t in related)

    def task_value(self, task: Task, name: str, operator_defaults: Mapping[str, Any]) -> Any:
        """A task's attribute as written: its own, else default_args', else the operator's default."""
        return task.attributes.get(name, self.default_args.get(name, operator_defaults[name]))

    def _relatives(self, task_id: str, direction: str) -> set[str]:
        found: set[str] = set()
        pending = list(getattr(self.tasks[task_id], direction))
        while pending:
            current = pending.pop()
            if current not in found:
                found.add(current)
                pending.extend(getattr(self.tasks[current], direction))
        return found

    def to_data(self) -> dict[str, Any]:
        """The JSON stored in ``serialized_dag.data``."""
        return {
            "dag_id": self.dag_id,
            "fileloc": self.fileloc,
            "description": self.description,
            "schedule_interval": encode_value(self.schedule_interval),
            "start_date": encode_value(self.start_date),
            "end_date": encode_value(self.end_date),
            "default_args": encode_value(self.default_args),
            "attributes": encode_value(self.attributes),
            "simulate": encode_value(self.simulate),
            "tasks": [
                {
                    "task_id": t.task_id,
                    "operator": t.operator,
                    "attributes": encode_value(t.attributes),
                    "upstream": sorted(t.upstream),
                    "downstream": sorted(t.downstream),
                    "simulate": encode_value(t.simulate),
                }
                for t in self.tasks.values()
            ],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Dag:
        tasks = {
            t["task_id"]: Task(
                task_id=t["task_id"],
                operator=t["operator"],
                attributes=decode_value(t["attributes"]),
                upstream=set(t["upstream"]),
                downstream=set(t["downstream"]),
                simulate=decode_value(t.get("simulate") or {}),
            )
            for t in data["tasks"]
        }
        return cls(
            dag_id=data["dag_id"],
            fileloc=data["fileloc"],
            description=data.get("description"),
            schedule_interval=decode_value(data.get("schedule_interval")),
            start_date=decode_value(data.get("start_date")),
            end_date=decode_value(data.get("end_date")),
            default_args=decode_value(data.get("default_args") or {}),
            attributes=decode_value(data.get("attributes") or {}),
            tasks=tasks,
            simulate=decode_value(data.get("simulate") or {}),
        )


def resolve_date(value: Any, now: datetime | None = None) -> datetime | None:
    """A stored date as an aware datetime (``days_ago`` resolved against ``now``)."""
    if isinstance(value, DaysAgo):
        return value.resolve(now)
    return value


def encode_value(value: Any) -> Any:
    """Python values of a DAG as JSON, with dates and durations tagged."""
    if isinstance(value, DaysAgo):
        return {"__days_ago": value.days}
    if isinstance(value, datetime):
        return {"__datetime": value.isoformat()}
    if isinstance(value, date):
        return {"__date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"__timedelta": value.total_seconds()}
    if isinstance(value, dict):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    return value


def decode_value(value: Any) -> Any:
    """The inverse of ``encode_value``."""
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            if tag == "__days_ago":
                return DaysAgo(inner)
            if tag == "__datetime":
                return datetime.fromisoformat(inner)
            if tag == "__date":
                return date.fromisoformat(inner)
            if tag == "__timedelta":
                return timedelta(seconds=inner)
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value
