"""The SQLite file changed under a running server: deleted, replaced, made immutable.

Whatever happens to the file, no write is answered 200 unless it is in the file the next
start opens, and the server works again once the cause is gone, without a restart.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from http_helpers import API
from live_server import EXPAPI, LiveServer, clean_environment

pytestmark = pytest.mark.live

UNAVAILABLE = {"error": "The metadata database is unavailable; try again shortly"}


@pytest.fixture
def served(home: Path) -> Iterator[tuple[httpx.Client, Path]]:
    path = home / "expapi.db"
    env = clean_environment(home, EXPAPI__CORE__SQL_ALCHEMY_CONN=f"sqlite:///{path}", EXPAPI__CORE__LOAD_EXAMPLES="False")
    with LiveServer(home, workers=1, env=env) as server, httpx.Client(base_url=server.url + API, timeout=30) as http:
        assert http.post("/pools", json={"name": "first", "slots": 1, "description": ""}).status_code == 200
        yield http, path


def pools_in(path: Path) -> set[str]:
    """The pools the file at ``path`` holds (what the next start would serve); none if it has no tables."""
    connection = sqlite3.connect(path)
    try:
        return {name for (name,) in connection.execute("SELECT pool FROM slot_pool")}
    except sqlite3.OperationalError:
        return set()
    finally:
        connection.close()


def write_pools(http: httpx.Client, names: list[str]) -> dict[str, httpx.Response]:
    return {name: http.post("/pools", json={"name": name, "slots": 1, "description": ""}) for name in names}


def test_a_deleted_file_answers_503_and_no_write_is_lost(served, home: Path) -> None:
    http, path = served
    path.unlink()
    answers = write_pools(http, [f"after_{n}" for n in range(5)])
    assert {(r.status_code, r.headers.get("Retry-After")) for r in answers.values()} == {(503, "5")}
    assert {name for name, r in answers.items() if r.status_code == 200} <= pools_in(path)
    # What the next start would do, done beside the running server: it serves the new file.
    env = clean_environment(home, EXPAPI__CORE__SQL_ALCHEMY_CONN=f"sqlite:///{path}")
    subprocess.run([EXPAPI, "db", "init"], env=env, check=True, capture_output=True, timeout=120)
    assert http.post("/pools", json={"name": "after_init", "slots": 1, "description": ""}).status_code == 200
    assert "after_init" in pools_in(path)


def test_a_replaced_file_is_served_from_then_on(served, home: Path) -> None:
    http, path = served
    copy = home / "copy.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    shutil.copy(path, copy)
    assert write_pools(http, ["only_in_the_old_file"])["only_in_the_old_file"].status_code == 200
    copy.replace(path)  # e.g. a backup restored in place
    answers = write_pools(http, [f"after_{n}" for n in range(3)])
    written = {name for name, r in answers.items() if r.status_code == 200}
    assert {r.status_code for r in answers.values()} <= {200, 503}
    assert written and written <= pools_in(path)
    # The server reads the file at the path. (SQLite's -wal file belongs to the path, not
    # the file: a write still in it is applied to the restored file too.)
    assert {pool["pool"] for pool in http.get("/pools").json()} == pools_in(path)


def _chattr(flag: str, path: Path) -> None:
    result = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"chattr {flag} is needed to make the file read-only for root: {result.stderr.strip()}")


def test_an_immutable_file_refuses_writes_then_heals_when_writable_again(home: Path) -> None:
    path = home / "expapi.db"
    env = clean_environment(home, EXPAPI__CORE__SQL_ALCHEMY_CONN=f"sqlite:///{path}", EXPAPI__CORE__LOAD_EXAMPLES="False")
    with LiveServer(home, workers=1, env=env) as server, httpx.Client(base_url=server.url + API, timeout=30) as http:
        _chattr("+i", path)  # before the worker's first connection: it can only open the file read-only
        try:
            refused = http.post("/pools", json={"name": "refused", "slots": 1, "description": ""})
            assert (refused.status_code, refused.json()) == (503, UNAVAILABLE)
            assert http.get("/pools/default_pool").status_code == 200  # reads still work
        finally:
            _chattr("-i", path)
        healed = http.post("/pools", json={"name": "healed", "slots": 1, "description": ""})
        assert healed.status_code == 200
    assert pools_in(path) >= {"healed"} and "refused" not in pools_in(path)
