"""Each trigger rule's decision for the upstream states that matter, and a run's final state."""

import pytest

from expapi.flavours.airflow_1_10 import AIRFLOW_1_10
from expapi.scheduler.rules import RULES, Decision, decide, run_outcome

RUN, WAIT, SKIP, UPF = Decision.RUN, Decision.WAIT, Decision.SKIP, Decision.UPSTREAM_FAILED

CASES = [
    # rule, upstream states, decision
    ("all_success", ["success", "success"], RUN),
    ("all_success", ["success", None], WAIT),
    ("all_success", ["failed", None], UPF),
    ("all_success", ["upstream_failed", "success"], UPF),
    ("all_success", ["skipped", "success"], SKIP),
    ("all_failed", ["failed", "upstream_failed"], RUN),
    ("all_failed", ["failed", "running"], WAIT),
    ("all_failed", ["failed", "success"], SKIP),
    ("all_failed", ["skipped", "failed"], SKIP),
    ("all_done", ["failed", "skipped", "success", "upstream_failed"], RUN),
    ("all_done", ["failed", "up_for_retry"], WAIT),
    ("one_success", ["success", None], RUN),
    ("one_success", ["failed", None], WAIT),
    ("one_success", ["failed", "skipped"], SKIP),
    ("one_failed", ["failed", None], RUN),
    ("one_failed", ["upstream_failed", None], RUN),
    ("one_failed", ["success", None], WAIT),
    ("one_failed", ["success", "skipped"], SKIP),
    ("none_failed", ["success", "skipped"], RUN),
    ("none_failed", ["skipped", "skipped"], RUN),
    ("none_failed", ["success", "queued"], WAIT),
    ("none_failed", ["failed", None], UPF),
    ("none_failed_min_one_success", ["success", "skipped"], RUN),
    ("none_failed_min_one_success", ["skipped", "skipped"], SKIP),
    ("none_failed_min_one_success", ["skipped", None], WAIT),
    ("none_failed_min_one_success", ["upstream_failed", "skipped"], UPF),
    ("none_skipped", ["success", "failed"], RUN),
    ("none_skipped", ["success", "running"], WAIT),
    ("none_skipped", ["skipped", None], SKIP),
    ("always", [None, "failed"], RUN),
]


@pytest.mark.parametrize(("rule", "upstream", "expected"), CASES)
def test_decision(rule, upstream, expected):
    assert decide(rule, upstream) is expected


def test_every_rule_is_covered():
    assert {rule for rule, _, _ in CASES} == RULES


def test_a_task_without_upstream_runs_under_any_rule():
    assert {decide(rule, []) for rule in RULES} == {RUN}


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown trigger rule 'sometimes'"):
        decide("sometimes", ["success"])


def test_1_10_names_map_onto_the_rules():
    assert AIRFLOW_1_10.trigger_rule("none_failed_or_skipped") == "none_failed_min_one_success"
    assert AIRFLOW_1_10.trigger_rule("dummy") == "always"
    assert AIRFLOW_1_10.trigger_rule("always") is None
    assert set(AIRFLOW_1_10.trigger_rules.values()) == RULES


@pytest.mark.parametrize(
    ("leaves", "tasks", "expected"),
    [
        (["success", "skipped"], ["success", "skipped"], "success"),
        (["skipped"], ["skipped", "skipped"], "success"),
        (["success", "upstream_failed"], ["failed", "success", "upstream_failed"], "failed"),
        (["failed"], ["success", "failed"], "failed"),
        # A failed task whose downstream leaf ran anyway (all_done) does not fail the run.
        (["success"], ["failed", "success"], "success"),
        (["success", None], ["success", None], None),
        (["success"], ["up_for_retry", "success"], None),
    ],
)
def test_run_outcome_from_leaves(leaves, tasks, expected):
    assert run_outcome(leaves, tasks) == expected
