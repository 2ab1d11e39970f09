"""A real database server stopped and restarted under ``expapi``: at start-up and while serving.

The servers are private ones (tests/private_servers.py), started for this module; the
machine's shared PostgreSQL and MariaDB are never stopped.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from databases import SERVER_BACKENDS, server_url
from http_helpers import API, path_date
from live_server import EXPAPI, LiveServer, clean_environment
from private_servers import PRIVATE_SERVERS, PrivateServer
from spec_operations import spec_operations

pytestmark = pytest.mark.live

DAG = "example_bash_operator"
WHEN = "2030-01-02T03:04:05.123456+00:00"
UNAVAILABLE = {"error": "The metadata database is unavailable; try again shortly"}
# Operations that read nothing from the database, and answer while it is down.
STORE_FREE = ("test", "get_info")
# Path values that reach the database (the spec's example pool, default_pool, is refused before).
PATH_VALUES = {"delete_pool": {"pool_name": "p"}}
# Every other operation of the spec, as (method, path, JSON body), with the spec's examples.
DATABASE_OPERATIONS = [
    (operation.method, operation.example_path(**PATH_VALUES.get(operation.operation_id, {})), operation.example_body())
    for operation in spec_operations()
    if operation.operation_id not in STORE_FREE
]


@pytest.fixture(scope="module", params=SERVER_BACKENDS)
def private_server(request: pytest.FixtureRequest) -> Iterator[PrivateServer]:
    """A private server of the backend, running; only where that backend is tested at all."""
    server_url(request.param)  # skips (or fails under CI) as the rest of that backend's tests do
    server = PRIVATE_SERVERS[request.param]()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        server.remove()


@pytest.fixture
def running(private_server: PrivateServer) -> PrivateServer:
    """The private server, started again if a previous test left it down."""
    private_server.ensure_running()
    return private_server


@pytest.fixture
def fresh_url(running: PrivateServer) -> Iterator[str]:
    """A fresh database on the private server."""
    name = f"faults_{int(time.time() * 1000)}"
    admin = create_engine(running.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    yield running.url(name)


def expapi(home: Path, *args: str, **settings: str) -> subprocess.CompletedProcess:
    env = clean_environment(home, **settings)
    return subprocess.run([EXPAPI, *args], env=env, capture_output=True, text=True, timeout=120)


class TestStartUp:
    def test_an_unreachable_database_stops_serve_in_one_line(self, home: Path, running: PrivateServer, fresh_url: str) -> None:
        running.crash()
        started = time.monotonic()
        result = expapi(home, "serve", EXPAPI__CORE__SQL_ALCHEMY_CONN=fresh_url, EXPAPI__DATABASE__CONNECT_RETRIES="0")
        assert result.returncode == 1
        assert result.stderr.startswith(f"expapi: cannot connect to the metadata database {fresh_url.split('://')[0]}://")
        assert "(1 attempt)" in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert time.monotonic() - started < 15

    def test_retries_are_bounded_and_logged(self, home: Path, running: PrivateServer, fresh_url: str) -> None:
        running.crash()
        started = time.monotonic()
        result = expapi(
            home, "db", "init", EXPAPI__CORE__SQL_ALCHEMY_CONN=fresh_url,
            EXPAPI__DATABASE__CONNECT_RETRIES="3", EXPAPI__DATABASE__CONNECT_RETRY_DELAY="0.5",
        )
        elapsed = time.monotonic() - started
        lines = result.stderr.splitlines()
        assert result.returncode == 1
        assert [line.split(" WARNING ")[-1] for line in lines[:-1]] == [
            f"expapi.db: the metadata database is unreachable (attempt {n} of 4); retrying in 0.5 s" for n in (1, 2, 3)
        ]
        assert lines[-1].startswith("expapi: cannot connect to the metadata database") and "(4 attempts)" in lines[-1]
        assert 1.5 <= elapsed < 20

    def test_serve_waits_for_a_database_that_comes_up(self, home: Path, running: PrivateServer, fresh_url: str) -> None:
        running.crash()
        threading.Timer(2.0, running.start).start()
        env = clean_environment(
            home, EXPAPI__CORE__SQL_ALCHEMY_CONN=fresh_url,
            EXPAPI__DATABASE__CONNECT_RETRIES="60", EXPAPI__DATABASE__CONNECT_RETRY_DELAY="0.25",
        )
        with LiveServer(home, workers=2, env=env) as server:
            assert httpx.get(f"{server.url}{API}/pools/default_pool").status_code == 200
        assert "the metadata database is unreachable (attempt 1 of 61)" in server.output()


class TestLostWhileServing:
    def test_each_request_answers_503_then_service_recovers_with_no_write_lost(
        self, home: Path, running: PrivateServer, fresh_url: str
    ) -> None:
        env = clean_environment(home, EXPAPI__CORE__SQL_ALCHEMY_CONN=fresh_url)
        with LiveServer(home, workers=2, env=env) as server, httpx.Client(base_url=server.url + API, timeout=30) as http:
            created = http.post(f"/dags/{DAG}/dag_runs", json={"run_id": "before_outage", "execution_date": WHEN})
            assert created.status_code == 200
            assert http.get(f"/dags/{DAG}/paused/false").status_code == 200

            running.crash()
            for method, path, body in DATABASE_OPERATIONS * 2:  # twice: each worker, and no stale pool
                response = http.request(method, path, json=body)
                assert (response.status_code, response.json()) == (503, UNAVAILABLE), f"{method} {path}"
            assert http.get("/test").json() == {"status": "OK"}  # reads nothing from the database
            assert http.get("/info").json() == {"version": "1.10.15"}

            running.start()
            assert wait_for(lambda: http.get("/pools/default_pool").status_code == 200)
            responses = [http.get(f"/dags/{DAG}/dag_runs/{path_date(WHEN)}") for _ in range(20)]
            assert {(r.status_code, r.text) for r in responses} == {(200, '{"state":"running"}\n')}
            assert http.get(f"/dags/{DAG}/paused").json() == {"is_paused": False}
            runs = http.get(f"/dags/{DAG}/dag_runs").json()
            assert [(r["run_id"], r["execution_date"]) for r in runs] == [("before_outage", WHEN)]
            assert server.process.poll() is None  # the same server, never restarted

    def test_a_write_acknowledged_just_before_a_crash_survives_it(
        self, home: Path, running: PrivateServer, fresh_url: str
    ) -> None:
        env = clean_environment(home, EXPAPI__CORE__SQL_ALCHEMY_CONN=fresh_url)
        with LiveServer(home, workers=2, env=env) as server, httpx.Client(base_url=server.url + API, timeout=30) as http:
            for index in range(20):
                assert http.post("/pools", json={"name": f"p{index}", "slots": index, "description": ""}).status_code == 200
            running.crash()  # right after the last 200
            running.start()
            assert wait_for(lambda: http.get("/pools").status_code == 200)
            pools = {p["pool"]: p["slots"] for p in http.get("/pools").json()}
            assert pools == {"default_pool": 128, **{f"p{i}": i for i in range(20)}}


def wait_for(condition, timeout: float = 20.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False
