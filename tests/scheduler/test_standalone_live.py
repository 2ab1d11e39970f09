"""expapi standalone as a client sees it: trigger over HTTP, poll the run to success, read every task instance."""

from __future__ import annotations

import time

import httpx
import pytest

from live_server import LiveServer, clean_environment

pytestmark = pytest.mark.live

API = "/api/experimental"
TIME_SCALE = "0.01"
# Enough passes for a DAG three tasks deep, at the scale above; each poll waits one pass.
MAX_POLLS = 2000


def test_trigger_and_wait_for_example_bash_operator(tmp_path):
    (tmp_path / "dags").mkdir()
    env = clean_environment(tmp_path, EXPAPI__SCHEDULER__TIME_SCALE=TIME_SCALE)
    with LiveServer(tmp_path, env=env, command=("standalone",)) as server, httpx.Client(base_url=server.url + API) as http:
        assert http.get("/dags/example_bash_operator/paused/false").status_code == 200
        triggered = http.post("/dags/example_bash_operator/dag_runs", json={})
        assert triggered.status_code == 200, triggered.text
        when = triggered.json()["execution_date"]
        seen = []
        poll = 0.5 * float(TIME_SCALE)  # [scheduler] poll_interval at this scale
        for _ in range(MAX_POLLS):
            state = http.get(f"/dags/example_bash_operator/dag_runs/{when}").json()["state"]
            if not seen or seen[-1] != state:
                seen.append(state)
            if state in ("success", "failed"):
                break
            time.sleep(poll)
        assert seen == ["running", "success"], server.output()
        for task_id in ("runme_0", "runme_1", "runme_2", "also_run_this", "run_after_loop", "run_this_last"):
            ti = http.get(f"/dags/example_bash_operator/dag_runs/{when}/tasks/{task_id}").json()
            assert (task_id, ti["state"]) == (task_id, "success")
            assert ti["hostname"] and ti["job_id"] and ti["pid"] and ti["start_date"] and ti["end_date"]
    # SIGTERM stopped both: the scheduler logged its end.
    assert "scheduler job 1 stopped after" in server.output()
