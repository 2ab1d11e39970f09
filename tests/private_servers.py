"""Throwaway PostgreSQL and MariaDB servers that a test may stop, kill and start again.

The machine's shared servers stay untouched (other test runs use them). Each private
server lives in its own temporary folder on a free port of 127.0.0.1; as root, PostgreSQL
runs as the ``postgres`` user (initdb refuses root) and MariaDB is told ``--user=root``.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from databases import IN_CI
from live_server import free_port

START_TIMEOUT = 30.0
IS_ROOT = os.geteuid() == 0


def _require(path: str | None, what: str) -> str:
    if not path:
        message = f"{what} is not installed, so no private server can be started"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


class PrivateServer:
    """What the fault tests need of a database server: its URL, and ways to stop it."""

    name = ""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=f"expapi-{self.name}-"))
        self.port = free_port()

    def url(self, database: str) -> str:
        raise NotImplementedError

    @property
    def admin_url(self) -> str:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def crash(self) -> None:
        """Stop at once, as a crash would (no clean shutdown)."""
        raise NotImplementedError

    def is_running(self) -> bool:
        raise NotImplementedError

    def ensure_running(self) -> None:
        if not self.is_running():
            self.start()

    def wait_until_up(self) -> None:
        engine = create_engine(self.admin_url, poolclass=NullPool)
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while True:
                try:
                    with engine.connect() as connection:
                        connection.execute(text("SELECT 1"))
                    return
                except OperationalError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        finally:
            engine.dispose()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class PrivatePostgres(PrivateServer):
    name = "postgres"

    def __init__(self) -> None:
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        self.bin = Path(_require(versions[-1] if versions else None, "PostgreSQL (initdb, pg_ctl)"))
        super().__init__()
        if IS_ROOT:
            shutil.chown(self.root, "postgres")
        self.data = self.root / "data"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if IS_ROOT:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60, cwd=self.root)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def start(self) -> None:
        # fsync off: the tests kill the server process, not the machine, so the OS keeps the data.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        self.wait_until_up()

    def crash(self) -> None:
        # "immediate": every server process quits at once; the next start replays the WAL.
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def stop(self) -> None:
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


class PrivateMariaDB(PrivateServer):
    name = "mariadb"

    def __init__(self) -> None:
        self.server = _require(shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin"), "MariaDB (mariadbd)")
        install = _require(shutil.which("mariadb-install-db"), "MariaDB (mariadb-install-db)")
        super().__init__()
        self.data = self.root / "data"
        self.process: subprocess.Popen | None = None
        # --no-defaults: the machine's my.cnf belongs to its shared server.
        command = [install, "--no-defaults", f"--datadir={self.data}", "--auth-root-authentication-method=normal", "--skip-test-db"]
        subprocess.run(command + (["--user=root"] if IS_ROOT else []), check=True, capture_output=True, timeout=120)

    def url(self, database: str) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}"

    @property
    def admin_url(self) -> str:
        return self.url("mysql")

    def start(self) -> None:
        command = [
            self.server, "--no-defaults", f"--datadir={self.data}", f"--socket={self.root / 'sock'}",
            f"--port={self.port}", "--bind-address=127.0.0.1", f"--log-error={self.root / 'error.log'}",
            f"--pid-file={self.root / 'pid'}", "--innodb-buffer-pool-size=32M",
        ] + (["--user=root"] if IS_ROOT else [])
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_until_up()

    def crash(self) -> None:
        # SIGKILL: InnoDB recovers committed transactions from its redo log on the next start.
        self._signal(signal.SIGKILL)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, number: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(number)
            self.process.wait(timeout=60)
        self.process = None


PRIVATE_SERVERS = {"postgres": PrivatePostgres, "mysql": PrivateMariaDB}
