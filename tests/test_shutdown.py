"""SIGTERM to ``expapi serve --workers 2`` lets a request in flight finish before the exit.

The request is made slow without any hook in expapi: the test holds a lock on the row
it writes, so it waits inside a worker until the test lets go.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from expapi.db import Database
from expapi.models import DagModel
from http_helpers import API
from live_server import LiveServer, clean_environment

pytestmark = pytest.mark.live

DAG = "example_bash_operator"


def test_a_request_in_flight_finishes_before_the_server_exits(home: Path, settings: dict[str, str], database: Database) -> None:
    with LiveServer(home, workers=2, env=clean_environment(home, **settings)) as server:
        answers: list[httpx.Response] = []
        with database.engine.connect() as blocker:
            if database.engine.dialect.name == "sqlite":
                blocker.exec_driver_sql("BEGIN IMMEDIATE")  # the one write lock of the file
            else:
                blocker.execute(select(DagModel).where(DagModel.dag_id == DAG).with_for_update())
            request = threading.Thread(
                target=lambda: answers.append(httpx.get(f"{server.url}{API}/dags/{DAG}/paused/false", timeout=60))
            )
            request.start()
            time.sleep(1.5)  # the request now waits for our lock inside a worker
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1.5)
            assert server.process.poll() is None, "exited with a request in flight"
            assert not answers
            blocker.rollback()  # let the request through
        request.join(timeout=30)
        assert server.process.wait(timeout=30) == 0, server.output()
    assert [(a.status_code, a.text) for a in answers] == [(200, '{"response":"ok"}\n')]
    with database.transaction() as session:
        assert session.get(DagModel, DAG).is_paused is False
