"""Trigger throughput and latency under concurrent clients, per database, against GET /test.

Run: python benchmarks/concurrency.py [--clients N] [--requests N] [--workers N]
         [--postgres URL] [--mysql URL]

For SQLite (always) and for PostgreSQL and MariaDB/MySQL when given a server URL (default:
$EXPAPI_TEST_POSTGRES_URL and $EXPAPI_TEST_MYSQL_URL, an administration URL as the tests
use), it creates a fresh database, starts ``expapi serve --workers N`` on it, and sends
``--requests`` requests from ``--clients`` concurrent clients: first GET /test (no database,
the baseline of the same run), then triggers of example_bash_operator (one run and six task
instances each, every one with its own run id and date). It prints requests per second,
median and p95 latency, and any answer that was not a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

API = "/api/experimental"
EXPAPI = str(Path(sys.executable).with_name("expapi"))


@contextmanager
def fresh_database(backend: str, admin_url: str | None, folder: Path) -> Iterator[str]:
    """A new empty database (a file for SQLite), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    name = f"expapi_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}" + (" WITH (FORCE)" if backend == "postgres" else "")))


@contextmanager
def server(url: str, home: Path, workers: int) -> Iterator[str]:
    """``expapi serve --workers N`` on a free port; its base URL until SIGTERM."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPAPI__")}
    env.update(EXPAPI_HOME=str(home), EXPAPI__CORE__SQL_ALCHEMY_CONN=url)
    (home / "dags").mkdir(exist_ok=True)
    with (home / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [EXPAPI, "serve", "--port", str(port), "--workers", str(workers)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}{API}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/test").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"expapi serve did not start:\n{(home / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


async def load(base: str, clients: int, requests: int, make) -> tuple[float, list[float], dict[int, int]]:
    """Send ``requests`` requests from ``clients`` concurrent clients; wall time, latencies, statuses."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(requests))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            for index in counter:
                method, path, body = make(index)
                started = time.perf_counter()
                response = await http.request(method, path, json=body)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, latencies, statuses


def trigger(offset: int):
    first = datetime(2031, 1, 1, tzinfo=timezone.utc)

    def make(index: int):
        when = first + timedelta(seconds=offset + index)
        body = {"run_id": f"bench_{offset + index}", "execution_date": when.isoformat()}
        return "POST", "/dags/example_bash_operator/dag_runs", body

    return make


def report(backend: str, name: str, wall: float, latencies: list[float], statuses: dict[int, int]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    others = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()) if s != 200) or "-"
    print(
        f"{backend:<9} {name:<24} {len(latencies) / wall:>8.0f} {statistics.median(ordered) * 1000:>10.1f}"
        f" {p95 * 1000:>8.1f}  {others}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--requests", type=int, default=800, help="requests per measurement (default 800)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    parser.add_argument("--postgres", default=os.environ.get("EXPAPI_TEST_POSTGRES_URL"), help="PostgreSQL admin URL")
    parser.add_argument("--mysql", default=os.environ.get("EXPAPI_TEST_MYSQL_URL"), help="MariaDB/MySQL admin URL")
    args = parser.parse_args()
    backends = [("sqlite", None)] + [(b, u) for b, u in (("postgres", args.postgres), ("mariadb", args.mysql)) if u]
    print(f"{args.clients} clients, {args.requests} requests each line, expapi serve --workers {args.workers}")
    print(f"{'database':<9} {'requests':<24} {'per s':>8} {'median ms':>10} {'p95 ms':>8}  not 200")
    for backend, admin_url in backends:
        with tempfile.TemporaryDirectory() as folder, fresh_database(backend, admin_url, Path(folder)) as url:
            with server(url, Path(folder), args.workers) as base:
                asyncio.run(load(base, args.clients, 100, lambda i: ("GET", "/test", None)))  # warm-up
                asyncio.run(load(base, args.clients, 100, trigger(10**6)))
                report(backend, "GET /test (baseline)", *asyncio.run(load(base, args.clients, args.requests, lambda i: ("GET", "/test", None))))
                report(backend, "POST .../dag_runs", *asyncio.run(load(base, args.clients, args.requests, trigger(0))))


if __name__ == "__main__":
    main()
