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


# What each flavour's example_bash_operator ends with, as in its Airflow: in 2.x this_will_skip
# exits 99 (skipped), and run_this_last (all_success) is skipped with it.
FINAL_STATES = {
    "1.10": {task: "success" for task in ("runme_0", "runme_1", "runme_2", "also_run_this", "run_after_loop", "run_this_last")},
    "2": {
        **{task: "success" for task in ("runme_0", "runme_1", "runme_2", "also_run_this", "run_after_loop")},
        "this_will_skip": "skipped",
        "run_this_last": "skipped",
    },
}
# The run states a poller sees, in order: a 2.x run is queued before it runs.
RUN_STATES = {"1.10": ["running", "success"], "2": ["queued", "running", "success"]}


@pytest.mark.parametrize("compat", sorted(FINAL_STATES))
def test_trigger_and_wait_for_example_bash_operator(tmp_path, compat):
    (tmp_path / "dags").mkdir()
    env = clean_environment(tmp_path, EXPAPI__SCHEDULER__TIME_SCALE=TIME_SCALE, EXPAPI__API__COMPAT=compat)
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
        # Every state seen, in order; "running" and the end always (a short "queued" may pass unseen).
        assert seen == [state for state in RUN_STATES[compat] if state in seen], server.output()
        assert seen[-2:] == ["running", "success"], server.output()
        for task_id, final in FINAL_STATES[compat].items():
            ti = http.get(f"/dags/example_bash_operator/dag_runs/{when}/tasks/{task_id}").json()
            assert (task_id, ti["state"]) == (task_id, final)
            if final == "success":  # a skipped task never ran: no host, pid or job
                assert ti["hostname"] and ti["job_id"] and ti["pid"] and ti["start_date"] and ti["end_date"]
    # SIGTERM stopped both: the scheduler logged its end.
    assert "scheduler job 1 stopped after" in server.output()
