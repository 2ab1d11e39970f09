"""What a task does when the scheduler "runs" it: read from its ``simulate:`` block, never executed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from expapi.dags.definition import Dag, Task


@dataclass(frozen=True)
class Simulation:
    """One task's simulated behaviour; durations are in unscaled seconds."""

    duration: float
    outcome: str = "success"
    # The first N tries fail whatever ``outcome`` says: retries can be exercised.
    fail_attempts: int = 0
    # Branching operators: the directly downstream tasks followed (the others are skipped);
    # None follows them all.
    branch: tuple[str, ...] | None = None
    # LatestOnlyOperator: skip every directly downstream task unless the run is the latest.
    latest_only: bool = False

    def outcome_of_try(self, try_number: int) -> str:
        """The state try number ``try_number`` (counted from 1) ends in."""
        return "failed" if try_number <= self.fail_attempts else self.outcome


def simulation_for(dag: Dag, task: Task, default_duration: float) -> Simulation:
    """The task's block over the DAG's block over ``[scheduler] default_task_duration``."""
    block = {**dag.simulate, **task.simulate}
    duration = block.get("duration")
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else default_duration
    branch = block.get("branch")
    return Simulation(
        duration=seconds,
        outcome=block.get("outcome", "success"),
        fail_attempts=int(block.get("fail_attempts", 0)),
        branch=tuple(branch) if branch is not None else None,
        latest_only=bool(block.get("latest_only", False)),
    )
