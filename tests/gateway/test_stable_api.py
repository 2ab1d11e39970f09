"""The stable-API calls against live Airflow 2.11 (/api/v1) and 3.3 (/api/v2): names, filters, errors.

Every test runs against both Airflows (``airflow`` fixture); where the lines differ, the test
says how, and ``ApiLine`` holds the difference. Each test makes its own runs (random run ids
and dates) and pools, so tests do not depend on each other or on the order they run in.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from expapi.gateway import stable_api as api
from expapi.gateway.client import SyncUpstream
from expapi.gateway.errors import UpstreamBadRequest, UpstreamConflict, UpstreamNotFound
from expapi.gateway.translate import pool_fields, run_fields, task_attributes, task_instance_attributes
from live_airflow import LiveAirflow

UTC = timezone.utc
IST = timezone(timedelta(hours=5, minutes=30))
DAG = "example_bash_operator"


# Example DAGs of both lines that no other test uses, for the delete test.
EXPENDABLE_DAGS = (
    "example_branch_labels",
    "example_branch_datetime_operator",
    "example_branch_datetime_operator_2",
    "example_branch_datetime_operator_3",
    "example_nested_branch_dag",
    "example_weekday_branch_operator",
)


def exists(upstream: SyncUpstream, dag_id: str) -> bool:
    try:
        api.get_dag(upstream, dag_id)
    except UpstreamNotFound:
        return False
    return True


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def random_date() -> datetime:
    """An instant no other test uses: a random second of 2031-2099, with microseconds, written in IST."""
    start = datetime(2031, 1, 1, tzinfo=UTC)
    moment = start + timedelta(seconds=random.randrange(69 * 365 * 86400), microseconds=random.randrange(1, 10**6))
    return moment.astimezone(IST)


@pytest.fixture
def pools(upstream: SyncUpstream) -> Iterator[list[str]]:
    """Names of pools a test makes; deleted afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        try:
            api.delete_pool(upstream, name)
        except UpstreamNotFound:
            pass


class TestServer:
    def test_detection_finds_the_line_and_version(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        line = upstream.run(upstream.exchange.check())
        assert (line.prefix, line.airflow_major) == (airflow.api_prefix, airflow.major)
        assert upstream.exchange.airflow_version.startswith(f"{airflow.major}.")
        assert api.get_version(upstream)["version"] == upstream.exchange.airflow_version


class TestDags:
    def test_a_dag(self, upstream: SyncUpstream) -> None:
        dag = api.get_dag(upstream, DAG)
        assert dag["dag_id"] == DAG
        assert isinstance(dag["is_paused"], bool)
        assert dag["fileloc"].endswith("example_bash_operator.py")
        assert dag["file_token"] and dag["owners"] == ["airflow"]

    def test_an_unknown_dag(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamNotFound) as caught:
            api.get_dag(upstream, "no_such_dag")
        assert caught.value.detail == {
            2: "The DAG with dag_id: no_such_dag was not found",
            3: "The Dag with ID: `no_such_dag` was not found",
        }[airflow.major]

    def test_details_give_the_start_date(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        details = api.get_dag_details(upstream, DAG)
        assert details["start_date"] in ("2021-01-01T00:00:00+00:00", "2021-01-01T00:00:00Z")
        # Only Airflow 3 says what default_args hold (the experimental trigger's start-date check).
        assert ("default_args" in details) is (airflow.major == 3)

    def test_every_dag_across_pages(self, upstream: SyncUpstream) -> None:
        total = upstream.call("GET", "/dags", params={"limit": 1}).json()["total_entries"]
        dags = api.list_dags(upstream)
        assert len(dags) == total and len({d["dag_id"] for d in dags}) == total
        assert [d["dag_id"] for d in dags] == sorted(d["dag_id"] for d in dags)
        assert [d["dag_id"] for d in api.pages(upstream, "/dags", "dags", params={"order_by": "dag_id"}, page_size=7)] == [
            d["dag_id"] for d in dags
        ]

    def test_the_server_caps_a_page_and_the_walk_goes_on(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        # Airflow 3 answers at most 100 of its 114 example DAGs to limit=1000 (Airflow 2 has fewer than 100).
        page = upstream.call("GET", "/dags", params={"limit": 1000}).json()
        assert len(page["dags"]) == min(page["total_entries"], 100)
        assert len(list(api.pages(upstream, "/dags", "dags", page_size=1000))) == page["total_entries"]

    def test_pause_and_unpause(self, upstream: SyncUpstream) -> None:
        dag = "example_display_name"  # no schedule: unpausing it makes no runs
        try:
            assert api.set_dag_paused(upstream, dag, False)["is_paused"] is False
            assert api.get_dag(upstream, dag)["is_paused"] is False
            assert api.set_dag_paused(upstream, dag, True)["is_paused"] is True
        finally:
            api.set_dag_paused(upstream, dag, True)
        assert api.get_dag(upstream, dag)["is_paused"] is True

    def test_pausing_an_unknown_dag(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamNotFound) as caught:
            api.set_dag_paused(upstream, "no_such_dag", True)
        assert caught.value.detail == {2: "Dag with id: 'no_such_dag' not found", 3: "Dag with id: no_such_dag was not found"}[airflow.major]

    def test_the_source(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        source = api.get_dag_source(upstream, DAG)
        assert 'dag_id="example_bash_operator"' in source
        assert source.startswith("#\n# Licensed to the Apache Software Foundation")
        # v1 finds it by the DAG's file token, v2 by its dag_id; each refuses the other's key.
        wrong_key = DAG if airflow.major == 2 else api.get_dag(upstream, DAG)["file_token"]
        with pytest.raises(UpstreamNotFound):
            upstream.call("GET", f"/dagSources/{wrong_key}")

    def test_the_source_of_an_unknown_dag(self, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamNotFound):
            api.get_dag_source(upstream, "no_such_dag")

    def test_delete(self, upstream: SyncUpstream) -> None:
        # A DAG no other test uses: it stays gone until Airflow parses its file again (CI's
        # Airflows do that every 10 minutes), so a rerun against the same Airflow takes the next.
        dag = next((dag for dag in EXPENDABLE_DAGS if exists(upstream, dag)), None)
        assert dag is not None, f"this Airflow has none of {EXPENDABLE_DAGS} left to delete: restart it"
        api.trigger_dag_run(upstream, dag, logical_date=random_date())
        assert api.delete_dag(upstream, dag) is None
        with pytest.raises(UpstreamNotFound):
            api.get_dag(upstream, dag)
        with pytest.raises(UpstreamNotFound):
            api.delete_dag(upstream, dag)


class TestTasks:
    def test_a_task_and_its_neighbours(self, upstream: SyncUpstream) -> None:
        tasks = api.list_tasks(upstream, DAG)
        assert {"runme_0", "run_after_loop", "run_this_last"} <= {t["task_id"] for t in tasks}
        attributes = task_attributes(api.get_task(upstream, DAG, "run_after_loop"), tasks)
        assert attributes["upstream_task_ids"] == {"runme_0", "runme_1", "runme_2"}
        assert attributes["downstream_task_ids"] == {"run_this_last"}
        assert (attributes["task_type"], attributes["owner"], attributes["retries"]) == ("BashOperator", "airflow", 0)
        assert attributes["retry_delay"] == timedelta(minutes=5)
        assert attributes["start_date"] == datetime(2021, 1, 1, tzinfo=UTC)
        assert attributes["template_fields"] == ("bash_command", "env", "cwd")

    def test_an_unknown_task(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamNotFound) as caught:
            api.get_task(upstream, DAG, "no_such_task")
        # Airflow 2 names the kind in the title only.
        assert caught.value.detail == {2: "Task not found", 3: "Task with id no_such_task was not found"}[airflow.major]

    def test_a_task_of_an_unknown_dag(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamNotFound) as caught:
            api.get_task(upstream, "no_such_dag", "runme_0")
        assert caught.value.detail == {2: "DAG not found", 3: "The Dag with ID: `no_such_dag` was not found"}[airflow.major]


class TestDagRuns:
    def test_trigger_then_find_by_date_to_the_microsecond(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        line = upstream.api_line()
        when, run_id = random_date(), unique("gw")
        created = run_fields(line, api.trigger_dag_run(upstream, DAG, logical_date=when, run_id=run_id, conf={"k": [1, 2]}))
        assert (created.run_id, created.execution_date, created.state, created.conf) == (run_id, when, "queued", {"k": [1, 2]})
        assert created.external_trigger is True
        # The same instant in another offset finds it; a microsecond off does not.
        found = api.list_dag_runs(upstream, DAG, at=when.astimezone(UTC))
        assert [run_fields(line, r).run_id for r in found] == [run_id]
        assert api.list_dag_runs(upstream, DAG, at=when + timedelta(microseconds=1)) == []
        assert api.list_dag_runs(upstream, DAG, at=when.replace(microsecond=0)) == []
        fetched = run_fields(line, api.get_dag_run(upstream, DAG, run_id))
        assert fetched == created

    def test_a_trigger_without_run_id_gets_airflows(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        when = random_date()
        before = datetime.now(UTC)
        created = run_fields(upstream.api_line(), api.trigger_dag_run(upstream, DAG, logical_date=when))
        if airflow.major == 2:  # from the logical date, as the experimental API makes it
            assert created.run_id == f"manual__{when.astimezone(UTC).isoformat()}"
        else:  # from the time of the trigger (run_after): send the run id to keep the old form
            made_at = datetime.fromisoformat(created.run_id.removeprefix("manual__"))
            assert before - timedelta(seconds=5) <= made_at <= datetime.now(UTC) + timedelta(seconds=5)

    def test_a_taken_run_id_or_date_is_a_conflict(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        when, run_id = random_date(), unique("gw")
        api.trigger_dag_run(upstream, DAG, logical_date=when, run_id=run_id)
        with pytest.raises(UpstreamConflict) as same_id:
            api.trigger_dag_run(upstream, DAG, logical_date=random_date(), run_id=run_id)
        with pytest.raises(UpstreamConflict) as same_date:
            api.trigger_dag_run(upstream, DAG, logical_date=when, run_id=unique("gw"))
        if airflow.major == 2:
            assert same_id.value.detail == f"DAGRun with DAG ID: '{DAG}' and DAGRun ID: '{run_id}' already exists"
            assert same_date.value.detail == (
                f"DAGRun with DAG ID: '{DAG}' and DAGRun logical date: '{when.astimezone(UTC).isoformat(' ')}' already exists"
            )
        else:  # Airflow 3 says neither which key nor which run: look them up to say more.
            assert same_id.value.detail == same_date.value.detail == "Unique constraint violation"

    def test_triggering_an_unknown_dag(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamNotFound) as caught:
            api.trigger_dag_run(upstream, "no_such_dag", logical_date=random_date())
        assert caught.value.detail == {2: "DAG with dag_id: 'no_such_dag' not found", 3: "Dag with dag_id: 'no_such_dag' not found"}[airflow.major]

    def test_a_conf_that_is_not_an_object(self, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamBadRequest):
            upstream.call("POST", f"/dags/{DAG}/dagRuns", json={upstream.api_line().trigger_date_field: "2031-01-01T00:00:00Z", "conf": "x"})

    def test_runs_in_date_order_and_by_state(self, upstream: SyncUpstream) -> None:
        dag = "example_skip_dag"
        line = upstream.api_line()
        dates = sorted(random_date() for _ in range(3))
        for when in (dates[1], dates[0], dates[2]):
            api.trigger_dag_run(upstream, dag, logical_date=when, run_id=unique("order"))
        listed = [run_fields(line, r).execution_date for r in api.list_dag_runs(upstream, dag)]
        assert listed == sorted(listed) and set(dates) <= set(listed)
        newest_first = [run_fields(line, r).execution_date for r in api.list_dag_runs(upstream, dag, newest_first=True)]
        assert newest_first == listed[::-1]
        assert run_fields(line, api.latest_dag_run(upstream, dag)).execution_date == listed[-1]
        queued = api.list_dag_runs(upstream, dag, states=["queued"])
        assert {r["state"] for r in queued} == {"queued"} and len(queued) >= 3
        assert api.list_dag_runs(upstream, dag, states=["failed"]) == []

    def test_the_runs_of_an_unknown_dag(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        # Airflow 2 answers an empty list; Airflow 3 a 404 (the experimental API answers 400 here).
        if upstream.api_line().run_list_checks_dag:
            with pytest.raises(UpstreamNotFound):
                api.list_dag_runs(upstream, "no_such_dag")
        else:
            assert api.list_dag_runs(upstream, "no_such_dag") == []
        assert upstream.api_line().run_list_checks_dag is (airflow.major == 3)

    def test_no_latest_run_without_runs(self, upstream: SyncUpstream) -> None:
        assert api.latest_dag_run(upstream, "example_params_ui_tutorial") is None

    def test_an_unknown_run(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamNotFound) as caught:
            api.get_dag_run(upstream, DAG, "no_such_run")
        assert caught.value.detail == {
            2: f"DAGRun with DAG ID: '{DAG}' and DagRun ID: 'no_such_run' not found",
            3: f"The DagRun with dag_id: `{DAG}` and run_id: `no_such_run` was not found",
        }[airflow.major]


class TestTaskInstances:
    def test_a_queued_runs_task_instance(self, upstream: SyncUpstream) -> None:
        line = upstream.api_line()
        when, run_id = random_date(), unique("ti+run:id")
        api.trigger_dag_run(upstream, DAG, logical_date=when, run_id=run_id)
        attributes = task_instance_attributes(line, api.get_task_instance(upstream, DAG, run_id, "runme_0"))
        assert (attributes["dag_id"], attributes["task_id"], attributes["run_id"]) == (DAG, "runme_0", run_id)
        assert attributes["execution_date"] == when
        assert (attributes["state"], attributes["try_number"], attributes["max_tries"]) == (None, 0, 0)
        assert (attributes["pool"], attributes["queue"], attributes["operator"]) == ("default_pool", "default", "BashOperator")
        assert (attributes["priority_weight"], attributes["executor_config"]) == (3, "{}")

    def test_an_unknown_task_instance(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        run_id = unique("ti")
        api.trigger_dag_run(upstream, DAG, logical_date=random_date(), run_id=run_id)
        with pytest.raises(UpstreamNotFound) as caught:
            api.get_task_instance(upstream, DAG, run_id, "no_such_task")
        assert caught.value.detail == {
            2: "Task instance not found",
            3: f"The Task Instance with dag_id: `{DAG}`, run_id: `{run_id}` and task_id: `no_such_task` was not found",
        }[airflow.major]


class TestPools:
    def test_create_read_update_delete(self, upstream: SyncUpstream, pools: list[str]) -> None:
        name = unique("gw_pool")
        pools.append(name)
        assert pool_fields(api.put_pool(upstream, name, 5, "ETL")) == (name, 5, "ETL", False)
        assert pool_fields(api.get_pool(upstream, name)) == (name, 5, "ETL", False)
        assert pool_fields(api.put_pool(upstream, name, 7, None)) == (name, 7, None, False)
        assert name in [p["name"] for p in api.list_pools(upstream)]
        assert api.delete_pool(upstream, name) is None
        with pytest.raises(UpstreamNotFound):
            api.get_pool(upstream, name)

    def test_an_update_keeps_include_deferred(self, upstream: SyncUpstream, pools: list[str]) -> None:
        # The experimental API cannot set include_deferred; an upsert must not reset it.
        name = unique("gw_deferred")
        pools.append(name)
        upstream.call("POST", "/pools", json={"name": name, "slots": 2, "description": "d", "include_deferred": True})
        assert pool_fields(api.put_pool(upstream, name, 3, "e")) == (name, 3, "e", True)

    def test_default_pool_slots_can_change(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        try:
            assert pool_fields(api.put_pool(upstream, "default_pool", 64, "Default pool")).slots == 64
        finally:
            api.put_pool(upstream, "default_pool", 128, "Default pool")
        # Airflow 3 lets nothing but slots change on default_pool.
        if airflow.major == 3:
            with pytest.raises(UpstreamBadRequest) as caught:
                upstream.call(
                    "PATCH", "/pools/default_pool", params={"update_mask": ["slots", "description"]},
                    json={"pool": "default_pool", "slots": 128, "description": "other", "include_deferred": False},
                )
            assert caught.value.detail == "Only slots and included_deferred can be modified on Default Pool"

    def test_default_pool_cannot_be_deleted(self, upstream: SyncUpstream) -> None:
        with pytest.raises(UpstreamBadRequest) as caught:
            api.delete_pool(upstream, "default_pool")
        assert caught.value.detail == "Default Pool can't be deleted"

    def test_unknown_pools(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        detail = {2: "Pool with name:'no_such_pool' not found", 3: "The Pool with name: `no_such_pool` was not found"}[airflow.major]
        for call in (api.get_pool, api.delete_pool):
            with pytest.raises(UpstreamNotFound) as caught:
                call(upstream, "no_such_pool")
            assert caught.value.detail == detail

    def test_a_taken_name_is_a_conflict(self, upstream: SyncUpstream, pools: list[str]) -> None:
        name = unique("gw_twice")
        pools.append(name)
        api.create_pool(upstream, name, 1, None)
        with pytest.raises(UpstreamConflict):
            api.create_pool(upstream, name, 1, None)

    def test_pools_across_pages(self, upstream: SyncUpstream, pools: list[str]) -> None:
        names = [unique("gw_page") for _ in range(5)]
        for name in names:
            pools.append(name)
            api.create_pool(upstream, name, 1, None)
        walked = [p["name"] for p in api.pages(upstream, "/pools", "pools", page_size=2)]
        assert walked == [p["name"] for p in api.list_pools(upstream)]
        assert walked[0] == "default_pool" and walked[-5:] == names  # Airflow's order: creation
