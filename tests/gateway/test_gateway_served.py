"""``expapi serve`` in gateway mode, as deployed, driven by the README's curl and a 1.10-era client.

One server per Airflow line for the module. The README's examples run in order, except its
last one (deleting example_bash_operator), which would take a DAG the other tests use away
from the shared Airflows until they re-parse it; deleting is covered by
test_gateway_store.py. Runs the examples make are deleted afterwards.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest

from expapi.client.json_client import JsonClient
from expapi.gateway.client import SyncUpstream
from expapi.gateway.errors import UpstreamNotFound
from expapi.gateway.exchange import path
from live_airflow import LiveAirflow, live_airflow
from live_server import LiveServer, clean_environment
from test_readme import README, readme_curl_commands, run_curl

pytestmark = pytest.mark.live

DAG = "example_bash_operator"
FAST_DAG = "tutorial_taskflow_api"
README_RUN = "nightly_rebuild_42"
SUCCESS_BUDGET = 240.0


@pytest.fixture(scope="module", params=[2, 3], ids=["airflow2", "airflow3"])
def airflow_line(request: pytest.FixtureRequest) -> LiveAirflow:
    return live_airflow(request.param)


def run_ids(airflow: LiveAirflow, dag_id: str) -> set[str]:
    with SyncUpstream(airflow.config()) as upstream:
        body = upstream.call("GET", path("dags", dag_id, "dagRuns"), params={"limit": 100}).json()
    return {run["dag_run_id"] for run in body["dag_runs"]}


def delete_runs(airflow: LiveAirflow, dag_id: str, runs: set[str]) -> None:
    with SyncUpstream(airflow.config()) as upstream:
        for run_id in runs:
            try:
                upstream.call("DELETE", path("dags", dag_id, "dagRuns", run_id))
            except UpstreamNotFound:
                pass


@pytest.fixture(scope="module")
def server(airflow_line: LiveAirflow, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("gateway-serve")
    env = clean_environment(
        home,
        EXPAPI__GATEWAY__AIRFLOW_URL=airflow_line.url,
        EXPAPI__GATEWAY__USERNAME=airflow_line.admin.username,
        EXPAPI__GATEWAY__PASSWORD=airflow_line.admin.password,
    )
    with LiveServer(home, workers=1, env=env) as live:
        yield live


def test_readme_curl_examples_through_the_gateway(server: LiveServer, airflow_line: LiveAirflow) -> None:
    delete_runs(airflow_line, DAG, {README_RUN})  # left by an interrupted earlier run
    before = run_ids(airflow_line, DAG)
    commands = readme_curl_commands(README.read_text(encoding="utf-8"))
    assert commands[-1].endswith(f"-X DELETE http://localhost:8080/api/experimental/dags/{DAG}")
    failures = []
    made: set[str] = set()
    try:
        for command in commands[:-1]:
            status, body = run_curl(command, server.port)
            if "-X POST" in command and "/dag_runs" in command and status == 200:
                made.add(json.loads(body)["run_id"])
            lineage_on_airflow3 = "/lineage/" in command and airflow_line.major == 3
            expected_ok = status == 501 if lineage_on_airflow3 else 200 <= status < 300
            if not expected_ok:
                failures.append(f"{command}\n  -> {status} {body.strip()}")
    finally:
        run_curl(f"curl http://localhost:8080/api/experimental/dags/{DAG}/paused/true", server.port)
        # Only what these examples made: the triggers, and a scheduled run the unpause may
        # have started (other tests share these Airflows and their runs are not ours).
        scheduled = {run for run in run_ids(airflow_line, DAG) - before if run.startswith("scheduled__")}
        delete_runs(airflow_line, DAG, made | scheduled)
    assert not failures, "README examples that failed through the gateway:\n" + "\n".join(failures)


def test_a_client_written_for_1_10_drives_airflow_unchanged(server: LiveServer, airflow_line: LiveAirflow) -> None:
    """expapi's json_client mirrors Airflow 1.10's: trigger, poll to success, pools."""
    client = JsonClient(server.url)
    made: set[str] = set()
    try:
        client.set_dag_paused(FAST_DAG, False)
        created = client.trigger_dag_run(FAST_DAG)
        made.add(created["run_id"])
        deadline = time.monotonic() + SUCCESS_BUDGET
        state = None
        while time.monotonic() < deadline:
            state = client.get_dag_run_state(FAST_DAG, created["execution_date"])["state"]
            if state in ("success", "failed"):
                break
            time.sleep(3)
        assert state == "success"

        made_pool = client.create_pool("gateway_client_pool", 2, "from a 1.10 client")
        assert made_pool["slots"] == 2
        assert "gateway_client_pool" in [pool["pool"] for pool in client.list_pools()]
        assert client.delete_pool("gateway_client_pool")["pool"] == "gateway_client_pool"
    finally:
        client.set_dag_paused(FAST_DAG, True)
        client.close()
        delete_runs(airflow_line, FAST_DAG, made)


def test_the_served_spec_declares_what_a_gateway_answers(server: LiveServer) -> None:
    document = json.loads(urllib.request.urlopen(f"{server.url}/api/experimental/openapi.json", timeout=30).read())
    responses = {
        operation["operationId"]: set(operation["responses"])
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post", "delete")
    }
    assert {op for op, declared in responses.items() if "502" in declared} == set(responses) - {"test", "get_info"}
    assert {op for op, declared in responses.items() if "501" in declared} == {"get_lineage"}
    unavailable = document["components"]["responses"]["ServiceUnavailable"]["content"]["application/json"]["examples"]
    assert list(unavailable) == ["airflowUnavailable"]
    assert '"x-expapi-backends":' not in json.dumps(document)  # as a key; the prose names it
