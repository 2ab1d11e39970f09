"""A real ``expapi serve`` process for tests that go over HTTP: start, wait, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

START_TIMEOUT = 30.0
# The installed console script, as a user runs it. (python -c would put the working
# directory first on sys.path, where a checkout's source tree shadows the installed wheel.)
EXPAPI = str(Path(sys.executable).with_name("expapi"))
SERVE = [EXPAPI, "serve"]
# Whether the running test is marked ``live`` (set by conftest before each test's fixtures;
# None outside pytest): only such tests may start a server, so ``-m "not live"`` starts none.
running_live_test: bool | None = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(home: Path, **overrides: str) -> dict[str, str]:
    """This process's environment without EXPAPI__* settings, for ``home``, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPAPI__")}
    env["EXPAPI_HOME"] = str(home)
    env.update(overrides)
    return env


class LiveServer:
    """``expapi serve --workers 2`` (as deployed) on a free port of 127.0.0.1, its output in ``home/serve.log``."""

    def __init__(
        self, home: Path, *, workers: int = 2, env: dict[str, str] | None = None, host: str = "127.0.0.1",
        command: tuple[str, ...] = ("serve",),
    ) -> None:
        self.home = home
        self.command = command
        self.port = free_port()
        self.host = host
        self.url = f"http://{host}:{self.port}"
        self.workers = workers
        self.env = env if env is not None else clean_environment(home)
        self.log = home / "serve.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        if running_live_test is False:
            raise RuntimeError("this test starts a server process: mark it (or its module) with pytest.mark.live")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [EXPAPI, *self.command, "--host", "127.0.0.1", "--port", str(self.port)]
                + (["--workers", str(self.workers)] if self.command == ("serve",) else []),
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.home,
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        # Any HTTP answer counts: with auth on, /test answers 401 or 403.
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"expapi serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                urllib.request.urlopen(f"{self.url}/api/experimental/test", timeout=2).close()
                return
            except urllib.error.HTTPError:
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"expapi serve did not answer within {START_TIMEOUT:.0f} s:\n{self.output()}")

    def stop(self) -> None:
        """SIGTERM, as a service manager would; kill if it does not end in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
