"""The client against live Airflows: whose credentials count, Airflow going away and coming back,
the server's driver on a real wire, and a triggered run that the real scheduler takes to success.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import anyio
import anyio.to_thread
import pytest

from expapi.gateway import stable_api as api
from expapi.gateway.client import AsyncUpstream, SyncUpstream
from expapi.gateway.errors import CallerRefused, GatewayCredentialsRejected, UpstreamUnavailable
from expapi.gateway.startup import check_airflow
from expapi.gateway.tokens import Credentials
from expapi.gateway.translate import run_fields, task_instance_attributes
from live_airflow import LiveAirflow
from tcp_proxy import TcpProxy

# A run of this DAG (two Python tasks, no schedule) is what the schedulers finish here.
QUICK_DAG = "example_xcom_args"
# Upper bound on the wait for the scheduler; a healthy Airflow takes well under a minute.
RUN_DEADLINE = 300


class TestServiceAccount:
    def test_the_start_up_line(self, airflow: LiveAirflow) -> None:
        line = check_airflow(airflow.config())
        version = "/api/v1" if airflow.major == 2 else "/api/v2"
        assert line.startswith(f"gateway mode: Airflow {airflow.major}.")
        assert line.endswith(f" at {airflow.url} (stable API {version}, auth service as {airflow.admin.username!r})")

    def test_a_wrong_password_is_the_gateways_502(self, airflow: LiveAirflow) -> None:
        config = airflow.config(password="wrong-" + airflow.admin.password)
        with SyncUpstream(config) as upstream, pytest.raises(GatewayCredentialsRejected) as caught:
            api.list_pools(upstream)
        assert caught.value.status == 502
        # Airflow 2.11 answers 403 to a wrong Basic password (its AUTH_ROLE_PUBLIC is "Public").
        expected = {
            2: "GET /api/v1/pools answered 403 FORBIDDEN: Forbidden",
            3: "POST /auth/token answered 401 Unauthorized: Invalid credentials",
        }[airflow.major]
        assert caught.value.cause == f"{expected} (as [gateway] username {airflow.admin.username!r})"
        assert airflow.admin.password not in caught.value.message

    def test_a_token_airflow_no_longer_accepts_is_renewed(self, airflow3: LiveAirflow) -> None:
        with SyncUpstream(airflow3.config()) as upstream:
            api.get_pool(upstream, "default_pool")
            # As if Airflow had restarted with a new signing key: the cached token is now invalid.
            tokens = upstream.exchange.tokens
            key = tokens.key_for(upstream.exchange.service)
            stale = tokens.get(key)[:-4] + "AAAA"
            tokens.put(key, stale)
            assert api.get_pool(upstream, "default_pool")["name"] == "default_pool"
            assert tokens.get(key) not in (None, stale)


class TestPassthrough:
    def test_the_callers_own_credentials_are_used(self, airflow: LiveAirflow) -> None:
        with SyncUpstream(airflow.config(auth="passthrough", username="", password="")) as upstream:
            assert api.get_pool(upstream, "default_pool", caller=airflow.admin)["name"] == "default_pool"

    def test_a_wrong_password_is_refused(self, airflow: LiveAirflow) -> None:
        wrong = Credentials(airflow.admin.username, "wrong-" + airflow.admin.password)
        with SyncUpstream(airflow.config(auth="passthrough", username="", password="")) as upstream:
            api.get_pool(upstream, "default_pool", caller=airflow.admin)  # a good caller first
            with pytest.raises(CallerRefused) as caught:
                api.get_pool(upstream, "default_pool", caller=wrong)
        assert (caught.value.status, caught.value.message) == (403, "Forbidden")
        assert caught.value.reason == {
            2: "GET /api/v1/pools/default_pool answered 403 FORBIDDEN: Forbidden",
            3: "POST /auth/token answered 401 Unauthorized: Invalid credentials",
        }[airflow.major]

    def test_airflows_permissions_apply_per_caller(self, airflow: LiveAirflow) -> None:
        viewer = airflow.require_viewer()
        with SyncUpstream(airflow.config(auth="passthrough", username="", password="")) as upstream:
            assert api.get_dag(upstream, "example_bash_operator", caller=viewer)["dag_id"] == "example_bash_operator"
            with pytest.raises(CallerRefused) as caught:
                api.trigger_dag_run(upstream, "example_bash_operator", logical_date=datetime.now(timezone.utc), caller=viewer)
        assert "answered 403" in caught.value.reason

    def test_no_credentials_are_refused(self, airflow: LiveAirflow) -> None:
        with SyncUpstream(airflow.config(auth="passthrough", username="", password="")) as upstream:
            with pytest.raises(CallerRefused):
                api.get_pool(upstream, "default_pool")


@pytest.fixture
def proxy(airflow: LiveAirflow) -> Iterator[TcpProxy]:
    """A cuttable wire between the gateway and ``airflow``."""
    wire = TcpProxy(airflow.url).start()
    yield wire
    wire.stop()


class TestAirflowGoesAway:
    def test_unavailable_then_recovered_without_a_restart(self, airflow: LiveAirflow, proxy: TcpProxy) -> None:
        with SyncUpstream(airflow.config(airflow_url=proxy.url, timeout=5.0)) as upstream:
            assert api.get_pool(upstream, "default_pool")["slots"] >= 0
            proxy.stop()
            with pytest.raises(UpstreamUnavailable) as caught:
                api.get_pool(upstream, "default_pool")
            assert caught.value.status == 503
            assert caught.value.message.startswith(f"Airflow at {proxy.url} is unavailable: GET ")
            proxy.start()
            assert api.get_pool(upstream, "default_pool")["name"] == "default_pool"

    def test_the_servers_driver_recovers_too(self, airflow: LiveAirflow, proxy: TcpProxy) -> None:
        async def main() -> list[str]:
            upstream = AsyncUpstream(airflow.config(airflow_url=proxy.url, timeout=5.0))
            seen = []

            def handler() -> None:
                seen.append(api.get_pool(upstream, "default_pool")["name"])
                proxy.stop()
                try:
                    api.get_pool(upstream, "default_pool")
                except UpstreamUnavailable:
                    seen.append("503")
                proxy.start()
                seen.append(api.get_pool(upstream, "default_pool")["name"])

            try:
                await anyio.to_thread.run_sync(handler)
            finally:
                await upstream.aclose()
            return seen

        assert anyio.run(main) == ["default_pool", "503", "default_pool"]


class TestTheServersDriver:
    def test_handler_threads_share_the_workers_client(self, airflow: LiveAirflow) -> None:
        async def main() -> list[str]:
            upstream = AsyncUpstream(airflow.config())
            names: list[str] = []

            def handler() -> None:
                names.append(api.get_dag(upstream, "example_bash_operator")["dag_id"])

            try:
                async with anyio.create_task_group() as group:
                    for _ in range(8):
                        group.start_soon(anyio.to_thread.run_sync, handler)
            finally:
                await upstream.aclose()
            return names

        assert anyio.run(main) == ["example_bash_operator"] * 8


def run_to_the_end(upstream: SyncUpstream, dag_id: str) -> str:
    """Unpause ``dag_id``, trigger it (dated now) and poll until the scheduler ends the run; its run id."""
    line = upstream.api_line()
    run_id = f"gw_{uuid.uuid4().hex[:8]}"
    api.set_dag_paused(upstream, dag_id, False)  # a paused DAG's runs stay queued
    try:
        api.trigger_dag_run(upstream, dag_id, logical_date=datetime.now(timezone.utc), run_id=run_id)
        deadline = time.monotonic() + RUN_DEADLINE
        while time.monotonic() < deadline:
            if run_fields(line, api.get_dag_run(upstream, dag_id, run_id)).state in ("success", "failed"):
                break
            time.sleep(2)
    finally:
        api.set_dag_paused(upstream, dag_id, True)
    return run_id


class TestTheSchedulerFinishesATriggeredRun:
    def test_trigger_and_poll_to_success(self, upstream: SyncUpstream) -> None:
        line = upstream.api_line()
        run_id = run_to_the_end(upstream, QUICK_DAG)
        assert run_fields(line, api.get_dag_run(upstream, QUICK_DAG, run_id)).state == "success"
        instance = task_instance_attributes(line, api.get_task_instance(upstream, QUICK_DAG, run_id, "generate_value"))
        assert (instance["state"], instance["try_number"]) == ("success", 1)
        assert instance["start_date"] <= instance["end_date"] and instance["duration"] >= 0
        assert instance["hostname"] and instance["pid"] is not None
        assert api.get_xcom_value(upstream, QUICK_DAG, run_id, "generate_value", "return_value") == "Bring me a shrubbery!"

    def test_lineage_is_in_airflow_2s_xcom_and_nowhere_in_airflow_3(self, airflow: LiveAirflow, upstream: SyncUpstream) -> None:
        # The same example in each line: one BashOperator with one dataset (asset) outlet.
        dag = {2: "dataset_produces_1", 3: "asset_produces_1"}[airflow.major]
        run_id = run_to_the_end(upstream, dag)
        assert run_fields(upstream.api_line(), api.get_dag_run(upstream, dag, run_id)).state == "success"
        outlets = api.list_xcom_keys(upstream, dag, run_id, "pipeline_outlets")
        assert api.list_xcom_keys(upstream, dag, run_id, "pipeline_inlets") == []
        if airflow.major == 3:
            assert outlets == []
            return
        assert [(entry["task_id"], entry["key"]) for entry in outlets] == [("producing_task_1", "pipeline_outlets")]
        # Exactly what Airflow 2's experimental /lineage shows for this task's outlets.
        assert api.get_xcom_value(upstream, dag, run_id, "producing_task_1", "pipeline_outlets") == [
            "airflow.datasets.Dataset@version=1(uri=s3://dag1/output_1.txt,extra={'hi': 'bye'})"
        ]
