"""What the gateway adds: per operation, the median time through ``expapi serve`` in gateway
mode against the median time of the stable-API call(s) it makes, asked directly, same run.

Run: python benchmarks/gateway_latency.py URL [--calls N]
  URL: an Airflow 2 or 3 base URL carrying an account's Basic credentials
       (e.g. "$EXPAPI_TEST_AIRFLOW3_URL" from the CI's peers).

It starts ``expapi serve --workers 1`` in front of it (service auth), then for each read-only
operation alternates one gateway call and one direct call (the same stable-API requests
the gateway makes for it, through expapi's own client, token reuse included) ``--calls``
times, and prints both medians and their difference. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from expapi.config import GatewayConfig
from expapi.gateway import stable_api
from expapi.gateway.client import SyncUpstream

DAG, TASK = "example_bash_operator", "runme_0"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gateway(config: GatewayConfig, home: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPAPI__")}
    env.update(
        EXPAPI_HOME=str(home),
        EXPAPI__GATEWAY__AIRFLOW_URL=config.airflow_url,
        EXPAPI__GATEWAY__USERNAME=config.username,
        EXPAPI__GATEWAY__PASSWORD=config.password,
        EXPAPI__LOGGING__LOGGING_LEVEL="WARNING",
    )
    expapi = str(Path(sys.executable).with_name("expapi"))  # the console script beside this Python
    command = [expapi, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/experimental"
    for _ in range(300):
        try:
            httpx.get(url + "/test", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("expapi serve did not start")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    parts = urlsplit(args.url)
    config = GatewayConfig(
        airflow_url=f"{parts.scheme}://{parts.hostname}:{parts.port}",
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        timeout=30.0,
    )
    direct = SyncUpstream(config)
    line = direct.api_line()
    # A run to address by date: the newest of the DAG, or one made for the benchmark.
    run = stable_api.latest_dag_run(direct, DAG)
    made = None
    if run is None:
        when = datetime(2032, 1, 1, tzinfo=timezone.utc)
        run = made = stable_api.trigger_dag_run(direct, DAG, logical_date=when, run_id="gateway_benchmark")
    stamp = run[line.run_date_field]
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    # operation: (gateway path, the stable-API calls the gateway makes for it)
    operations = {
        "get_pool": ("/pools/default_pool", lambda: stable_api.get_pool(direct, "default_pool")),
        "get_dag_paused": (f"/dags/{DAG}/paused", lambda: stable_api.get_dag(direct, DAG)),
        "get_dag_code": (f"/dags/{DAG}/code", lambda: (stable_api.get_dag(direct, DAG), stable_api.get_dag_source(direct, DAG))),
        "list_dag_runs": (f"/dags/{DAG}/dag_runs", lambda: (stable_api.get_dag(direct, DAG), stable_api.list_dag_runs(direct, DAG))),
        "get_task": (
            f"/dags/{DAG}/tasks/{TASK}",
            lambda: (stable_api.get_dag_details(direct, DAG), stable_api.list_tasks(direct, DAG)),
        ),
        "get_dag_run_state": (
            f"/dags/{DAG}/dag_runs/{when.isoformat().replace('+', '%2B')}",
            lambda: (
                stable_api.get_dag_details(direct, DAG),
                stable_api.list_tasks(direct, DAG),
                stable_api.list_dag_runs(direct, DAG, at=when),
            ),
        ),
    }
    process, url = start_gateway(config, Path(tempfile.mkdtemp()))
    try:
        with httpx.Client(base_url=url, timeout=30) as gateway:
            print(f"Airflow {direct.exchange.airflow_version} ({line.prefix}), {args.calls} calls each, medians in ms")
            print(f"{'operation':<20} {'gateway':>9} {'direct':>9} {'added':>9}")
            for name, (gateway_path, call_direct) in operations.items():
                through, straight = [], []
                for _ in range(args.calls):
                    started = time.perf_counter()
                    answer = gateway.get(gateway_path)
                    through.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        raise SystemExit(f"{name}: {answer.status_code} {answer.text}")
                    started = time.perf_counter()
                    call_direct()
                    straight.append(time.perf_counter() - started)
                g, d = median_ms(through), median_ms(straight)
                print(f"{name:<20} {g:9.1f} {d:9.1f} {g - d:9.1f}")
    finally:
        process.terminate()
        process.wait(timeout=30)
        if made is not None:
            direct.call("DELETE", f"/dags/{DAG}/dagRuns/gateway_benchmark")
        direct.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
