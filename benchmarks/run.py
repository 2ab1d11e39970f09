"""expapi's benchmark: real servers driven by wrk, beside a plain Starlette app in the same run.

Run from the checkout: ``python benchmarks/run.py`` (``--quick`` for a short pass, ``--help``).

For each database (SQLite always; PostgreSQL unless ``--no-postgres``, in a database it creates
and drops) and each worker count (1 and 2), it starts ``expapi serve`` itself, seeds data, and
drives it with wrk (Debian package ``wrk``) at 1 and 16 connections: GET /test, GET /pools,
GET dag_runs with 211 and with 10,000 runs, GET /latest_runs for 1 DAG and for 100 DAGs x 100
runs, POST trigger with a distinct date per request, GET task-instance info, and GET /pools
through the password backend (a second server on the same database). It also records the
time from process start to the first 200 and the RSS/PSS of the whole process tree, idle and
after the load. A plain Starlette app with one route answering {"status": "OK"}, served by
uvicorn with the same worker count, is measured in the same run: it shows what the machine
and wrk can do, and every req/s figure is printed as a ratio to it.  ``--airflow`` also
measures Airflow 2.11.2 through /work/shared/peer/start-airflow-peer.sh (never by default),
holding the same 211 runs of example_bash_operator for the dag_runs and /latest_runs lines, and
adds a table of expapi's figures as ratios to Airflow's, line by line.

Absolute figures drift a lot on a shared machine; compare ratios inside one run only.
Prints a Markdown table and writes JSON (``--json``, default benchmarks/results.json).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPAPI = str(Path(sys.executable).with_name("expapi"))
API = "/api/experimental"
LUA = HERE / "wrk_report.lua"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PEER = Path("/work/shared/peer")
USER, PASSWORD = "bench", "bench-password"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
DAG = "example_bash_operator"
FIRST_RUN = datetime(2020, 1, 1, tzinfo=timezone.utc)
BENCH_DAGS = 100
RUNS_PER_BENCH_DAG = 100
BENCH_DAG_FILE = """dag_id: {dag_id}
schedule_interval: "@daily"
default_args:
  owner: bench
  start_date: 2020-01-01
tasks:
  - task_id: only
    operator: DummyOperator
"""


@dataclass
class Line:
    """One wrk measurement."""

    target: str  # "expapi", "starlette" or "airflow"
    database: str
    workers: int
    name: str
    connections: int
    req_s: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Footprint:
    target: str
    database: str
    workers: int
    first_200_s: float
    idle: dict = field(default_factory=dict)
    loaded: dict = field(default_factory=dict)


# --- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_200(url: str, headers: dict | None = None) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def sample_answer(url: str, auth: str) -> str:
    """Status and the start of the body of one GET, to say what a line's errors were."""
    headers = {} if auth == "-" else {"Authorization": auth}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return f"{response.status} {response.read(200)!r}"
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.read(200)!r}"
    except OSError as error:
        return repr(error)


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by the process tree under ``pid``."""
    total = 0
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, limit: float = 180.0) -> None:
    """Wait until the server has worked off what wrk left queued when it stopped.

    wrk closes its connections at the end of a line, but a server keeps computing the answers
    already asked for; a slow line (10,000 runs) would otherwise eat into the next one.
    """
    deadline = time.monotonic() + limit
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = cpu_seconds(pid)
        if now - before < 0.02:
            return
        before = now


def memory(pid: int) -> dict:
    """RSS and PSS in MiB of the process tree under ``pid`` (smaps_rollup), and per process."""
    total = {"rss_mib": 0.0, "pss_mib": 0.0, "processes": []}
    for member in tree(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:] if line.split()[-1] == "kB"}
        rss, pss = fields.get("Rss", 0) / 1024, fields.get("Pss", 0) / 1024
        total["rss_mib"] += rss
        total["pss_mib"] += pss
        total["processes"].append({"pid": member, "rss_mib": round(rss, 1), "pss_mib": round(pss, 1)})
    total["rss_mib"] = round(total["rss_mib"], 1)
    total["pss_mib"] = round(total["pss_mib"], 1)
    return total


@contextmanager
def started(
    command: list[str], env: dict, base: str, log: Path, name: str, headers: dict | None = None
) -> Iterator[tuple[subprocess.Popen, float]]:
    """Start ``command``; yield the process and the seconds until ``base``/test first answered 200."""
    with log.open("ab") as out:
        began = time.monotonic()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while not answers_200(f"{base}/test", headers):
            if process.poll() is not None or time.monotonic() - began > 90:
                sys.exit(f"{name} did not start; its log:\n{log.read_text()[-4000:]}")
            time.sleep(0.02)
        yield process, time.monotonic() - began
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def expapi_env(home: Path, url: str, backend: str = "default") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPAPI__")}
    env.update(EXPAPI_HOME=str(home), EXPAPI__CORE__SQL_ALCHEMY_CONN=url, EXPAPI__API__AUTH_BACKEND=backend)
    env.update(EXPAPI__LOGGING__LOGGING_LEVEL="WARNING")
    return env


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A new empty database (a file for SQLite), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"expapi_bench_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


def insert_runs(url: str, dag_id: str, count: int, start: int = 0) -> None:
    """``count`` finished runs of ``dag_id``, one an hour, written straight into the table."""
    from sqlalchemy import create_engine, insert
    from sqlalchemy.pool import NullPool

    from expapi.models.dag_run import DagRun

    engine = create_engine(url, poolclass=NullPool)
    rows = [
        {
            "dag_id": dag_id,
            "run_id": f"scheduled__{index}",
            "execution_date": FIRST_RUN + timedelta(hours=index),
            "start_date": FIRST_RUN + timedelta(hours=index),
            "state": "success",
            "external_trigger": False,
        }
        for index in range(start, start + count)
    ]
    with engine.begin() as connection:
        connection.execute(insert(DagRun), rows)
    engine.dispose()


def insert_airflow_runs(database: Path, dag_id: str, count: int) -> None:
    """``count`` finished scheduled runs of ``dag_id``, one an hour, written straight into the
    dag_run table of an Airflow 2.11 SQLite metadata database (what insert_runs does for expapi).

    Values are stored the way Airflow's SQLAlchemy writes them to SQLite: UTC datetimes as
    naive ``YYYY-MM-DD HH:MM:SS.ffffff`` text; run_type, clear_number and the newest
    log_template_id are the columns Airflow 2.11 needs beyond expapi's.
    """
    import sqlite3

    def stored(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    rows = []
    for index in range(count):
        moment = FIRST_RUN + timedelta(hours=index)
        rows.append((dag_id, stored(moment), stored(moment), stored(moment + timedelta(minutes=1)),
                     "success", f"scheduled__{moment.isoformat()}", 0, "scheduled",
                     stored(moment - timedelta(hours=1)), stored(moment), stored(moment), 0))
    connection = sqlite3.connect(database, timeout=30)
    try:
        with connection:
            (template,) = connection.execute("SELECT max(id) FROM log_template").fetchone()
            connection.executemany(
                "INSERT INTO dag_run (dag_id, execution_date, start_date, end_date, state, run_id,"
                " external_trigger, run_type, data_interval_start, data_interval_end, updated_at,"
                f" clear_number, log_template_id) VALUES ({', '.join('?' * 12)}, ?)",
                [row + (template,) for row in rows],
            )
    finally:
        connection.close()


def run_cli(env: dict, *args: str) -> None:
    subprocess.run([EXPAPI, *args], env=env, check=True, stdout=subprocess.DEVNULL)


# --- load ------------------------------------------------------------------------------------


def wrk(url: str, connections: int, seconds: float, method: str = "GET", auth: str = "-", offset: int = 0) -> dict:
    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(LUA), url]
    command += ["--", method, urllib.parse.urlsplit(url).path, auth, str(offset)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["req_s"] = report["requests"] / report["seconds"]
    return report


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.seconds = args.seconds
        self.connections = args.connections
        self.lines: list[Line] = []
        self.footprints: list[Footprint] = []
        self.offset = 0
        self.server_pid: int | None = None  # the server under load, to wait for it to go idle

    def measure(self, target: str, database: str, workers: int, name: str, url: str, **options) -> None:
        for connections in self.connections:
            if options.get("method") == "TRIGGER":
                self.offset += 10_000_000
                options["offset"] = self.offset
            report = wrk(url, connections, self.seconds, **options)
            if self.server_pid is not None:
                wait_until_idle(self.server_pid)
            line = Line(target, database, workers, name, connections, round(report["req_s"], 1),
                        round(report["p50_ms"], 2), round(report["p99_ms"], 2), report["errors"])
            self.lines.append(line)
            if line.errors and options.get("method", "GET") == "GET":
                print(f"  (errors: one answer now: {sample_answer(url, options.get('auth', '-'))})", flush=True)
            print(f"  {target:<9} {database:<8} w{workers} c{connections:<3} {name:<34} {line.req_s:>9.0f} req/s"
                  f"  p50 {line.p50_ms:>7.2f} ms  p99 {line.p99_ms:>7.2f} ms" + (f"  errors {line.errors}" if line.errors else ""),
                  flush=True)

    # -- the bare framework
    def starlette(self, workers: int, folder: Path) -> None:
        port = free_port()
        base = f"http://127.0.0.1:{port}{API}"
        command = [sys.executable, "-m", "uvicorn", "baseline_app:app", "--app-dir", str(HERE), "--port", str(port),
                   "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        with started(command, dict(os.environ), base, folder / "starlette.log", "starlette") as (process, first):
            self.server_pid = process.pid
            footprint = Footprint("starlette", "-", workers, round(first, 3), memory(process.pid))
            self.measure("starlette", "-", workers, "GET /test", f"{base}/test")
            footprint.loaded = memory(process.pid)
            self.footprints.append(footprint)

    # -- expapi
    def expapi(self, database: str, workers: int, folder: Path) -> None:
        home = folder / f"{database}-w{workers}"
        (home / "dags").mkdir(parents=True)
        with fresh_database(database, home) as url:
            env = expapi_env(home, url)
            port = free_port()
            base = f"http://127.0.0.1:{port}{API}"
            command = [EXPAPI, "serve", "--port", str(port), "--workers", str(workers)]
            with started(command, env, base, home / "serve.log", "expapi serve") as (process, first):
                self.server_pid = process.pid
                footprint = Footprint("expapi", database, workers, round(first, 3))
                time.sleep(0.5)
                footprint.idle = memory(process.pid)
                self.load_expapi(database, workers, base, url, env, home)
                footprint.loaded = memory(process.pid)
                self.footprints.append(footprint)
            # The password backend: a second server on the same database and user table.
            run_cli(env, "users", "create", "--username", USER, "--password", PASSWORD)
            env = expapi_env(home, url, backend="password")
            port = free_port()
            base = f"http://127.0.0.1:{port}{API}"
            command = [EXPAPI, "serve", "--port", str(port), "--workers", str(workers)]
            with started(command, env, base, home / "serve-password.log", "expapi serve (password)", {"Authorization": BASIC}) as (process, _):
                self.server_pid = process.pid
                for _ in range(4 * workers):  # warm: each worker has checked the password once (bcrypt)
                    answers_200(f"{base}/pools", {"Authorization": BASIC})
                self.measure("expapi", database, workers, "GET /pools (password backend)", f"{base}/pools", auth=BASIC)

    def load_expapi(self, database: str, workers: int, base: str, url: str, env: dict, home: Path) -> None:
        measure = lambda name, path, **options: self.measure("expapi", database, workers, name, base + path, **options)  # noqa: E731
        insert_runs(url, DAG, 210)
        trigger = urllib.request.Request(
            f"{base}/dags/{DAG}/dag_runs", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"run_id": "bench_info", "execution_date": "2029-06-01T00:00:00+00:00"}).encode(),
        )
        urllib.request.urlopen(trigger).read()  # run number 211, with task instances
        measure("GET /test", "/test")
        measure("GET /pools", "/pools")
        measure("GET dag_runs (211 runs)", f"/dags/{DAG}/dag_runs")
        measure("GET /latest_runs (1 DAG, 211 runs)", "/latest_runs")
        measure("GET task-instance info", f"/dags/{DAG}/dag_runs/2029-06-01T00:00:00%2B00:00/tasks/runme_0")
        # More data: 10,000 runs of one DAG, and 100 more DAGs of 100 runs each.
        for number in range(BENCH_DAGS):
            (home / "dags" / f"bench_{number:03}.yaml").write_text(BENCH_DAG_FILE.format(dag_id=f"bench_{number:03}"))
        run_cli(env, "dags", "sync")
        insert_runs(url, DAG, 10_000 - 211, start=210)
        for number in range(BENCH_DAGS):
            insert_runs(url, f"bench_{number:03}", RUNS_PER_BENCH_DAG)
        measure("GET dag_runs (10,000 runs)", f"/dags/{DAG}/dag_runs")
        measure("GET /latest_runs (100 DAGs x 100 runs)", "/latest_runs")
        # Last, as it adds runs (and task instances) to the tables.
        measure("POST trigger (distinct dates)", f"/dags/{DAG}/dag_runs", method="TRIGGER")

    # -- Airflow 2.11.2
    def airflow(self, workers: int, folder: Path) -> None:
        port = free_port()
        env = dict(os.environ, PEER_DIR=str(folder / "airflow"), PEER_PORT=str(port), PEER_WORKERS=str(workers))
        shared_venv = Path(tempfile.gettempdir()) / "airflow-peer" / "venv"
        if shared_venv.exists():  # reuse the installed Airflow rather than a 5-minute pip install
            (folder / "airflow").mkdir(parents=True, exist_ok=True)
            (folder / "airflow" / "venv").symlink_to(shared_venv)
            env["REUSE_VENV"] = "1"
        base = f"http://127.0.0.1:{port}{API}"
        began = time.monotonic()
        subprocess.run(["bash", str(PEER / "start-airflow-peer.sh")], env=env, check=True, stdout=subprocess.DEVNULL)
        first = time.monotonic() - began
        try:
            leader = int((folder / "airflow" / "webserver.pid").read_text())
            self.server_pid = leader
            footprint = Footprint("airflow", "sqlite", workers, round(first, 3), memory(leader))
            # As many runs as expapi holds for these lines: 210 finished ones and the triggered one.
            insert_airflow_runs(folder / "airflow" / "home" / "airflow.db", DAG, 210)
            trigger = urllib.request.Request(
                f"{base}/dags/{DAG}/dag_runs", method="POST", headers={"Content-Type": "application/json"},
                data=json.dumps({"run_id": "bench_info", "execution_date": "2029-06-01T00:00:00+00:00"}).encode(),
            )
            urllib.request.urlopen(trigger).read()
            with urllib.request.urlopen(f"{base}/dags/{DAG}/dag_runs") as answer:
                listed = len(json.load(answer))
            if listed != 211:  # the lines below would compare unlike with unlike
                sys.exit(f"Airflow lists {listed} runs of {DAG}, not 211: the inserted runs were not taken")
            measure = lambda name, path, **options: self.measure("airflow", "sqlite", workers, name, base + path, **options)  # noqa: E731
            measure("GET /test", "/test")
            measure("GET /pools", "/pools")
            measure("GET dag_runs (211 runs)", f"/dags/{DAG}/dag_runs")
            measure("GET /latest_runs (1 DAG, 211 runs)", "/latest_runs")
            measure("GET task-instance info", f"/dags/{DAG}/dag_runs/2029-06-01T00:00:00%2B00:00/tasks/runme_0")
            measure("POST trigger (distinct dates)", f"/dags/{DAG}/dag_runs", method="TRIGGER")
            footprint.loaded = memory(leader)
            self.footprints.append(footprint)
        finally:
            subprocess.run(["bash", str(PEER / "stop-airflow-peer.sh")], env=env, stdout=subprocess.DEVNULL)


# --- report ----------------------------------------------------------------------------------


def table(runner: Runner) -> str:
    baseline = {(l.workers, l.connections): l.req_s for l in runner.lines if l.target == "starlette"}
    rows = [
        "| target | db | workers | request | conns | req/s | × Starlette /test | p50 ms | p99 ms | errors |",
        "|---|---|--:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for l in runner.lines:
        ratio = l.req_s / baseline[(l.workers, l.connections)] if baseline.get((l.workers, l.connections)) else float("nan")
        if l.req_s == 0:  # nothing answered within the line: each answer takes longer than it
            rows.append(f"| {l.target} | {l.database} | {l.workers} | {l.name} | {l.connections} | none within the line | — | — | — | {l.errors} |")
            continue
        rate = f"{l.req_s:,.0f}" if l.req_s >= 10 else f"{l.req_s:.2f}"
        rows.append(f"| {l.target} | {l.database} | {l.workers} | {l.name} | {l.connections} | {rate} | "
                    f"{ratio:.3f} | {l.p50_ms:.2f} | {l.p99_ms:.2f} | {l.errors} |")
    rows += ["", "| target | db | workers | first 200 s | idle PSS MiB | idle RSS MiB | loaded PSS MiB | loaded RSS MiB |",
             "|---|---|--:|--:|--:|--:|--:|--:|"]
    for f in runner.footprints:
        rows.append(f"| {f.target} | {f.database} | {f.workers} | {f.first_200_s:.2f} | {f.idle.get('pss_mib', 0):.1f} | "
                    f"{f.idle.get('rss_mib', 0):.1f} | {f.loaded.get('pss_mib', 0):.1f} | {f.loaded.get('rss_mib', 0):.1f} |")
    return "\n".join(rows)


def versus_airflow(runner: Runner) -> str:
    """expapi's req/s and p50 as ratios to Airflow's on the same line, workers and connections."""
    airflow = {(l.workers, l.connections, l.name): l for l in runner.lines if l.target == "airflow"}
    rows = [
        "| db | workers | request | conns | expapi req/s | Airflow req/s | expapi ÷ Airflow req/s | expapi ÷ Airflow p50 |",
        "|---|--:|---|--:|--:|--:|--:|--:|",
    ]
    for l in runner.lines:
        peer = airflow.get((l.workers, l.connections, l.name))
        if l.target != "expapi" or peer is None:
            continue
        speed = f"{l.req_s / peer.req_s:.2f}" if peer.req_s else "—"
        latency = f"{l.p50_ms / peer.p50_ms:.3f}" if l.req_s and peer.req_s and peer.p50_ms else "—"
        rows.append(f"| {l.database} | {l.workers} | {l.name} | {l.connections} | {l.req_s:,.1f} | "
                    f"{peer.req_s:,.1f} | {speed} | {latency} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per line (default 3)")
    parser.add_argument("--quick", action="store_true", help="1 s per line, SQLite only, 2 workers only")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default: 1 2)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 16], help="wrk connections (default: 1 16)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--airflow", action="store_true", help="also measure Airflow 2.11.2 (SQLite, slow to start)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the figures")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.workers, args.no_postgres = 1, [2], True
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")
    runner = Runner(args)
    databases = ["sqlite"] + ([] if args.no_postgres else ["postgres"])
    with tempfile.TemporaryDirectory(prefix="expapi-bench-") as tmp:
        folder = Path(tmp)
        for workers in args.workers:
            runner.starlette(workers, folder)
            for database in databases:
                runner.expapi(database, workers, folder)
            if args.airflow:
                runner.airflow(workers, folder / f"airflow-w{workers}")
    machine = f"{platform.node()}: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{when} — {machine} — wrk {args.seconds:g} s per line\n")
    print(table(runner))
    if args.airflow:
        print("\nexpapi ÷ Airflow\n")
        print(versus_airflow(runner))
    args.json.write_text(json.dumps({
        "date": when, "machine": machine, "seconds_per_line": args.seconds,
        "lines": [asdict(l) for l in runner.lines], "footprints": [asdict(f) for f in runner.footprints],
    }, indent=1) + "\n")
    print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
