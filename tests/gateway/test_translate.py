"""Reading stable-API JSON into plain values; the samples are what Airflow 2.11.2 and 3.3.2 answered."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from expapi.gateway.api_lines import API_V1, API_V2
from expapi.gateway.translate import (
    PoolFields,
    RunFields,
    format_timestamp,
    params_values,
    parse_duration,
    parse_timestamp,
    pool_fields,
    run_fields,
    task_attributes,
    task_instance_attributes,
)

UTC = timezone.utc

RUN_V1 = {
    "conf": {"k": "v"},
    "dag_id": "example_bash_operator",
    "dag_run_id": "gw_a",
    "data_interval_end": "2030-01-01T00:00:00+00:00",
    "data_interval_start": "2029-12-31T00:00:00+00:00",
    "end_date": None,
    "execution_date": "2030-01-01T21:34:05.123456+00:00",
    "external_trigger": True,
    "last_scheduling_decision": None,
    "logical_date": "2030-01-01T21:34:05.123456+00:00",
    "note": None,
    "run_type": "manual",
    "start_date": None,
    "state": "queued",
}
RUN_V2 = {
    "dag_run_id": "gw_a",
    "dag_id": "example_bash_operator",
    "logical_date": "2030-01-01T21:34:05.123456Z",
    "queued_at": "2026-11-28T17:56:58.737096Z",
    "start_date": "2026-11-28T17:57:01.5Z",
    "end_date": None,
    "duration": None,
    "run_after": "2026-11-28T17:56:58.715798Z",
    "run_type": "manual",
    "state": "running",
    "triggered_by": "rest_api",
    "conf": {"k": "v"},
}
TASK_V1 = {
    "class_ref": {"class_name": "BashOperator", "module_path": "airflow.operators.bash"},
    "depends_on_past": False,
    "doc_md": None,
    "downstream_task_ids": ["run_after_loop"],
    "end_date": None,
    "execution_timeout": None,
    "extra_links": [],
    "is_mapped": False,
    "operator_name": "BashOperator",
    "owner": "airflow",
    "params": {"example_key": {"__class": "airflow.models.param.Param", "description": None, "schema": {}, "value": "example_value"}},
    "pool": "default_pool",
    "pool_slots": 1.0,
    "priority_weight": 1.0,
    "queue": "default",
    "retries": 0.0,
    "retry_delay": {"__type": "TimeDelta", "days": 0, "microseconds": 0, "seconds": 300},
    "retry_exponential_backoff": False,
    "start_date": "2021-01-01T00:00:00+00:00",
    "task_display_name": "runme_0",
    "task_id": "runme_0",
    "template_fields": ["bash_command", "env", "cwd"],
    "trigger_rule": "all_success",
    "ui_color": "#f0ede4",
    "ui_fgcolor": "#000",
    "wait_for_downstream": False,
    "weight_rule": "downstream",
}
TASK_V2 = {
    "task_id": "runme_0",
    "task_display_name": "runme_0",
    "owner": "airflow",
    "start_date": "2021-01-01T00:00:00Z",
    "end_date": None,
    "trigger_rule": "all_success",
    "depends_on_past": False,
    "wait_for_downstream": False,
    "retries": 0.0,
    "queue": "default",
    "pool": "default_pool",
    "pool_slots": 1.0,
    "execution_timeout": None,
    "retry_delay": {"__type": "TimeDelta", "days": 0, "seconds": 300, "microseconds": 0},
    "retry_exponential_backoff": 0.0,
    "priority_weight": 1.0,
    "weight_rule": "downstream",
    "ui_color": "#f0ede4",
    "ui_fgcolor": "#000",
    "template_fields": ["bash_command", "env", "cwd"],
    "downstream_task_ids": ["run_after_loop"],
    "doc_md": None,
    "operator_name": "BashOperator",
    "params": {"example_key": {"value": "example_value", "schema": {}, "description": None, "source": "dag"}},
    "class_ref": {"module_path": "airflow.providers.standard.operators.bash", "class_name": "BashOperator"},
    "is_mapped": False,
    "extra_links": [],
}
TI_V1 = {
    "dag_id": "example_bash_operator",
    "dag_run_id": "gw_a",
    "duration": None,
    "end_date": None,
    "execution_date": "2030-01-01T21:34:05.123456+00:00",
    "executor": None,
    "executor_config": "{}",
    "hostname": "",
    "map_index": -1,
    "max_tries": 0,
    "note": None,
    "operator": "BashOperator",
    "pid": None,
    "pool": "default_pool",
    "pool_slots": 1,
    "priority_weight": 3,
    "queue": "default",
    "queued_when": None,
    "rendered_fields": {},
    "rendered_map_index": None,
    "sla_miss": None,
    "start_date": None,
    "state": None,
    "task_display_name": "runme_0",
    "task_id": "runme_0",
    "trigger": None,
    "triggerer_job": None,
    "try_number": 0,
    "unixname": "root",
}
TI_V2 = {
    "id": "01a2234d-9d0e-7adc-a6dc-0a287d9539db",
    "task_id": "runme_0",
    "dag_id": "example_bash_operator",
    "dag_run_id": "gw_a",
    "map_index": -1,
    "logical_date": "2030-01-01T21:34:05.123456Z",
    "run_after": "2026-11-28T17:56:58.715798Z",
    "start_date": "2026-11-28T17:57:10.000001Z",
    "end_date": "2026-11-28T17:57:12Z",
    "duration": 1.999999,
    "state": "success",
    "try_number": 1,
    "max_tries": 0,
    "hostname": "ci",
    "unixname": "root",
    "pool": "default_pool",
    "pool_slots": 1,
    "queue": "default",
    "priority_weight": 3,
    "operator": "BashOperator",
    "operator_name": "BashOperator",
    "queued_when": "2026-11-28T17:57:09Z",
    "scheduled_when": "2026-11-28T17:57:08Z",
    "pid": 4242,
    "executor": None,
    "executor_config": "{}",
    "note": None,
    "rendered_map_index": None,
    "rendered_fields": {"bash_command": 'echo "example_bash_operator__runme_0__20300101" && sleep 1'},
    "trigger": None,
    "triggerer_job": None,
}


class TestTimestamps:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2030-01-01T21:34:05.123456+00:00", datetime(2030, 1, 1, 21, 34, 5, 123456, UTC)),
            ("2030-01-01T21:34:05.123456Z", datetime(2030, 1, 1, 21, 34, 5, 123456, UTC)),
            ("2030-01-02T03:04:05.123456+05:30", datetime(2030, 1, 1, 21, 34, 5, 123456, UTC)),
            ("2030-01-01T00:00:00Z", datetime(2030, 1, 1, tzinfo=UTC)),
            ("2026-11-28T17:57:01.5Z", datetime(2026, 11, 28, 17, 57, 1, 500000, UTC)),
            ("2030-01-01T21:34:05.1234567Z", datetime(2030, 1, 1, 21, 34, 5, 123456, UTC)),
            ("2030-01-01 21:34:05", datetime(2030, 1, 1, 21, 34, 5, tzinfo=UTC)),
        ],
    )
    def test_parsed_to_utc(self, text: str, expected: datetime) -> None:
        parsed = parse_timestamp(text)
        assert parsed == expected and parsed.utcoffset() == timedelta(0)

    def test_none_stays_none(self) -> None:
        assert parse_timestamp(None) is None

    def test_other_text_is_refused(self) -> None:
        with pytest.raises(ValueError, match="not a stable-API timestamp: 'yesterday'"):
            parse_timestamp("yesterday")

    def test_formatted_for_airflow_in_utc(self) -> None:
        ist = timezone(timedelta(hours=5, minutes=30))
        assert format_timestamp(datetime(2030, 1, 2, 3, 4, 5, 123456, ist)) == "2030-01-01T21:34:05.123456+00:00"
        assert format_timestamp(datetime(2030, 1, 2, tzinfo=UTC)) == "2030-01-02T00:00:00+00:00"

    def test_a_naive_date_is_never_sent(self) -> None:
        with pytest.raises(ValueError, match="a naive datetime cannot be sent to Airflow"):
            format_timestamp(datetime(2030, 1, 2))


class TestDurations:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ({"__type": "TimeDelta", "days": 0, "seconds": 300, "microseconds": 0}, timedelta(minutes=5)),
            ({"__type": "TimeDelta", "days": 1, "seconds": 1, "microseconds": 5}, timedelta(days=1, seconds=1, microseconds=5)),
            ("PT1H", timedelta(hours=1)),
            ("P1DT2H3M4.5S", timedelta(days=1, hours=2, minutes=3, seconds=4.5)),
            (None, None),
        ],
    )
    def test_parsed(self, value, expected) -> None:
        assert parse_duration(value) == expected

    @pytest.mark.parametrize("value", ["P", "1 hour", 300])
    def test_others_refused(self, value) -> None:
        with pytest.raises(ValueError):
            parse_duration(value)


class TestRuns:
    def test_a_v1_run(self) -> None:
        assert run_fields(API_V1, RUN_V1) == RunFields(
            dag_id="example_bash_operator",
            run_id="gw_a",
            execution_date=datetime(2030, 1, 1, 21, 34, 5, 123456, UTC),
            start_date=None,
            end_date=None,
            state="queued",
            conf={"k": "v"},
            external_trigger=True,
        )

    def test_a_v2_run(self) -> None:
        assert run_fields(API_V2, RUN_V2) == RunFields(
            dag_id="example_bash_operator",
            run_id="gw_a",
            execution_date=datetime(2030, 1, 1, 21, 34, 5, 123456, UTC),
            start_date=datetime(2026, 11, 28, 17, 57, 1, 500000, UTC),
            end_date=None,
            state="running",
            conf={"k": "v"},
            external_trigger=True,
            queued_at=datetime(2026, 11, 28, 17, 56, 58, 737096, UTC),
        )

    def test_a_scheduled_v2_run_was_not_triggered(self) -> None:
        assert run_fields(API_V2, {**RUN_V2, "run_type": "scheduled"}).external_trigger is False

    def test_a_v2_run_without_logical_date(self) -> None:
        fields = run_fields(API_V2, {**RUN_V2, "logical_date": None, "conf": None})
        assert (fields.execution_date, fields.conf) == (None, {})


def test_pools() -> None:
    v1 = {"deferred_slots": 0, "description": "Default pool", "include_deferred": False, "name": "default_pool", "occupied_slots": 0, "open_slots": 128, "queued_slots": 0, "running_slots": 0, "scheduled_slots": 0, "slots": 128}
    v2 = {"name": "etl", "slots": -1, "description": None, "include_deferred": True, "occupied_slots": 0, "running_slots": 0, "queued_slots": 0, "scheduled_slots": 0, "open_slots": -1, "deferred_slots": 0, "team_name": None}
    assert pool_fields(v1) == PoolFields("default_pool", 128, "Default pool", False)
    assert pool_fields(v2) == PoolFields("etl", -1, None, True)


def test_params_of_both_lines() -> None:
    assert params_values(TASK_V1["params"]) == params_values(TASK_V2["params"]) == {"example_key": "example_value"}
    assert params_values(None) == {}


class TestTaskAttributes:
    EXPECTED = {
        "task_id": "runme_0",
        "owner": "airflow",
        "start_date": datetime(2021, 1, 1, tzinfo=UTC),
        "end_date": None,
        "trigger_rule": "all_success",
        "depends_on_past": False,
        "wait_for_downstream": False,
        "retries": 0,
        "queue": "default",
        "pool": "default_pool",
        "pool_slots": 1,
        "execution_timeout": None,
        "retry_delay": timedelta(seconds=300),
        "retry_exponential_backoff": False,
        "priority_weight": 1,
        "weight_rule": "downstream",
        "ui_color": "#f0ede4",
        "ui_fgcolor": "#000",
        "template_fields": ("bash_command", "env", "cwd"),
        "downstream_task_ids": {"run_after_loop"},
        "doc_md": None,
        "params": {"example_key": "example_value"},
        "task_type": "BashOperator",
    }

    @pytest.mark.parametrize("task", [TASK_V1, TASK_V2], ids=["v1", "v2"])
    def test_both_lines_give_the_same_attributes(self, task: dict) -> None:
        attributes = task_attributes(task)
        assert attributes == self.EXPECTED
        # Python's str() of each, as a flavour renders them.
        assert (str(attributes["retries"]), str(attributes["retry_delay"]), str(attributes["start_date"])) == (
            "0", "0:05:00", "2021-01-01 00:00:00+00:00"
        )

    def test_upstream_tasks_come_from_the_others_downstream_lists(self) -> None:
        others = [
            {"task_id": "runme_1", "downstream_task_ids": ["run_after_loop"]},
            {"task_id": "runme_2", "downstream_task_ids": ["run_after_loop"]},
            {"task_id": "also_run_this", "downstream_task_ids": ["run_this_last"]},
        ]
        run_after_loop = {**TASK_V2, "task_id": "run_after_loop", "downstream_task_ids": ["run_this_last"]}
        assert task_attributes(run_after_loop, [TASK_V2, *others])["upstream_task_ids"] == {"runme_0", "runme_1", "runme_2"}
        assert task_attributes(TASK_V2, [TASK_V2, *others])["upstream_task_ids"] == set()

    def test_airflow_2_also_names_the_executor(self) -> None:
        assert task_attributes({**TASK_V1, "executor": "LocalExecutor"})["executor"] == "LocalExecutor"
        assert "executor" not in task_attributes(TASK_V2)

    def test_a_backoff_multiplier_stays_a_number(self) -> None:
        assert task_attributes({**TASK_V2, "retry_exponential_backoff": 2.0})["retry_exponential_backoff"] == 2.0
        assert task_attributes({**TASK_V2, "retry_exponential_backoff": 1.0})["retry_exponential_backoff"] is True


class TestTaskInstanceAttributes:
    def test_v1(self) -> None:
        assert task_instance_attributes(API_V1, TI_V1) == {
            "dag_id": "example_bash_operator",
            "task_id": "runme_0",
            "run_id": "gw_a",
            "map_index": -1,
            "execution_date": datetime(2030, 1, 1, 21, 34, 5, 123456, UTC),
            "start_date": None,
            "end_date": None,
            "duration": None,
            "state": None,
            "try_number": 0,
            "max_tries": 0,
            "hostname": "",
            "unixname": "root",
            "pool": "default_pool",
            "pool_slots": 1,
            "queue": "default",
            "priority_weight": 3,
            "operator": "BashOperator",
            "queued_dttm": None,
            "pid": None,
            "executor_config": "{}",
            "executor": None,
            "rendered_fields": {},
            "updated_at": None,  # not in Airflow 2's stable API
        }

    def test_v2_with_airflows_names(self) -> None:
        attributes = task_instance_attributes(API_V2, TI_V2)
        assert attributes["execution_date"] == datetime(2030, 1, 1, 21, 34, 5, 123456, UTC)
        assert attributes["queued_dttm"] == datetime(2026, 11, 28, 17, 57, 9, tzinfo=UTC)
        assert (attributes["state"], attributes["duration"], attributes["pid"], attributes["hostname"]) == ("success", 1.999999, 4242, "ci")
        assert attributes["rendered_fields"]["bash_command"].startswith('echo "example_bash_operator__runme_0')
        assert "job_id" not in attributes
