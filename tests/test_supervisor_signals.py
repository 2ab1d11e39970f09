"""The supervisor's stop reaches every worker, even one forked while the stop came in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

# A parent that gets SIGTERM right after forking its first worker and before recording it:
# the window where a stop used to miss that worker, and serve never exited.
SCRIPT = textwrap.dedent(
    """
    import os, signal
    from expapi.cli import supervisor

    forked = supervisor._start

    def start(config, socket):
        pid = forked(config, socket)
        os.kill(os.getpid(), signal.SIGTERM)
        return pid

    supervisor._start = start

    async def app(scope, receive, send):
        pass

    supervisor.serve(lambda: app, workers=2, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    """
)


def test_a_stop_during_a_fork_stops_the_new_worker_too(tmp_path: Path) -> None:
    # Run from tmp_path: from the checkout, its own expapi/ would shadow the installed one (tox).
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], cwd=tmp_path, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        _, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the parent and the worker it never stopped
        process.communicate()
        raise AssertionError("serve did not exit after SIGTERM: a worker was never told to stop") from None
    assert process.returncode == 0, errors
