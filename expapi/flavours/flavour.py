"""What one Airflow line's experimental API looks like from outside, as data and small named hooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from expapi.flavours.cli_habits import CLI_1_10, CliHabits
from expapi.flavours.messages import Messages


class ConfNotADict(ValueError):
    """A trigger's ``conf`` this line does not take as a run configuration."""


AIRFLOW_2_TRIGGER_RULES = {
    name: name
    for name in (
        "all_success", "all_failed", "all_done", "one_success", "one_failed", "none_failed",
        "none_failed_min_one_success", "none_skipped", "always",
    )
}


@dataclass(frozen=True)
class Flavour:
    """One Airflow line: its version, its JSON, its messages, its response shapes and its defaults.

    Where lines differ in a value, the value is a field; where they differ in how something
    is written (a date inside a message, a UI link), the field is a small function.
    """

    name: str
    # Other values of ``[api] compat`` that choose this flavour.
    aliases: tuple[str, ...]
    airflow_version: str
    # Folder of expapi/example_dags holding this line's example DAG files.
    examples: str
    # JSON as Flask's jsonify writes it in this line (keys are sorted in every line).
    json_separators: tuple[str, str]
    json_trailing_newline: bool
    # State and start date of a run made by a trigger.
    triggered_run_state: str
    triggered_run_starts_now: bool
    # str() of a date inside messages: one the client sent, one the server made.
    client_date_str: Callable[[datetime], str]
    server_date_str: Callable[[datetime], str]
    # ``dag_run_url`` in run listings.
    dag_run_url: Callable[[str, datetime], str]
    messages: Messages
    # The keys each response object shows, in this line (expapi.flavours.presenters finds the values).
    dag_run_keys: tuple[str, ...]
    latest_run_keys: tuple[str, ...]
    pool_keys: tuple[str, ...]
    task_instance_keys: tuple[str, ...]
    # str() of a DagRun in this line (a task instance's ``dag_run`` key): a ``str.format`` template
    # of dag_id, execution_date, run_id, state, queued_at and external_trigger, each as str().
    dag_run_repr: str
    # The status the password backend answers to Basic credentials it does not accept.
    wrong_password_status: int
    # A trigger's ``conf`` -> the stored run conf; ``given`` says whether the key was in the body.
    # Raises ConfNotADict for a conf the line refuses.
    read_conf: Callable[[Any, bool], Mapping[str, Any] | None]
    # Values the ``state`` filter of a run listing accepts (lower case); None: any string (no match, no error).
    dag_run_states: frozenset[str] | None = None
    # Headers on every response of the API, errors included (Airflow 2's deprecation notice).
    response_headers: Mapping[str, str] = field(default_factory=dict)
    # Task-instance keys whose value is fixed in this line (Airflow 2's unmapped ``map_index``, ...).
    task_instance_constants: Mapping[str, Any] = field(default_factory=dict)
    # How the CLI prints pool and trigger results in this line.
    cli: CliHabits = CLI_1_10
    # Operator attributes every task has, with BaseOperator's defaults in this line.
    base_operator_defaults: Mapping[str, Any] = field(default_factory=dict)
    # Extra attributes per operator class, with their defaults.
    operator_defaults: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The scheduler's view of this line. Trigger rule names a DAG file may use, mapped onto
    # expapi.scheduler.rules' names (Airflow 2's); the default is Airflow 2's own list.
    trigger_rules: Mapping[str, str] = field(default_factory=lambda: dict(AIRFLOW_2_TRIGGER_RULES))
    # Task-instance states that make DELETE /dags/<dag_id> refuse, deleting nothing
    # (Airflow 2: "running"; 1.10 deletes whatever runs). The SQL store applies it.
    dag_delete_refused_while: frozenset[str] = frozenset()
    # The state a scheduled run (and a queued triggered run) is created in; "queued" runs
    # move to "running" when max_active_runs allows (Airflow 2), "running" ones start at once.
    scheduled_run_state: str = "queued"

    def trigger_rule(self, name: str) -> str | None:
        """The scheduler's name for a trigger rule of this line; None if the line has no such rule."""
        return self.trigger_rules.get(name)

    def dumps_options(self) -> dict[str, Any]:
        """``json.dumps`` keyword arguments that write JSON as this line's Flask did."""
        return {"sort_keys": True, "separators": self.json_separators, "ensure_ascii": True}

    def defaults_for(self, operator: str) -> dict[str, Any]:
        """Every attribute an operator of this class has before the DAG file sets any."""
        return {**self.base_operator_defaults, **self.operator_defaults.get(operator, {})}
