"""What the gateway store makes of answers the live Airflows give only in passing (a fake Airflow 3)."""

from __future__ import annotations

from datetime import datetime, timezone

import anyio
import anyio.to_thread
import httpx
import pytest

from expapi.gateway.client import AsyncUpstream
from expapi.gateway.store import AirflowStore
from expapi.store.outcomes import TaskInstancesStillRunning
from fake_airflow import FakeAirflow, airflow3, config

DAG = {"dag_id": "busy", "is_paused": False, "fileloc": "/dags/busy.py"}
RUN = {
    "dag_id": "busy", "dag_run_id": "manual__1", "logical_date": "2030-01-02T03:04:05+00:00",
    "start_date": None, "end_date": None, "state": "queued", "conf": {}, "run_type": "manual",
    "queued_at": "2030-01-02T03:04:06.123456+00:00",
}


def in_thread(fake: FakeAirflow, work):
    """Run ``work(store)`` in a worker thread, as a handler does, over the fake Airflow."""

    async def main():
        upstream = AsyncUpstream(config(), transport=fake.transport())
        try:
            return await anyio.to_thread.run_sync(work, AirflowStore(upstream, None))
        finally:
            await upstream.aclose()

    return anyio.run(main)


def test_airflows_409_to_a_delete_is_the_running_task_instances_refusal() -> None:
    # Airflow's stable API refuses to delete a DAG while its task instances run (409).
    fake = FakeAirflow({
        **airflow3(),
        "GET /api/v2/dags/busy": httpx.Response(200, json=DAG),
        "GET /api/v2/dags/busy/dagRuns": httpx.Response(200, json={"dag_runs": [], "total_entries": 1}),
        "GET /api/v2/dags/busy/dagRuns/~/taskInstances": httpx.Response(200, json={"task_instances": [], "total_entries": 2}),
        "DELETE /api/v2/dags/busy": httpx.Response(409, json={"detail": "Task instances of dag with id: 'busy' are still running"}),
    })
    with pytest.raises(TaskInstancesStillRunning) as refused:
        in_thread(fake, lambda store: store.delete_dag("busy"))
    assert refused.value.dag_id == "busy"


def test_a_runs_queued_at_comes_from_airflow() -> None:
    fake = FakeAirflow({
        **airflow3(),
        # The store looks the DAG up first, as not every Airflow answers 404 to an unknown DAG's runs.
        "GET /api/v2/dags/busy": httpx.Response(200, json=DAG),
        "GET /api/v2/dags/busy/dagRuns": httpx.Response(200, json={"dag_runs": [RUN], "total_entries": 1}),
    })
    runs = in_thread(fake, lambda store: store.list_dag_runs("busy"))
    assert [run.queued_at for run in runs] == [datetime(2030, 1, 2, 3, 4, 6, 123456, tzinfo=timezone.utc)]
