"""The expapi scheduler command: a second one on SQLite refuses in one line; SIGTERM stops the first cleanly."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from live_server import EXPAPI, clean_environment

pytestmark = pytest.mark.live

START_TIMEOUT = 30.0


def test_second_scheduler_refuses_and_sigterm_stops_the_first(tmp_path):
    (tmp_path / "dags").mkdir()
    env = clean_environment(tmp_path, EXPAPI__SCHEDULER__TIME_SCALE="0.01")
    log = tmp_path / "scheduler.log"
    with log.open("wb") as out:
        first = subprocess.Popen([EXPAPI, "scheduler"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "scheduler job 1 started" not in log.read_text() and time.monotonic() < deadline:
            assert first.poll() is None, log.read_text()
            time.sleep(0.1)
        second = subprocess.run([EXPAPI, "scheduler"], env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        last_line = second.stderr.strip().splitlines()[-1]
        assert last_line.startswith("expapi: another scheduler is running on this SQLite database (job 1, pid "
                                    f"{first.pid} on "), second.stderr
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert "scheduler job 1 stopped after" in log.read_text()
