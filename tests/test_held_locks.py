"""A lock held outside the server: blocked writes answer 503 with Retry-After within the bound, /test at once.

A real lock, taken by the test on the server's own database: ``SELECT ... FOR UPDATE`` on
the pool's row on PostgreSQL and MariaDB, a write transaction (``BEGIN IMMEDIATE``) on SQLite.
More writers than the connection pool holds are sent, so some wait for the lock and the
rest for a connection; every one must end within the configured bounds.
"""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from http_helpers import API
from live_server import LiveServer, clean_environment

pytestmark = pytest.mark.live

LOCK_TIMEOUT = 2.0
POOL_TIMEOUT = 2.0
WRITERS = 24  # more than the 15 connections a worker's pool holds
UNAVAILABLE = {"error": "The metadata database is unavailable; try again shortly"}
# A bound with room for a loaded 2-core machine: a lock wait, a pool wait and slack.
BOUND = LOCK_TIMEOUT + POOL_TIMEOUT + 8


@pytest.fixture
def lock_server(home: Path, backend: str, empty_database_url: str):
    env = clean_environment(
        home,
        EXPAPI__CORE__SQL_ALCHEMY_CONN=empty_database_url,
        EXPAPI__CORE__LOAD_EXAMPLES="False",
        EXPAPI__DATABASE__LOCK_TIMEOUT=str(LOCK_TIMEOUT),
        EXPAPI__DATABASE__POOL_TIMEOUT=str(POOL_TIMEOUT),
    )
    with LiveServer(home, workers=1, env=env) as server:
        with httpx.Client(base_url=server.url + API, timeout=60) as http:
            assert http.post("/pools", json={"name": "busy", "slots": 1, "description": ""}).status_code == 200
        yield server, empty_database_url


class HeldLock:
    """The pool row ``busy`` locked (SQLite: the whole database write-locked) until released."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite"):
            self.connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self.connection.execute("BEGIN IMMEDIATE")
            self.release = lambda: (self.connection.rollback(), self.connection.close())
        else:
            engine = create_engine(url, poolclass=NullPool)
            connection = engine.connect()
            connection.execute(text("SELECT * FROM slot_pool WHERE pool = 'busy' FOR UPDATE")).all()

            def release() -> None:
                connection.rollback()
                connection.close()
                engine.dispose()

            self.release = release


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_blocked_writes_answer_503_within_the_bound_and_test_answers_at_once(lock_server, backend: str) -> None:
    server, url = lock_server
    lock = HeldLock(url)
    try:
        with httpx.Client(base_url=server.url + API, timeout=60) as http, ThreadPoolExecutor(WRITERS + 2) as pool:
            body = {"name": "busy", "slots": 7, "description": "blocked"}
            writes = [pool.submit(timed, lambda: http.post("/pools", json=body)) for _ in range(WRITERS)]
            time.sleep(0.5)  # the writers are waiting now
            liveness, liveness_seconds = timed(lambda: http.get("/test"))
            # A read needs no lock: writers never take the connections kept for reads.
            read, read_seconds = timed(lambda: http.get("/pools/default_pool"))
            results = [future.result() for future in writes]
    finally:
        lock.release()
    assert (liveness.status_code, liveness.json()) == (200, {"status": "OK"})
    assert liveness_seconds < 1.5, liveness_seconds
    assert read.status_code == 200 and read_seconds < BOUND, (read.status_code, read_seconds)
    for response, seconds in results:
        assert (response.status_code, response.json()) == (503, UNAVAILABLE)
        assert response.headers["Retry-After"] == "5"
        assert seconds < BOUND, seconds
    slowest = max(seconds for _, seconds in results)
    print(
        f"\n{backend}: /test {liveness_seconds * 1000:.0f} ms while {WRITERS} writes were blocked;"
        f" a read {read.status_code} in {read_seconds:.2f} s; slowest blocked write {slowest:.2f} s"
    )
    # Nothing of the refused writes was kept, and the server works once the lock is gone.
    with httpx.Client(base_url=server.url + API, timeout=60) as http:
        assert http.get("/pools/busy").json()["slots"] == 1
        assert http.post("/pools", json=body).json()["slots"] == 7
