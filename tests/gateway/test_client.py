"""The server's driver: one shared async client per worker, used from connexion's handler threads.

Also the app's lifespan (it opens and closes that client) and the access log's upstream time.
"""

from __future__ import annotations

import logging
import ssl
import threading
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from expapi.app import create_app
from expapi.config import load_config
from expapi.gateway import timing
from expapi.gateway.client import MAX_CONNECTIONS, AsyncUpstream, client_options, open_upstream
from expapi.gateway.errors import UpstreamNotFound, UpstreamUnavailable
from expapi.middleware import FrameMiddleware
from expapi.runtime import Runtime
from fake_airflow import BASE, FakeAirflow, airflow3, config
from live_server import free_port

POOLS = {"pools": [], "total_entries": 0}


def fake_with_pools() -> FakeAirflow:
    return FakeAirflow({**airflow3(), "GET /api/v2/pools": lambda r: httpx.Response(200, json=POOLS)})


class TestFromAHandlerThread:
    def test_a_blocking_call_runs_on_the_loop_and_returns(self) -> None:
        fake = fake_with_pools()
        threads: list[str] = []

        def handler(upstream: AsyncUpstream) -> dict:
            threads.append(threading.current_thread().name)
            return upstream.call("GET", "/pools").json()

        async def main() -> dict:
            upstream = AsyncUpstream(config(), transport=fake.transport())
            try:
                return await anyio.to_thread.run_sync(handler, upstream)
            finally:
                await upstream.aclose()

        assert anyio.run(main) == POOLS
        assert threads != [threading.current_thread().name]
        assert fake.seen() == ["GET /api/v2/version", "GET /auth/token", "GET /api/v2/pools"]

    def test_typed_outcomes_reach_the_thread(self) -> None:
        fake = FakeAirflow({**airflow3(), "GET /api/v2/dags/x": httpx.Response(404, json={"detail": "gone"})})

        async def main() -> None:
            upstream = AsyncUpstream(config(), transport=fake.transport())
            try:
                await anyio.to_thread.run_sync(lambda: upstream.call("GET", "/dags/x"))
            finally:
                await upstream.aclose()

        with pytest.raises(UpstreamNotFound):
            anyio.run(main)

    def test_many_threads_share_one_token(self) -> None:
        fake = fake_with_pools()

        async def main() -> None:
            upstream = AsyncUpstream(config(api_version="2", username="expapi", password="s3cret"), transport=fake.transport())
            await upstream.acall("GET", "/pools")  # the first call files the token
            async with anyio.create_task_group() as group:
                for _ in range(20):
                    group.start_soon(anyio.to_thread.run_sync, lambda: upstream.call("GET", "/pools"))
            await upstream.aclose()

        anyio.run(main)
        assert fake.seen().count("POST /auth/token") == 1
        assert fake.seen().count("GET /api/v2/pools") == 21

    def test_async_code_awaits_acall(self) -> None:
        fake = fake_with_pools()

        async def main() -> dict:
            async with open_upstream(config()) as upstream:
                upstream._http._transport = fake.transport()  # the lifespan's client, on a fake wire
                return (await upstream.acall("GET", "/pools")).json()

        assert anyio.run(main) == POOLS

    def test_the_api_line_from_a_thread(self) -> None:
        fake = fake_with_pools()

        async def main() -> str:
            upstream = AsyncUpstream(config(), transport=fake.transport())
            try:
                return (await anyio.to_thread.run_sync(upstream.api_line)).prefix
            finally:
                await upstream.aclose()

        assert anyio.run(main) == "/api/v2"

    def test_unreachable_from_a_thread(self) -> None:
        async def main() -> None:
            upstream = AsyncUpstream(config(airflow_url=f"http://127.0.0.1:{free_port()}"))
            try:
                await anyio.to_thread.run_sync(lambda: upstream.call("GET", "/pools"))
            finally:
                await upstream.aclose()

        with pytest.raises(UpstreamUnavailable):
            anyio.run(main)


class TestClientOptions:
    def test_bounded_pool_no_cookies_no_redirects(self) -> None:
        options = client_options(config(timeout=7.0))
        assert options["timeout"] == httpx.Timeout(7.0)
        assert options["limits"].max_connections == MAX_CONNECTIONS
        assert options["follow_redirects"] is False
        assert options["verify"] is True

    def test_verification_off(self) -> None:
        assert client_options(config(verify_ssl=False))["verify"] is False

    def test_a_ca_bundle_makes_a_context(self) -> None:
        bundle = Path(ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt")
        if not bundle.is_file():
            pytest.skip("no CA bundle on this machine to load")
        assert isinstance(client_options(config(ca_bundle=str(bundle)))["verify"], ssl.SSLContext)


class TestUpstreamTimeInTheAccessLog:
    def test_an_access_line_ends_with_the_time_spent_on_airflow(self, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
        fake = fake_with_pools()
        upstream = AsyncUpstream(config(), transport=fake.transport())

        def pools(_request) -> JSONResponse:  # a sync endpoint: starlette runs it in a worker thread
            upstream.call("GET", "/pools")
            return JSONResponse(upstream.call("GET", "/pools").json())

        def local(_request) -> JSONResponse:
            return JSONResponse({"status": "OK"})

        (tmp_path / "dags").mkdir()
        runtime = Runtime(load_config(tmp_path, environ={}))
        app = FrameMiddleware(Starlette(routes=[Route("/pools", pools), Route("/test", local)]), runtime=runtime, base_path="/")
        with caplog.at_level(logging.INFO, logger="expapi.access"), TestClient(app) as client:
            assert client.get("/pools").json() == POOLS
            assert client.get("/test").status_code == 200
        lines = [r.getMessage() for r in caplog.records if r.name == "expapi.access"]
        # Detection, token and two calls: four exchanges with Airflow; none for /test.
        assert lines[0].startswith('testclient - "GET /pools" 200 ') and lines[0].endswith("ms/4")
        assert " upstream " in lines[0]
        assert " upstream " not in lines[1]

    def test_a_tally_counts_only_while_open(self) -> None:
        timing.record(1.0)  # no request: nothing to count into
        token = timing.open_tally()
        timing.record(0.25)
        timing.record(0.5)
        tally = timing.close_tally(token)
        assert (tally.seconds, tally.calls) == (0.75, 2)


class TestLifespan:
    def test_the_app_opens_one_client_per_worker_and_closes_it(self, tmp_path: Path) -> None:
        (tmp_path / "dags").mkdir()
        app = create_app(load_config(tmp_path, environ={"EXPAPI__GATEWAY__AIRFLOW_URL": BASE}))
        assert app.runtime.upstream is None
        with TestClient(app):
            upstream = app.runtime.upstream
            assert isinstance(upstream, AsyncUpstream)
            assert upstream.exchange.upstream == BASE
            assert not upstream._http.is_closed
        assert app.runtime.upstream is None
        assert upstream._http.is_closed

    def test_without_an_airflow_url_there_is_none(self, tmp_path: Path) -> None:
        (tmp_path / "dags").mkdir()
        app = create_app(load_config(tmp_path, environ={}))
        with TestClient(app):
            assert app.runtime.upstream is None
