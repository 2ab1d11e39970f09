"""Reading DAG files: YAML in, a ``Dag`` out, or an error naming file, line and reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from expapi.dags.definition import Dag, DaysAgo, Task
from expapi.dates import to_utc_datetime

DAG_FILE_SUFFIXES = (".yaml", ".yml")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,250}$")
_DAYS_AGO = re.compile(r"^days_ago\(\s*(\d+)\s*\)$")
_DURATION = re.compile(r"^(?:(?P<days>-?\d+) days?, )?(?P<h>\d+):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d+)?)$")

DATE_FIELDS = ("start_date", "end_date")
DURATION_FIELDS = ("retry_delay", "max_retry_delay", "execution_timeout", "sla", "dagrun_timeout")
DAG_FIELDS = {
    "dag_id", "description", "schedule_interval", "start_date", "end_date", "default_args", "tasks",
    "catchup", "tags", "params", "dagrun_timeout", "doc_md", "max_active_runs", "concurrency",
    "orientation", "is_paused_upon_creation", "simulate",
}
TASK_STRUCTURE_FIELDS = ("task_id", "operator", "upstream", "downstream", "simulate")
SIMULATE_OUTCOMES = ("success", "failed", "skipped")
SIMULATE_FIELDS = ("duration", "outcome", "fail_attempts", "branch", "latest_only")


@dataclass
class DagFileError(Exception):
    """A DAG file that cannot be used, with where and why."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


def find_dag_files(folder: Path) -> list[Path]:
    """DAG files below ``folder``, in a stable order; hidden files and folders are skipped."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*")
        if p.suffix in DAG_FILE_SUFFIXES and p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def read_dag_file(path: Path) -> tuple[Dag, str]:
    """Parse one DAG file; returns the DAG and the file's text."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DagFileError(str(path), None, f"cannot read the file: {exc}") from None
    return parse_dag(text, str(path)), text


def parse_dag(text: str, fileloc: str) -> Dag:
    """Parse the text of a DAG file."""
    try:
        root = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DagFileError(fileloc, mark.line + 1 if mark else None, f"not valid YAML: {problem}") from None
    if not isinstance(root, yaml.MappingNode):
        raise DagFileError(fileloc, _line(root), "a DAG file must be a mapping with dag_id and tasks")
    return _DagReader(fileloc, root).read()


def _compose(text: str) -> yaml.Node | None:
    """The node tree, from libyaml when PyYAML has it (20x faster); a file it refuses is read
    again by the pure-Python parser, so that errors are worded as they always were."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


# Keys that PyYAML's constructor rewrites in the node itself (merges, '='): a value holding one
# goes through a copy (the serialize round trip), so the tree the reader walks stays as read.
_REWRITTEN_KEY_TAGS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


def _rewrites_keys(node: yaml.Node, seen: set[int]) -> bool:
    if id(node) in seen:  # an alias back into itself
        return False
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        return any(key.tag in _REWRITTEN_KEY_TAGS or _rewrites_keys(key, seen) or _rewrites_keys(value, seen) for key, value in node.value)
    if isinstance(node, yaml.SequenceNode):
        return any(_rewrites_keys(item, seen) for item in node.value)
    return False


class _DagReader:
    """Turns the YAML node tree into a Dag, remembering lines for error messages."""

    def __init__(self, fileloc: str, root: yaml.MappingNode) -> None:
        self.fileloc = fileloc
        self.root = root

    def fail(self, node: yaml.Node | None, reason: str) -> DagFileError:
        return DagFileError(self.fileloc, _line(node), reason)

    def mapping(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if not isinstance(key, str):
                raise self.fail(key_node, f"keys must be text, not {key!r}")
            if key in entries:
                raise self.fail(key_node, f"{key!r} is given twice")
            entries[key] = (key_node, value_node)
        return entries

    def value(self, node: yaml.Node) -> Any:
        if node is None:
            return None
        if not _rewrites_keys(node, set()):
            try:
                # Built straight from the node: ~30x faster than writing it out and reading it back.
                return yaml.constructor.SafeConstructor().construct_document(node)
            except yaml.YAMLError:
                pass  # the round trip below words the error as it always has
        try:
            return yaml.SafeLoader(yaml.serialize(node)).get_single_data()
        except yaml.YAMLError as exc:
            raise self.fail(node, f"not valid YAML: {exc}") from None

    def read(self) -> Dag:
        entries = self.mapping(self.root)
        for key, (key_node, _) in entries.items():
            if key not in DAG_FIELDS:
                raise self.fail(key_node, f"unknown DAG field {key!r}")
        dag_id = self.identifier(entries, "dag_id", self.root)
        default_args = self.default_args(entries)
        attributes = {
            k: self.field_value(k, self.value(v), v)
            for k, (_, v) in entries.items()
            if k not in (
                "dag_id", "description", "schedule_interval", "start_date", "end_date", "default_args", "tasks", "simulate"
            )
        }
        dag = Dag(
            dag_id=dag_id,
            fileloc=self.fileloc,
            description=self.optional_text(entries, "description"),
            schedule_interval=self.schedule(entries),
            start_date=self.optional(entries, "start_date", self.date),
            end_date=self.optional(entries, "end_date", self.date),
            default_args=default_args,
            attributes=attributes,
            simulate=self.simulate(entries["simulate"][1], task_level=False) if "simulate" in entries else {},
        )
        self.tasks(dag, entries)
        return dag

    def simulate(self, node: yaml.Node, *, task_level: bool) -> dict[str, Any]:
        """A ``simulate:`` block, checked: how the scheduler plays a task instead of running it."""
        if isinstance(node, yaml.ScalarNode) and self.value(node) is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, "simulate must be a mapping")
        block: dict[str, Any] = {}
        for key, (key_node, value_node) in self.mapping(node).items():
            value = self.value(value_node)
            if key not in SIMULATE_FIELDS or (not task_level and key in ("branch", "latest_only")):
                allowed = SIMULATE_FIELDS if task_level else SIMULATE_FIELDS[:3]
                raise self.fail(key_node, f"unknown simulate field {key!r} (known: {', '.join(allowed)})")
            if key == "duration":
                block[key] = self.duration(value, value_node)
            elif key == "outcome":
                if value not in SIMULATE_OUTCOMES:
                    raise self.fail(value_node, f"outcome must be one of {', '.join(SIMULATE_OUTCOMES)}, not {value!r}")
                block[key] = value
            elif key == "fail_attempts":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise self.fail(value_node, f"fail_attempts must be a whole number of at least 0, not {value!r}")
                block[key] = value
            elif key == "branch":
                block[key] = [task_id for task_id, _ in self.task_list(value_node, "branch")]
            else:
                if not isinstance(value, bool):
                    raise self.fail(value_node, f"latest_only must be true or false, not {value!r}")
                block[key] = value
        return block

    def identifier(self, entries, key: str, parent: yaml.Node) -> str:
        if key not in entries:
            raise self.fail(parent, f"{key} is missing")
        node = entries[key][1]
        value = self.value(node)
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            raise self.fail(node, f"{key} must be 1 to 250 letters, digits, '_', '.' or '-', not {value!r}")
        return value

    def optional(self, entries, key: str, convert):
        if key not in entries:
            return None
        node = entries[key][1]
        value = self.value(node)
        return None if value is None else convert(value, node)

    def optional_text(self, entries, key: str) -> str | None:
        return self.optional(entries, key, lambda v, n: v if isinstance(v, str) else str(v))

    def schedule(self, entries) -> Any:
        def convert(value, node):
            if isinstance(value, str) and _DURATION.match(value):
                return self.duration(value, node)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return self.duration(value, node)
            if not isinstance(value, str):
                raise self.fail(node, f"schedule_interval must be a cron expression, a preset or a duration, not {value!r}")
            return value

        return self.optional(entries, "schedule_interval", convert)

    def default_args(self, entries) -> dict[str, Any]:
        if "default_args" not in entries:
            return {}
        node = entries["default_args"][1]
        if isinstance(node, yaml.ScalarNode) and self.value(node) is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, "default_args must be a mapping")
        return {k: self.field_value(k, self.value(v), v) for k, (_, v) in self.mapping(node).items()}

    def field_value(self, key: str, value: Any, node: yaml.Node) -> Any:
        if value is None:
            return None
        if key in DATE_FIELDS:
            return self.date(value, node)
        if key in DURATION_FIELDS:
            return self.duration(value, node)
        return value

    def date(self, value: Any, node: yaml.Node) -> datetime | DaysAgo:
        if isinstance(value, (date, datetime)):
            return to_utc_datetime(value)
        if isinstance(value, str):
            relative = _DAYS_AGO.match(value.strip())
            if relative:
                return DaysAgo(int(relative.group(1)))
            try:
                return to_utc_datetime(datetime.fromisoformat(value.strip()))
            except ValueError:
                pass
        raise self.fail(node, f"{value!r} is not a date (use ISO 8601, e.g. 2021-01-01, or days_ago(N))")

    def duration(self, value: Any, node: yaml.Node) -> timedelta:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return timedelta(seconds=value)
        if isinstance(value, str):
            match = _DURATION.match(value.strip())
            if match:
                return timedelta(
                    days=int(match["days"] or 0), hours=int(match["h"]), minutes=int(match["m"]), seconds=float(match["s"])
                )
        raise self.fail(node, f"{value!r} is not a duration (use seconds, or \"H:MM:SS\")")

    def tasks(self, dag: Dag, entries) -> None:
        if "tasks" not in entries:
            raise self.fail(self.root, "tasks is missing")
        node = entries["tasks"][1]
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "tasks must be a list")
        edges: list[tuple[str, str, yaml.Node]] = []
        branch_edges: list[tuple[str, list[str], yaml.Node]] = []
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                raise self.fail(item, "each task must be a mapping with task_id and operator")
            fields = self.mapping(item)
            task_id = self.identifier(fields, "task_id", item)
            if task_id in dag.tasks:
                raise self.fail(fields["task_id"][1], f"task_id {task_id!r} is used twice")
            operator = self.value(fields["operator"][1]) if "operator" in fields else None
            if not isinstance(operator, str) or not operator.strip():
                raise self.fail(fields.get("operator", (None, item))[1], f"task {task_id!r} needs an operator name")
            attributes = {
                k: self.field_value(k, self.value(v), v) for k, (_, v) in fields.items() if k not in TASK_STRUCTURE_FIELDS
            }
            simulate = self.simulate(fields["simulate"][1], task_level=True) if "simulate" in fields else {}
            dag.tasks[task_id] = Task(task_id=task_id, operator=operator.strip(), attributes=attributes, simulate=simulate)
            if simulate.get("branch") is not None:
                branch_edges.append((task_id, simulate["branch"], fields["simulate"][1]))
            for direction in ("upstream", "downstream"):
                if direction in fields:
                    for other, other_node in self.task_list(fields[direction][1], direction):
                        edges.append((task_id, other, other_node) if direction == "downstream" else (other, task_id, other_node))
        for upstream, downstream, edge_node in edges:
            for task_id in (upstream, downstream):
                if task_id not in dag.tasks:
                    raise self.fail(edge_node, f"task {task_id!r} is not defined in this DAG")
            if upstream == downstream:
                raise self.fail(edge_node, f"task {upstream!r} cannot depend on itself")
            dag.tasks[upstream].downstream.add(downstream)
            dag.tasks[downstream].upstream.add(upstream)
        self.check_acyclic(dag, node)
        for task_id, branch, branch_node in branch_edges:
            for followed in branch:
                if followed not in dag.tasks[task_id].downstream:
                    raise self.fail(branch_node, f"branch of {task_id!r} names {followed!r}, which is not directly downstream of it")

    def task_list(self, node: yaml.Node, direction: str) -> list[tuple[str, yaml.Node]]:
        if isinstance(node, yaml.ScalarNode):
            items = [node]
        elif isinstance(node, yaml.SequenceNode):
            items = node.value
        else:
            raise self.fail(node, f"{direction} must be a task id or a list of task ids")
        result = []
        for item in items:
            value = self.value(item)
            if not isinstance(value, str):
                raise self.fail(item, f"{direction} must list task ids, not {value!r}")
            result.append((value, item))
        return result

    def check_acyclic(self, dag: Dag, node: yaml.Node) -> None:
        visiting: set[str] = set()
        done: set[str] = set()

        def visit(task_id: str, path: list[str]) -> None:
            if task_id in done:
                return
            if task_id in visiting:
                cycle = " -> ".join(path[path.index(task_id):] + [task_id])
                raise self.fail(node, f"the tasks form a cycle: {cycle}")
            visiting.add(task_id)
            for child in sorted(dag.tasks[task_id].downstream):
                visit(child, path + [task_id])
            visiting.discard(task_id)
            done.add(task_id)

        for task_id in dag.tasks:
            visit(task_id, [])
