"""The scheduler's cost: state changes per second, per database.

Run: python benchmarks/scheduler.py [--runs N] [--postgres URL]

For SQLite (always) and PostgreSQL when given an administration URL (default:
$EXPAPI_TEST_POSTGRES_URL, as the tests use), it makes a fresh database with the example
DAGs, triggers ``--runs`` runs of example_bash_operator (six tasks each), and lets one
scheduler at time_scale 0.0001 (tasks take no noticeable time) carry every run to its end.
It prints the state changes made, the seconds taken and state changes per second: the
cost of the database work per change, since the simulation itself waits for nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from expapi.config import SchedulerConfig, load_config
from expapi.dags.sync import sync_dags
from expapi.db import Database
from expapi.flavours import AIRFLOW_1_10
from expapi.models import DagModel, DagRun
from expapi.scheduler.loop import Scheduler
from expapi.service.context import Context
from expapi.service.dag_runs import trigger_dag_run
from expapi.store.sql import SqlStore

DAG_ID = "example_bash_operator"


def measure(url: str, home: Path, runs: int) -> tuple[int, float]:
    config = load_config(home, environ={"EXPAPI__CORE__SQL_ALCHEMY_CONN": url})
    config = replace(config, scheduler=SchedulerConfig(time_scale=0.0001, poll_interval=0.5))
    database = Database.from_url(url)
    database.create_schema()
    sync_dags(database, config)
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    with database.transaction() as session:
        session.execute(update(DagModel).where(DagModel.dag_id == DAG_ID).values(is_paused=False))
        ctx = Context(store=SqlStore(session), flavour=AIRFLOW_1_10, timezone=timezone.utc)
        for i in range(runs):
            trigger_dag_run(ctx, DAG_ID, execution_date=(start + timedelta(minutes=i)).isoformat())
    scheduler = Scheduler(database=database, config=config, flavour=AIRFLOW_1_10)
    scheduler.start()
    began = time.perf_counter()
    while True:
        scheduler.run_once()
        with database.transaction() as session:
            active = session.scalar(select(func.count()).where(DagRun.dag_id == DAG_ID, DagRun.state == "running"))
        if not active:
            break
    elapsed = time.perf_counter() - began
    database.dispose()
    return scheduler.state_changes, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("EXPAPI_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    targets = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    print(f"{args.runs} runs of {DAG_ID} (6 task instances each), one scheduler")
    for name, admin_url in targets:
        with tempfile.TemporaryDirectory() as folder:
            home = Path(folder)
            (home / "dags").mkdir()
            if admin_url is None:
                changes, seconds = measure(f"sqlite:///{home / 'bench.db'}", home, args.runs)
            else:
                database_name = f"expapi_bench_{os.getpid()}"
                admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
                with admin.connect() as connection:
                    connection.execute(text(f"CREATE DATABASE {database_name}"))
                try:
                    url = make_url(admin_url).set(database=database_name).render_as_string(hide_password=False)
                    changes, seconds = measure(url, home, args.runs)
                finally:
                    with admin.connect() as connection:
                        connection.execute(text(f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)"))
                    admin.dispose()
        print(f"{name:10} {changes:6d} state changes in {seconds:6.2f} s: {changes / seconds:8.1f} per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
