"""How one Airflow line's CLI printed what the API client gave back, as data.

Airflow 1.10's ``pool`` printed the pool's row after every action; Airflow 2's ``pools``
prints one line (``Pool etl created``) and lists a fourth column, and its ``dags trigger``
prints the new run as a row of the run's fields. The commands read these habits from the
configured flavour instead of asking which line they imitate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# (the trigger's answer, the DAG id, the conf sent) -> the row the trigger command prints.
TriggerRow = Callable[[Mapping[str, Any], str, Any], dict[str, Any]]


@dataclass(frozen=True)
class CliHabits:
    """One line's CLI output for the pool and trigger commands."""

    pool_columns: tuple[str, ...]
    # One line printed instead of the pool's row ({name}); None: print the row.
    pool_set_line: str | None
    pool_deleted_line: str | None
    # The line for ``pools get``/``pools delete`` of an unknown pool; None: the server's message.
    pool_missing_line: str | None
    trigger_columns: tuple[str, ...]
    trigger_row: TriggerRow


def answer_row(answer: Mapping[str, Any], dag_id: str, conf: Any) -> dict[str, Any]:
    """The trigger's answer as it is."""
    return dict(answer)


def airflow_2_run_row(answer: Mapping[str, Any], dag_id: str, conf: Any) -> dict[str, Any]:
    """The new run as Airflow 2's ``dags trigger`` printed it (the local client's dict).

    expapi keeps no timetable, so the data interval is not known here (empty), and a
    triggered run has not been scheduled yet.
    """
    return {
        "conf": conf if conf is not None else {},
        "dag_id": dag_id,
        "dag_run_id": answer["run_id"],
        "data_interval_start": None,
        "data_interval_end": None,
        "end_date": None,
        "external_trigger": True,
        "last_scheduling_decision": None,
        "logical_date": answer["execution_date"],
        "run_type": "manual",
        "start_date": None,
        "state": "queued",
    }


CLI_1_10 = CliHabits(
    pool_columns=("pool", "slots", "description"),
    pool_set_line=None,
    pool_deleted_line=None,
    pool_missing_line=None,
    trigger_columns=("run_id", "execution_date", "message"),
    trigger_row=answer_row,
)

CLI_2 = CliHabits(
    pool_columns=("pool", "slots", "description", "include_deferred"),
    pool_set_line="Pool {name} created",
    pool_deleted_line="Pool {name} deleted",
    pool_missing_line="Pool {name} does not exist",
    trigger_columns=(
        "conf", "dag_id", "dag_run_id", "data_interval_start", "data_interval_end", "end_date", "external_trigger",
        "last_scheduling_decision", "logical_date", "run_type", "start_date", "state",
    ),
    trigger_row=airflow_2_run_row,
)
