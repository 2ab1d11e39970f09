"""Trigger rules and a run's final state, as pure functions of the states involved.

The decisions follow Airflow's ``TriggerRuleDep`` with ``flag_upstream_failed`` (what its
scheduler uses): a rule that can no longer be met marks the task ``skipped`` or
``upstream_failed`` at once, without waiting for the remaining upstream tasks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import Enum

SUCCESS = "success"
FAILED = "failed"
SKIPPED = "skipped"
UPSTREAM_FAILED = "upstream_failed"
UP_FOR_RETRY = "up_for_retry"
SCHEDULED = "scheduled"
QUEUED = "queued"
RUNNING = "running"

FINISHED = frozenset({SUCCESS, FAILED, SKIPPED, UPSTREAM_FAILED})
# Airflow's canonical names; each flavour maps the names its line accepts onto these.
RULES = frozenset({
    "all_success", "all_failed", "all_done", "one_success", "one_failed", "none_failed",
    "none_failed_min_one_success", "none_skipped", "always",
})


class Decision(Enum):
    WAIT = "wait"
    RUN = "run"
    SKIP = SKIPPED
    UPSTREAM_FAILED = UPSTREAM_FAILED


def decide(rule: str, upstream_states: Iterable[str | None]) -> Decision:
    """What a task whose upstream tasks are in these states does next, under ``rule``."""
    states = list(upstream_states)
    count = Counter(states)
    total = len(states)
    success, skipped = count[SUCCESS], count[SKIPPED]
    failed, upstream_failed = count[FAILED], count[UPSTREAM_FAILED]
    done = success + skipped + failed + upstream_failed
    all_done = done >= total
    if rule == "always" or total == 0:
        return Decision.RUN
    if rule == "all_success":
        if failed or upstream_failed:
            return Decision.UPSTREAM_FAILED
        if skipped:
            return Decision.SKIP
        return Decision.RUN if success == total else Decision.WAIT
    if rule == "all_failed":
        if success or skipped:
            return Decision.SKIP
        return Decision.RUN if failed + upstream_failed == total else Decision.WAIT
    if rule == "all_done":
        return Decision.RUN if all_done else Decision.WAIT
    if rule == "one_success":
        if success:
            return Decision.RUN
        return Decision.SKIP if all_done else Decision.WAIT
    if rule == "one_failed":
        if failed or upstream_failed:
            return Decision.RUN
        return Decision.SKIP if all_done else Decision.WAIT
    if rule == "none_failed":
        if failed or upstream_failed:
            return Decision.UPSTREAM_FAILED
        return Decision.RUN if success + skipped == total else Decision.WAIT
    if rule == "none_failed_min_one_success":
        if failed or upstream_failed:
            return Decision.UPSTREAM_FAILED
        if skipped == total:
            return Decision.SKIP
        return Decision.RUN if success + skipped == total else Decision.WAIT
    if rule == "none_skipped":
        if skipped:
            return Decision.SKIP
        return Decision.RUN if all_done else Decision.WAIT
    raise ValueError(f"unknown trigger rule {rule!r}")


def run_outcome(leaf_states: Iterable[str | None], all_states: Iterable[str | None]) -> str | None:
    """The run's final state once every task has finished (None while any has not), from its leaves."""
    if any(state not in FINISHED for state in all_states):
        return None
    leaves = list(leaf_states)
    if any(state in (FAILED, UPSTREAM_FAILED) for state in leaves):
        return FAILED
    return SUCCESS
