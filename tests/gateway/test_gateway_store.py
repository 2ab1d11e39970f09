"""Gateway mode end to end: every experimental operation answered by a live Airflow 2 and 3.

One app per (Airflow line, flavour) for the module, driven in-process; expected messages are
the flavour's own, so every flavour in ``expapi.flavours.FLAVOURS`` is covered as it is added.
Runs made here are deleted through the stable API at the end.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from expapi.app import create_app
from expapi.config import ApiConfig, Config, CoreConfig, WebserverConfig
from expapi.flavours import FLAVOURS, Flavour
from expapi.gateway.client import SyncUpstream
from expapi.gateway.errors import UpstreamNotFound, UpstreamRefused
from expapi.gateway.exchange import path
from live_airflow import LiveAirflow, live_airflow
from tcp_proxy import TcpProxy

BASE = "/api/experimental"
DAG = "example_bash_operator"  # scheduled daily: never unpaused here
FAST_DAG = "tutorial_taskflow_api"  # schedule=None: unpausing it starts nothing by itself
SUCCESS_BUDGET = 240.0  # seconds for the real scheduler to finish FAST_DAG's 3 tasks on 2 busy cores


def gateway_config(tmp: Path, airflow: LiveAirflow, flavour: str = "1.10", **settings: object) -> Config:
    return Config(
        home=tmp,
        core=CoreConfig(sql_alchemy_conn=f"sqlite:///{tmp}/unused.db", dags_folder=tmp),
        api=replace(ApiConfig(), compat=flavour),
        webserver=replace(WebserverConfig(), allowed_hosts="*"),  # the test client's host is "testserver"
        gateway=airflow.config(**settings),
    )


def open_client(config: Config):
    return create_app(config).test_client()


@pytest.fixture(scope="module", params=[2, 3], ids=["airflow2", "airflow3"])
def airflow_line(request: pytest.FixtureRequest) -> LiveAirflow:
    return live_airflow(request.param)


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return FLAVOURS[request.param]


@pytest.fixture(scope="module")
def made_runs(airflow_line: LiveAirflow) -> Iterator[list[tuple[str, str]]]:
    """(dag_id, run_id) of the runs a test made; deleted afterwards, through the stable API."""
    runs: list[tuple[str, str]] = []
    yield runs
    with SyncUpstream(airflow_line.config()) as upstream:
        for dag_id, run_id in runs:
            try:
                upstream.call("DELETE", path("dags", dag_id, "dagRuns", run_id))
            except Exception:  # already gone: nothing to tidy
                pass


@pytest.fixture(scope="module")
def gateway(airflow_line: LiveAirflow, flavour: Flavour, tmp_path_factory: pytest.TempPathFactory):
    """The gateway app in front of ``airflow_line``, in ``flavour``, for the module."""
    with open_client(gateway_config(tmp_path_factory.mktemp("gw"), airflow_line, flavour.name)) as client:
        yield client


def a_date() -> datetime:
    # A date no other run of this suite (or of a rerun) holds.
    base = datetime(2031, 1, 1, tzinfo=timezone.utc)
    return base + timedelta(seconds=random.randrange(10**8))


def test_server_operations(gateway) -> None:
    assert gateway.get(f"{BASE}/test").json() == {"status": "OK"}
    assert gateway.get(f"{BASE}/info").status_code == 200


def test_dag_operations(gateway, flavour: Flavour) -> None:
    assert gateway.get(f"{BASE}/dags/{DAG}/paused").json() == {"is_paused": True}
    missing = gateway.get(f"{BASE}/dags/no_such_dag/paused")
    assert (missing.status_code, missing.json()) == (404, {"error": flavour.messages.dag_not_found_in_dag_model.format(dag_id="no_such_dag")})
    code = gateway.get(f"{BASE}/dags/{DAG}/code")
    assert code.status_code == 200 and "BashOperator" in code.text
    assert gateway.get(f"{BASE}/dags/no_such_dag/code").status_code == 404
    task = gateway.get(f"{BASE}/dags/{DAG}/tasks/runme_0").json()
    assert task["task_id"] == "runme_0" and task["downstream_task_ids"] == "{'run_after_loop'}"
    unknown = gateway.get(f"{BASE}/dags/{DAG}/tasks/nope")
    assert unknown.json() == {"error": flavour.messages.task_not_found.format(task_id="nope", dag_id=DAG)}
    deleted = gateway.delete(f"{BASE}/dags/no_such_dag")
    assert deleted.json() == {"error": flavour.messages.dag_not_found.format(dag_id="no_such_dag")}


def test_pause_goes_through_to_airflow(gateway) -> None:
    try:
        assert gateway.get(f"{BASE}/dags/{FAST_DAG}/paused/true").status_code == 200
        assert gateway.get(f"{BASE}/dags/{FAST_DAG}/paused").json() == {"is_paused": True}
        assert gateway.get(f"{BASE}/dags/{FAST_DAG}/paused/false").status_code == 200
        assert gateway.get(f"{BASE}/dags/{FAST_DAG}/paused").json() == {"is_paused": False}
    finally:
        gateway.get(f"{BASE}/dags/{FAST_DAG}/paused/true")


def test_run_operations(gateway, flavour: Flavour, made_runs, airflow_line: LiveAirflow) -> None:
    when = a_date()
    stamp = when.isoformat()
    created = gateway.post(f"{BASE}/dags/{DAG}/dag_runs", json={"execution_date": stamp, "conf": {"k": 1}})
    assert created.status_code == 200, created.text
    run_id = created.json()["run_id"]
    made_runs.append((DAG, run_id))
    assert run_id == f"manual__{stamp}"

    again = gateway.post(f"{BASE}/dags/{DAG}/dag_runs", json={"execution_date": stamp})
    said = {"dag_id": DAG, "run_id": run_id, "execution_date": flavour.client_date_str(when)}
    assert (again.status_code, again.json()) == (400, {"error": flavour.messages.run_id_exists.format(**said)})
    other_id = gateway.post(f"{BASE}/dags/{DAG}/dag_runs", json={"execution_date": stamp, "run_id": f"other_{stamp}"})
    said["run_id"] = f"other_{stamp}"
    assert (other_id.status_code, other_id.json()) == (400, {"error": flavour.messages.execution_date_exists.format(**said)})

    state = gateway.get(f"{BASE}/dags/{DAG}/dag_runs/{stamp}")
    assert state.status_code == 200 and state.json()["state"] in ("queued", "running", "success", "failed")
    runs = gateway.get(f"{BASE}/dags/{DAG}/dag_runs").json()
    assert run_id in [run["run_id"] for run in runs]
    assert gateway.get(f"{BASE}/dags/no_such_dag/dag_runs").status_code == 400

    instance = gateway.get(f"{BASE}/dags/{DAG}/dag_runs/{stamp}/tasks/runme_0")
    assert instance.status_code == 200, instance.text
    assert instance.json()["task_id"] == "runme_0" and instance.json()["pool"] == "default_pool"

    later = (when + timedelta(seconds=1)).isoformat()
    missing = gateway.get(f"{BASE}/dags/{DAG}/dag_runs/{later}")
    assert missing.status_code == 404

    latest = {item["dag_id"]: item for item in gateway.get(f"{BASE}/latest_runs").json()["items"]}
    assert DAG in latest

    lineage = gateway.get(f"{BASE}/lineage/{DAG}/{stamp}")
    if airflow_line.major == 2:
        assert (lineage.status_code, lineage.json()) == (200, {"task_ids": {}})
    else:  # Airflow 3 keeps no lineage its API shows
        assert lineage.status_code == 501 and "no lineage" in lineage.json()["error"]


def test_pool_operations(gateway, flavour: Flavour) -> None:
    name = f"gw_pool_{random.randrange(10**6)}"
    try:
        made = gateway.post(f"{BASE}/pools", json={"name": name, "slots": 3, "description": "first"})
        shown = {"description": "first", "id": None, "include_deferred": False, "pool": name, "slots": 3}
        assert made.json() == {key: shown[key] for key in flavour.pool_keys}
        updated = gateway.post(f"{BASE}/pools", json={"name": name, "slots": 5, "description": "second"})
        assert updated.json()["slots"] == 5
        assert gateway.get(f"{BASE}/pools/{name}").json()["description"] == "second"
        assert name in [pool["pool"] for pool in gateway.get(f"{BASE}/pools").json()]
        assert gateway.delete(f"{BASE}/pools/{name}").json()["slots"] == 5
    finally:
        gateway.delete(f"{BASE}/pools/{name}")
    gone = gateway.get(f"{BASE}/pools/{name}")
    assert (gone.status_code, gone.json()) == (404, {"error": flavour.messages.pool_not_found.format(name=name)})


def test_a_triggered_run_reaches_success(gateway, made_runs) -> None:
    """The real scheduler runs what the gateway triggered; its state is polled through the gateway."""
    gateway.get(f"{BASE}/dags/{FAST_DAG}/paused/false")
    try:
        created = gateway.post(f"{BASE}/dags/{FAST_DAG}/dag_runs", json={})
        assert created.status_code == 200, created.text
        made_runs.append((FAST_DAG, created.json()["run_id"]))
        stamp = created.json()["execution_date"]
        deadline = time.monotonic() + SUCCESS_BUDGET
        answers = []
        while time.monotonic() < deadline:
            answer = gateway.get(f"{BASE}/dags/{FAST_DAG}/dag_runs/{stamp}")
            answers.append((answer.status_code, answer.json()))
            if answer.json().get("state") in ("success", "failed"):
                break
            time.sleep(3)
        assert answers[-1] == (200, {"state": "success"}), answers[-5:]
        done = gateway.get(f"{BASE}/dags/{FAST_DAG}/dag_runs/{stamp}/tasks/extract").json()
        assert done["state"] == "success" and done["hostname"] != ""
    finally:
        gateway.get(f"{BASE}/dags/{FAST_DAG}/paused/true")


# -- authentication and failures of the Airflow behind ------------------------------------


def test_passthrough_forwards_the_callers_credentials(airflow_line: LiveAirflow, tmp_path: Path) -> None:
    config = gateway_config(tmp_path, airflow_line, auth="passthrough", username="", password="")
    admin = airflow_line.admin
    with open_client(config) as client:
        right = client.get(f"{BASE}/pools/default_pool", auth=(admin.username, admin.password))
        assert right.status_code == 200, right.text
        wrong = client.get(f"{BASE}/pools/default_pool", auth=(admin.username, "not-the-password"))
        assert (wrong.status_code, wrong.json()) == (403, {"error": "Forbidden"})
        assert "not-the-password" not in wrong.text


def test_rejected_service_credentials_are_a_502_without_them(airflow_line: LiveAirflow, tmp_path: Path) -> None:
    config = gateway_config(tmp_path, airflow_line, password="wrong-secret")
    with open_client(config) as client:
        answer = client.get(f"{BASE}/pools")
    assert answer.status_code == 502
    assert "rejected the gateway's credentials" in answer.json()["error"]
    assert "wrong-secret" not in answer.text


def test_an_unreachable_airflow_is_a_503_and_the_gateway_recovers(airflow_line: LiveAirflow, tmp_path: Path) -> None:
    proxy = TcpProxy(airflow_line.url).start()
    config = gateway_config(tmp_path, airflow_line, airflow_url=proxy.url, timeout=5.0)
    try:
        with open_client(config) as client:
            assert client.get(f"{BASE}/pools").status_code == 200
            proxy.stop()
            down = client.get(f"{BASE}/pools")
            assert down.status_code == 503
            assert down.json()["error"].startswith(f"Airflow at {proxy.url} is unavailable")
            proxy.start()
            assert client.get(f"{BASE}/pools").status_code == 200
    finally:
        proxy.stop()


def test_an_unanswered_call_ends_within_the_timeout(airflow_line: LiveAirflow, tmp_path: Path) -> None:
    # A port that accepts connections but never answers: the 503 comes after [gateway] timeout.
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    config = gateway_config(tmp_path, airflow_line, airflow_url=url, timeout=1.0, api_version="2" if airflow_line.major == 3 else "1")
    try:
        with open_client(config) as client:
            started = time.monotonic()
            answer = client.get(f"{BASE}/pools")
            took = time.monotonic() - started
    finally:
        silent.close()
    assert answer.status_code == 503 and url in answer.json()["error"]
    assert took < 10


def test_the_cli_answers_from_airflow(airflow_line: LiveAirflow, tmp_path: Path, monkeypatch, capsys) -> None:
    """The API commands (the local client) go through the same Airflow store."""
    import os

    from expapi.cli import main

    for name in [n for n in os.environ if n.startswith("EXPAPI__")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("EXPAPI_HOME", str(tmp_path))
    monkeypatch.setenv("EXPAPI__GATEWAY__AIRFLOW_URL", airflow_line.url)
    monkeypatch.setenv("EXPAPI__GATEWAY__USERNAME", airflow_line.admin.username)
    monkeypatch.setenv("EXPAPI__GATEWAY__PASSWORD", airflow_line.admin.password)
    assert main(["pools", "list"]) == 0
    rows = [line.split("|") for line in capsys.readouterr().out.splitlines()]
    assert ["default_pool", "128"] in [[cell.strip() for cell in row[:2]] for row in rows]
    assert not list(tmp_path.glob("*.db"))  # no database was made


# A DAG nobody else uses, whose file holds a second DAG: after a delete, that sibling's file
# token asks Airflow to parse the file again (PUT /parseDagFile; Airflow 2 wants a DAG of the
# file to exist for that), which brings the deleted DAG back in a second or two.
# benchmarks/gateway_latency.py deletes the sibling: do not run both at once.
DELETABLE_DAG, ITS_SIBLING = "example_external_task_marker_parent", "example_external_task_marker_child"
RESTORE_BUDGET = 120.0


def dag_exists(upstream: SyncUpstream, dag_id: str) -> bool:
    try:
        upstream.call("GET", path("dags", dag_id))
    except UpstreamNotFound:
        return False
    return True


def file_tokens(upstream: SyncUpstream) -> list[str]:
    """The file token of each DAG of the file that Airflow has now (any one asks for a parse)."""
    tokens = []
    for dag_id in (ITS_SIBLING, DELETABLE_DAG):
        try:
            tokens.append(upstream.call("GET", path("dags", dag_id)).json()["file_token"])
        except UpstreamNotFound:
            continue
    return tokens


def restore_dag(upstream: SyncUpstream, dag_id: str, tokens: list[str]) -> None:
    """Until Airflow has ``dag_id`` again, parsed anew from its file."""
    if dag_exists(upstream, dag_id):
        return
    if not tokens:
        pytest.fail(f"no DAG of {dag_id}'s file is left to ask for a parse with; Airflow brings it back at its next scan")
    for token in tokens:
        try:
            upstream.call("PUT", path("parseDagFile", token))
            break
        except UpstreamRefused:  # Airflow 2: no DAG of the file left for this token
            continue
    deadline = time.monotonic() + RESTORE_BUDGET
    while time.monotonic() < deadline:
        if dag_exists(upstream, dag_id):
            return
        time.sleep(0.5)
    pytest.fail(f"{dag_id} did not come back within {RESTORE_BUDGET:.0f} s of asking Airflow to parse its file")


def test_deleting_a_dag_reaches_airflow(gateway, airflow_line: LiveAirflow, flavour: Flavour) -> None:
    with SyncUpstream(airflow_line.config()) as upstream:
        restore_dag(upstream, DELETABLE_DAG, file_tokens(upstream))  # an earlier delete may still be pending: no order between tests
        tokens = file_tokens(upstream)
        for run in upstream.call("GET", path("dags", DELETABLE_DAG, "dagRuns")).json()["dag_runs"]:
            upstream.call("DELETE", path("dags", DELETABLE_DAG, "dagRuns", run["dag_run_id"]))
        try:
            # One run, with the one task instance Airflow creates for it: 1 DAG + 1 run + 1 instance.
            when = a_date().isoformat()
            assert gateway.post(f"{BASE}/dags/{DELETABLE_DAG}/dag_runs", json={"execution_date": when}).status_code == 200
            deleted = gateway.delete(f"{BASE}/dags/{DELETABLE_DAG}")
            assert (deleted.status_code, deleted.json()) == (200, {"count": 3, "message": flavour.messages.dag_records_removed.format(count=3)})
            # Right after, before Airflow parses the file again, the DAG and its runs are gone.
            paused = gateway.get(f"{BASE}/dags/{DELETABLE_DAG}/paused")
            assert (paused.status_code, paused.json()) == (404, {"error": flavour.messages.dag_not_found_in_dag_model.format(dag_id=DELETABLE_DAG)})
            assert not dag_exists(upstream, DELETABLE_DAG)
            again = gateway.delete(f"{BASE}/dags/{DELETABLE_DAG}")
            assert (again.status_code, again.json()) == (404, {"error": flavour.messages.dag_not_found.format(dag_id=DELETABLE_DAG)})
        finally:
            restore_dag(upstream, DELETABLE_DAG, tokens)


PARAMS_DAG = "example_params_trigger_ui"  # its params: "english" must be a boolean


def test_a_run_airflow_refuses_is_a_400_in_its_words(gateway, airflow_line: LiveAirflow) -> None:
    # Airflow checks conf against the DAG's params (expapi cannot: the stable API does not
    # show their schemas) and answers 400; the client gets that 400, not a 502.
    refused = gateway.post(f"{BASE}/dags/{PARAMS_DAG}/dag_runs", json={"execution_date": a_date().isoformat(), "conf": {"english": "maybe"}})
    assert refused.status_code == 400, refused.text
    assert list(refused.json()) == ["error"]
    assert refused.json()["error"].splitlines()[0] == "Invalid input for param english: 'maybe' is not of type 'boolean'"


def test_a_date_before_the_dags_start_date_is_a_run_as_in_airflow(gateway, made_runs, airflow_line: LiveAirflow) -> None:
    # The experimental API refuses only dates before default_args' start_date (no DAG on the
    # peers sets one); DAG's own start_date (2021-01-01 here) does not guard a trigger: Airflow
    # 2.11.2's experimental API and both stable APIs create such a run.
    before = datetime(2020, 12, 30, 0, 0, random.randrange(60), random.randrange(10**6), tzinfo=timezone.utc).isoformat()
    created = gateway.post(f"{BASE}/dags/{DAG}/dag_runs", json={"execution_date": before})
    assert created.status_code == 200, created.text
    made_runs.append((DAG, created.json()["run_id"]))
    assert created.json()["execution_date"] == before
