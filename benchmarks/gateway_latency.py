"""What the gateway adds: per experimental operation, the time through ``expapi serve`` in
gateway mode against the time of the same stable-API calls made directly, in the same run.

Run: python benchmarks/gateway_latency.py URL [--calls 200] [--json FILE]
  URL: an Airflow 2 or 3 base URL carrying an account's Basic credentials
       (e.g. "$EXPAPI_TEST_AIRFLOW3_URL" from the CI's peers).

It starts ``expapi serve --workers 1`` in front of it (service auth, 1.10 flavour), then, for
every operationId of openapi/experimental.yaml, alternates one call through the gateway and
one direct call ``--calls`` times. The direct call is what the gateway's store asks of Airflow
for that operation (``AirflowStore`` over expapi's own blocking client: the same requests,
the same auth, token or session reused), so the difference is the gateway's own share: its
HTTP hop, connexion's routing and validation, the service's rules, the hand-off to the event
loop and the flavour's rendering. Both sides authenticate alike: a JWT on Airflow 3, the
login session on Airflow 2 (see docs/gateway.md: Basic would add Airflow's password hashing
to every stable-API call, on both sides).

Writes get fresh keys per call: triggers a new date each on a paused DAG (the runs are
deleted afterwards), ``create_pool`` new pool names that ``delete_pool`` then deletes, and
``delete_dag`` deletes ``example_external_task_marker_child``, which Airflow parses back from
its file (asked through ``PUT /parseDagFile`` with its sibling's file token, waited for
untimed) before the next call. Operations the gateway answers with a declared 501 (lineage on
Airflow 3) are listed, not timed. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
import yaml

from expapi.config import GatewayConfig
from expapi.gateway import stable_api
from expapi.gateway.client import SyncUpstream
from expapi.gateway.errors import UpstreamNotFound, UpstreamUnavailable
from expapi.gateway.store import AirflowStore
from expapi.store.records import NewDagRun

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "experimental.yaml"
READ_DAG, TASK = "example_bash_operator", "runme_0"  # reads: a run of its own at a fixed date
TRIGGER_DAG = "example_short_circuit_operator"  # paused on the peers: its runs stay queued
DELETE_DAG, SIBLING = "example_external_task_marker_child", "example_external_task_marker_parent"
POOL_PREFIX = "expapi_bench_"


@dataclass
class Operation:
    name: str
    gateway: Callable[[int], tuple[str, str, Any]]  # call number -> (method, path, JSON body)
    direct: Callable[[int], object]  # call number -> the store's stable-API calls for it
    before: Callable[[int, int], None] | None = None  # untimed, before call number n of side 0 (gateway) or 1 (direct)


class Transient(Exception):
    """A call that failed for the Airflow's own reasons (a 5xx, e.g. SQLite busy): tried again with fresh keys."""


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
        EXPAPI__GATEWAY__TIMEOUT=str(config.timeout),
        EXPAPI__LOGGING__LOGGING_LEVEL="WARNING",
    )
    expapi = str(Path(sys.executable).with_name("expapi"))  # the console script beside this Python
    command = [expapi, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/experimental"
    for _ in range(600):
        try:
            httpx.get(url + "/test", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("expapi serve did not start")


def operation_ids() -> list[str]:
    """Every operationId of the spec, in its order."""
    spec = yaml.safe_load(SPEC.read_text())
    seen: list[str] = []
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation and operation["operationId"] not in seen:
                seen.append(operation["operationId"])
    return seen


def in_url(when: datetime) -> str:
    return quote(when.isoformat(), safe="")


def wait_for_dag(direct: SyncUpstream, dag_id: str, file_token: str) -> None:
    """Until Airflow has the DAG again: ask for its file to be parsed, then poll (untimed)."""
    try:
        stable_api.get_dag(direct, dag_id)
        return
    except UpstreamNotFound:
        pass
    direct.call("PUT", f"/parseDagFile/{file_token}")
    for _ in range(1200):
        try:
            stable_api.get_dag(direct, dag_id)
            return
        except UpstreamNotFound:
            time.sleep(0.1)
    raise SystemExit(f"{dag_id} did not come back within 120 s of asking Airflow to parse its file")


def operations(direct: SyncUpstream, store: AirflowStore, read_when: datetime, stamp: str) -> tuple[list[Operation], list[str]]:
    """What to time for each operationId, and the ones the gateway answers with a declared 501."""
    line = direct.api_line()
    on_airflow_3 = line.uses_tokens
    run_path = f"/dags/{READ_DAG}/dag_runs/{in_url(read_when)}"
    trigger_base = datetime(2041, 1, 1, tzinfo=timezone.utc)

    def trigger_date(i: int, side: int) -> datetime:
        return trigger_base + timedelta(minutes=2 * i + side)

    def direct_trigger(i: int) -> object:
        when = trigger_date(i, 1)
        store.get_dag_definition(TRIGGER_DAG)
        run = NewDagRun(TRIGGER_DAG, f"manual__{when.isoformat()}", when, "running", None, None)
        return store.create_dag_run(run, [])

    def read_run() -> object:
        store.get_dag_definition(READ_DAG)
        return store.get_dag_run(READ_DAG, read_when)

    def task_instance(_i: int) -> object:
        run = read_run()
        return store.get_task_instance(run, TASK)  # type: ignore[arg-type]

    def lineage(_i: int) -> object:
        dag = store.get_dag_definition(READ_DAG)
        return store.get_lineage(dag, store.get_dag_run(READ_DAG, read_when))

    def pool(i: int, side: int, op: str) -> str:
        return f"{POOL_PREFIX}{stamp}_{op}{i}_{side}"

    tokens: list[str] = []

    def sibling_token() -> str:
        if not tokens:
            tokens.append(stable_api.get_dag(direct, SIBLING)["file_token"])
        return tokens[0]

    ops = {
        "trigger_dag_run": Operation(
            "trigger_dag_run",
            lambda i: ("POST", f"/dags/{TRIGGER_DAG}/dag_runs", {"execution_date": trigger_date(i, 0).isoformat()}),
            direct_trigger,
        ),
        "list_dag_runs": Operation(
            "list_dag_runs",
            lambda i: ("GET", f"/dags/{READ_DAG}/dag_runs", None),
            lambda i: (store.get_dag(READ_DAG), store.list_dag_runs(READ_DAG)),
        ),
        "get_dag_run_state": Operation("get_dag_run_state", lambda i: ("GET", run_path, None), lambda i: read_run()),
        "get_task_instance": Operation("get_task_instance", lambda i: ("GET", f"{run_path}/tasks/{TASK}", None), task_instance),
        "get_task": Operation(
            "get_task", lambda i: ("GET", f"/dags/{READ_DAG}/tasks/{TASK}", None), lambda i: store.get_dag_definition(READ_DAG)
        ),
        "get_dag_code": Operation(
            "get_dag_code",
            lambda i: ("GET", f"/dags/{READ_DAG}/code", None),
            lambda i: (store.get_dag(READ_DAG), store.get_dag_code(READ_DAG)),
        ),
        # The trigger DAG is paused already: pausing it again changes nothing.
        "set_dag_paused": Operation(
            "set_dag_paused",
            lambda i: ("GET", f"/dags/{TRIGGER_DAG}/paused/true", None),
            lambda i: store.set_dag_paused(TRIGGER_DAG, True),
        ),
        "get_dag_paused": Operation(
            "get_dag_paused", lambda i: ("GET", f"/dags/{READ_DAG}/paused", None), lambda i: store.get_dag(READ_DAG)
        ),
        "delete_dag": Operation(
            "delete_dag",
            lambda i: ("DELETE", f"/dags/{DELETE_DAG}", None),
            lambda i: store.delete_dag(DELETE_DAG),
            before=lambda i, side: wait_for_dag(direct, DELETE_DAG, sibling_token()),
        ),
        "get_latest_runs": Operation("get_latest_runs", lambda i: ("GET", "/latest_runs", None), lambda i: store.get_latest_dag_runs()),
        # Answered by expapi alone: no stable-API call on either side.
        "test": Operation("test", lambda i: ("GET", "/test", None), lambda i: None),
        "get_info": Operation("get_info", lambda i: ("GET", "/info", None), lambda i: None),
        "get_lineage": Operation("get_lineage", lambda i: ("GET", f"/lineage/{READ_DAG}/{in_url(read_when)}", None), lineage),
        "list_pools": Operation("list_pools", lambda i: ("GET", "/pools", None), lambda i: store.list_pools()),
        "create_pool": Operation(
            "create_pool",
            lambda i: ("POST", "/pools", {"name": pool(i, 0, "c"), "slots": 3, "description": "benchmark"}),
            lambda i: store.upsert_pool(pool(i, 1, "c"), 3, "benchmark"),
        ),
        "get_pool": Operation(
            "get_pool", lambda i: ("GET", "/pools/default_pool", None), lambda i: store.get_pool("default_pool")
        ),
        # Each call deletes a pool made for it just before (untimed).
        "delete_pool": Operation(
            "delete_pool",
            lambda i: ("DELETE", f"/pools/{pool(i, 0, 'd')}", None),
            lambda i: store.delete_pool(pool(i, 1, "d")),
            before=lambda i, side: stable_api.put_pool(direct, pool(i, side, "d"), 3, "benchmark"),
        ),
    }
    not_available = ["get_lineage"] if on_airflow_3 else []
    missing = set(operation_ids()) - set(ops)
    if missing:
        raise SystemExit(f"no benchmark for {sorted(missing)}")
    order = [name for name in operation_ids() if name not in not_available]
    return [ops[name] for name in order], not_available


def timed_pair(gateway: httpx.Client, operation: Operation, key: int) -> tuple[float, float]:
    """One call through the gateway, then one direct, with ``key`` for fresh names and dates."""
    if operation.before:
        operation.before(key, 0)
    method, api_path, body = operation.gateway(key)
    started = time.perf_counter()
    answer = gateway.request(method, api_path, json=body)
    through = time.perf_counter() - started
    if answer.status_code == 503:
        raise Transient(answer.text)
    if answer.status_code != 200:
        raise SystemExit(f"{operation.name}: {method} {api_path} answered {answer.status_code} {answer.text}")
    if operation.before:
        operation.before(key, 1)
    started = time.perf_counter()
    try:
        operation.direct(key)
    except UpstreamUnavailable as exc:
        raise Transient(str(exc)) from None
    return through, time.perf_counter() - started


def measure(gateway: httpx.Client, operation: Operation, calls: int) -> dict[str, float]:
    through, straight, differences = [], [], []
    retried = 0
    for i in range(calls):
        for attempt in range(5):
            try:
                g, d = timed_pair(gateway, operation, i + attempt * calls)  # a retry never reuses a key
                break
            except Transient as exc:
                retried += 1
                print(f"  {operation.name}: call {i} failed upstream, tried again: {exc}", file=sys.stderr, flush=True)
                time.sleep(1)
        else:
            raise SystemExit(f"{operation.name}: call {i} kept failing upstream")
        through.append(g)
        straight.append(d)
        differences.append(g - d)
    return {
        "gateway_ms": statistics.median(through) * 1000,
        "direct_ms": statistics.median(straight) * 1000,
        "added_ms": statistics.median(differences) * 1000,
        "retried": retried,
    }


def clean_up(direct: SyncUpstream, stamp: str, made_run: str | None) -> None:
    """Remove what the run made (its triggered runs, any pool left behind); bring the deleted DAG back."""
    line = direct.api_line()
    for run in stable_api.list_dag_runs(direct, TRIGGER_DAG):
        if (run[line.run_date_field] or "").startswith("2041-"):
            direct.call("DELETE", f"/dags/{TRIGGER_DAG}/dagRuns/{quote(run['dag_run_id'], safe='')}")
    for pool in stable_api.list_pools(direct):
        if pool["name"].startswith(f"{POOL_PREFIX}{stamp}_"):
            stable_api.delete_pool(direct, pool["name"])
    if made_run is not None:
        direct.call("DELETE", f"/dags/{READ_DAG}/dagRuns/{quote(made_run, safe='')}")
    try:
        wait_for_dag(direct, DELETE_DAG, stable_api.get_dag(direct, SIBLING)["file_token"])
    except UpstreamNotFound:
        print(f"{SIBLING} is gone too: {DELETE_DAG} comes back when Airflow parses its file again", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--only", nargs="*", help="operationIds to time (default: every one)")
    args = parser.parse_args()
    parts = urlsplit(args.url)
    config = GatewayConfig(
        airflow_url=f"{parts.scheme}://{parts.hostname}:{parts.port}",
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        timeout=60.0,
    )
    direct = SyncUpstream(config)
    store = AirflowStore(direct, None)
    line = direct.api_line()
    stamp = datetime.now(timezone.utc).strftime("%H%M%S")
    # A run of the read DAG to address by date, made for the benchmark at a date nobody else uses.
    read_when = datetime(2039, 6, 1, tzinfo=timezone.utc) + timedelta(seconds=int(stamp))
    made_run = f"expapi_benchmark_{stamp}"
    stable_api.trigger_dag_run(direct, READ_DAG, logical_date=read_when, run_id=made_run)
    ops, not_available = operations(direct, store, read_when, stamp)
    if args.only:
        ops = [op for op in ops if op.name in args.only]
    process, url = start_gateway(config, Path(tempfile.mkdtemp()))
    results: dict[str, dict[str, float]] = {}
    title = f"Airflow {direct.exchange.airflow_version} ({line.prefix}), {args.calls} calls each side, medians in ms"
    try:
        with httpx.Client(base_url=url, timeout=120) as gateway:
            gateway.get("/pools")  # the gateway's own first call finds the line and logs in
            for op in ops:
                started = time.time()
                results[op.name] = measure(gateway, op, args.calls)
                print(f"  {op.name}: {results[op.name]} ({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
                if args.json:  # kept as it grows: a long run that fails late keeps what it measured
                    args.json.write_text(json.dumps({"operations": results}, indent=2) + "\n")
    finally:
        process.terminate()
        process.wait(timeout=30)
        clean_up(direct, stamp, made_run)
        direct.close()
    print(f"{title}\n")
    print("| operation | through the gateway | stable API directly | added (median of the differences) |")
    print("|---|---:|---:|---:|")
    for name, figures in results.items():
        print(f"| `{name}` | {figures['gateway_ms']:.1f} | {figures['direct_ms']:.1f} | {figures['added_ms']:.1f} |")
    for name in not_available:
        print(f"| `{name}` | declared 501 | — | not timed |")
    if args.json:
        document = {
            "airflow": direct.exchange.airflow_version,
            "api": line.prefix,
            "calls": args.calls,
            "operations": results,
            "declared_501": not_available,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
