"""Concurrent clients against ``expapi serve --workers 2``, and concurrent ``dags sync`` processes.

Each race starts its requests together (a barrier) from 32 threads, so both workers and
many database connections contend for the same rows. Runs on every backend.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from expapi.db import Database
from expapi.models import DagCode, DagModel, DagRun, Pool, SerializedDag, TaskInstance
from http_helpers import API
from live_server import EXPAPI, LiveServer, clean_environment

pytestmark = pytest.mark.live

CLIENTS = 32
DAG = "example_bash_operator"
WHEN = "2030-01-02T03:04:05+00:00"


@pytest.fixture
def server(home: Path, settings: dict[str, str], database: Database) -> Iterator[LiveServer]:
    """A live server with two workers on the test's database."""
    with LiveServer(home, workers=2, env=clean_environment(home, **settings)) as live:
        yield live


def at_once(call: Callable[[httpx.Client, int], httpx.Response], clients: int = CLIENTS) -> list[httpx.Response]:
    """``call(http, i)`` from ``clients`` threads released together; the responses in order."""
    barrier = threading.Barrier(clients)

    def run(index: int) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            barrier.wait()
            return call(http, index)

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(run, range(clients)))


def statuses(responses: list[httpx.Response]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for response in responses:
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
    return counts


class TestTriggerRace:
    @pytest.mark.parametrize(
        "run_id_of",
        [lambda i: "race", lambda i: f"race_{i}"],
        ids=["same run id and date", "same date, other run ids"],
    )
    def test_one_run_is_created_and_the_rest_are_told_why(self, server: LiveServer, database: Database, run_id_of) -> None:
        url = f"{server.url}{API}/dags/{DAG}/dag_runs"
        body = lambda i: {"run_id": run_id_of(i), "execution_date": WHEN}  # noqa: E731
        responses = at_once(lambda http, i: http.post(url, json=body(i)))

        assert statuses(responses) == {200: 1, 400: CLIENTS - 1}, [r.text for r in responses if r.status_code not in (200, 400)]
        # Each loser got exactly what the same request gets when it comes alone, later.
        for index, response in enumerate(responses):
            if response.status_code == 400:
                alone = httpx.post(url, json=body(index))
                assert (alone.status_code, alone.text) == (400, response.text)
        winner = next(r.json() for r in responses if r.status_code == 200)
        with database.transaction() as session:
            runs = session.scalars(select(DagRun).where(DagRun.dag_id == DAG)).all()
            instances = session.scalar(select(func.count()).select_from(TaskInstance).where(TaskInstance.dag_id == DAG))
        assert [run.run_id for run in runs] == [winner["run_id"]]
        assert instances == 6  # one per task of example_bash_operator, none twice


class TestPoolUpsertRace:
    def test_one_row_and_every_writer_succeeds(self, server: LiveServer, database: Database) -> None:
        url = f"{server.url}{API}/pools"
        responses = at_once(lambda http, i: http.post(url, json={"name": "racing", "slots": i, "description": f"writer {i}"}))

        assert statuses(responses) == {200: CLIENTS}, [r.text for r in responses if r.status_code != 200]
        assert len({r.json()["id"] for r in responses}) == 1
        with database.transaction() as session:
            rows = session.scalars(select(Pool).where(Pool.pool == "racing")).all()
        assert len(rows) == 1
        # The row is one writer's whole write, not a mix of two.
        assert rows[0].description == f"writer {rows[0].slots}"
        assert httpx.get(f"{url}/racing").json() == {"description": rows[0].description, "id": rows[0].id, "pool": "racing", "slots": rows[0].slots}


class TestPauseToggleRace:
    def test_the_flag_ends_as_one_of_the_writes_and_stays_readable(self, server: LiveServer, database: Database) -> None:
        base = f"{server.url}{API}/dags/{DAG}/paused"
        responses = at_once(lambda http, i: http.get(f"{base}/{'true' if i % 2 else 'false'}"))

        assert statuses(responses) == {200: CLIENTS}
        assert {r.content for r in responses} == {b'{"response":"ok"}\n'}
        read = httpx.get(base).json()["is_paused"]
        with database.transaction() as session:
            assert session.get(DagModel, DAG).is_paused is read
        # After the race, a single write is what every worker reads.
        assert httpx.get(f"{base}/{'false' if read else 'true'}").status_code == 200
        assert {httpx.get(base).json()["is_paused"] for _ in range(8)} == {not read}


def write_dag_files(folder: Path, count: int, *, version: int) -> None:
    for index in range(count):
        (folder / f"dag_{index:02d}.yaml").write_text(
            f"dag_id: racer_{index:02d}\n"
            f"description: version {version}\n"
            "default_args: {owner: racer, start_date: '2021-01-01'}\n"
            "tasks:\n  - {task_id: only, operator: BashOperator, bash_command: 'true'}\n"
        )


class TestConcurrentSync:
    PROCESSES = 4
    DAGS = 20

    def sync_at_once(self, env: dict[str, str]) -> list[subprocess.CompletedProcess]:
        with ThreadPoolExecutor(self.PROCESSES) as pool:
            return list(pool.map(
                lambda _: subprocess.run([EXPAPI, "dags", "sync"], env=env, capture_output=True, text=True, timeout=120),
                range(self.PROCESSES),
            ))

    def test_new_and_changed_dags_are_stored_once_and_whole(self, home: Path, empty_database_url: str) -> None:
        env = clean_environment(home, EXPAPI__CORE__SQL_ALCHEMY_CONN=empty_database_url)
        folder = home / "dags"
        database = Database.from_url(empty_database_url)
        try:
            for version in (1, 2):
                write_dag_files(folder, self.DAGS, version=version)
                results = self.sync_at_once(env)
                assert [r.returncode for r in results] == [0] * self.PROCESSES, [r.stderr for r in results]
                assert {r.stdout for r in results} == {f"Loaded {self.DAGS + 6} DAG(s); 0 file(s) could not be read.\n"}
                with database.transaction() as session:
                    if version == 1:  # a DAG paused by hand stays paused through later syncs
                        session.get(DagModel, "racer_00").is_paused = False
                with database.transaction() as session:
                    racers = session.scalars(select(DagModel).where(DagModel.dag_id.like("racer_%")).order_by(DagModel.dag_id)).all()
                    assert [(d.dag_id, d.description, d.is_active) for d in racers] == [
                        (f"racer_{i:02d}", f"version {version}", True) for i in range(self.DAGS)
                    ]
                    assert racers[0].is_paused is False and all(d.is_paused for d in racers[1:])
                    assert session.scalar(select(func.count()).select_from(SerializedDag)) == self.DAGS + 6
                    assert session.scalar(select(func.count()).select_from(DagCode)) == self.DAGS + 6
                    codes = session.scalars(select(DagCode.source_code).where(DagCode.dag_id.like("racer_%"))).all()
                    assert all(f"version {version}" in code for code in codes)
                    assert session.scalar(select(func.count()).select_from(Pool)) == 1  # default_pool, once
        finally:
            database.dispose()
