"""``expapi serve`` keeps its workers alive, with one worker as with several, and SIGTERM exits 0."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from http_helpers import API
from live_server import LiveServer

pytestmark = pytest.mark.live


def workers_of(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def wait_for_workers(pid: int, count: int, other_than: set[int] = frozenset()) -> set[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = workers_of(pid)
        if len(workers) == count and not workers & other_than:
            return workers
        time.sleep(0.1)
    raise AssertionError(f"expected {count} new worker(s) of {pid}, have {workers_of(pid)}")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_killed_worker_is_replaced_and_serves(home: Path, workers: int) -> None:
    with LiveServer(home, workers=workers) as server:
        first = wait_for_workers(server.process.pid, workers)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        replaced = wait_for_workers(server.process.pid, workers, other_than={victim})
        deadline = time.monotonic() + 30
        while True:  # the new worker may still be starting
            try:
                response = httpx.get(f"{server.url}{API}/test", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, server.output()
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json() == {"status": "OK"}
        assert victim not in replaced
        assert f"worker {victim} was killed by SIGKILL; starting another" in server.output()


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_stops_the_server_with_status_0(home: Path, workers: int) -> None:
    with LiveServer(home, workers=workers) as server:
        children = wait_for_workers(server.process.pid, workers)
        assert httpx.get(f"{server.url}{API}/test").status_code == 200
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0, server.output()
    assert not any(Path(f"/proc/{pid}").exists() for pid in children), "a worker outlived the server"
