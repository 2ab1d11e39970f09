"""Cost of one request per endpoint, against GET /test as the baseline of the same run.

Run: python benchmarks/endpoints.py [--requests N]
Prints the median and p95 wall time per request (in-process, through the whole ASGI
stack and a SQLite file database), and each endpoint's ratio to the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

from expapi.app import create_app
from expapi.config import load_config
from expapi.dags.sync import sync_dags
from expapi.db import Database

API = "/api/experimental"
RUN_DATE = "2030-01-02T03:04:05%2B00:00"


def build_client(home: Path) -> TestClient:
    config = load_config(home, environ={})
    database = Database.from_url(config.core.sql_alchemy_conn)
    database.create_schema()
    sync_dags(database, config)
    database.dispose()
    return TestClient(create_app(config))


def timed(client: TestClient, method: str, path: str, requests: int, body=None) -> list[float]:
    samples = []
    for index in range(requests):
        payload = body(index) if callable(body) else body
        started = time.perf_counter()
        response = client.request(method, API + path, json=payload)
        samples.append(time.perf_counter() - started)
        if response.status_code >= 500:
            sys.exit(f"{method} {path} answered {response.status_code}: {response.text}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint (default 300)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, build_client(Path(home)) as client:
        client.post(f"{API}/dags/example_bash_operator/dag_runs", json={"execution_date": "2030-01-02T03:04:05+00:00"})
        cases = [
            ("GET", "/test", None),
            ("GET", "/pools", None),
            ("GET", "/pools/default_pool", None),
            ("POST", "/pools", {"name": "bench", "slots": 4, "description": "benchmark"}),
            ("GET", "/dags/example_bash_operator/dag_runs", None),
            ("GET", f"/dags/example_bash_operator/dag_runs/{RUN_DATE}", None),
            ("GET", f"/dags/example_bash_operator/dag_runs/{RUN_DATE}/tasks/runme_0", None),
            ("GET", "/dags/example_bash_operator/tasks/runme_0", None),
            ("GET", "/dags/example_bash_operator/paused", None),
            ("GET", "/latest_runs", None),
            ("POST", "/dags/latest_only/dag_runs", lambda i: {"run_id": f"bench_{i}", "execution_date": f"2031-01-01T00:00:{i // 1000:02d}.{i % 1000:06d}+00:00"}),
        ]
        timed(client, "GET", "/test", 50)  # warm-up: lazy middleware, caches
        baseline = statistics.median(timed(client, "GET", "/test", args.requests))
        print(f"{'endpoint':<84} {'median ms':>9} {'p95 ms':>8} {'x /test':>8}")
        for method, path, body in cases:
            samples = sorted(timed(client, method, path, args.requests, body))
            median = statistics.median(samples)
            p95 = samples[int(len(samples) * 0.95) - 1]
            print(f"{method + ' ' + path:<84} {median * 1000:>9.2f} {p95 * 1000:>8.2f} {median / baseline:>8.1f}")


if __name__ == "__main__":
    main()
