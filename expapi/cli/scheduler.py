"""``expapi scheduler`` and ``expapi standalone``: runs that progress, simulated."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from expapi.cli import server
from expapi.cli.common import CommandError, setup
from expapi.cli.preparation import one_line_errors, open_database
from expapi.config import Config
from expapi.dags.sync import sync_dags
from expapi.flavours import FLAVOURS
from expapi.scheduler.jobs import AnotherSchedulerRunning
from expapi.scheduler.loop import Scheduler

log = logging.getLogger(__name__)

GATEWAY_REFUSAL = (
    "[gateway] airflow_url is set: the Airflow behind the gateway schedules its own runs, "
    "so expapi's scheduler does not start (unset [gateway] airflow_url to simulate runs)"
)


def register(commands) -> None:
    scheduler = commands.add_parser(
        "scheduler",
        help="move runs and task instances through Airflow's states (simulated)",
        description="Advance every active run of every unpaused DAG as Airflow's scheduler would, and create the "
        "runs schedules are due. No task is executed: each task's outcome comes from its simulate: block "
        "(docs/dag-files.md). Several schedulers may share a PostgreSQL or MySQL database; on SQLite a second one "
        "refuses to start. SIGTERM finishes the current pass, then stops.",
    )
    scheduler.add_argument("--upgrade-db", action="store_true", help="apply pending schema migrations first")
    scheduler.set_defaults(run=run_scheduler)
    standalone = commands.add_parser(
        "standalone",
        help="serve the API and run the scheduler in one process, for local use",
        description="expapi serve and expapi scheduler together (as airflow standalone): the scheduler runs beside "
        "the web server and stops with it.",
    )
    standalone.add_argument("--host", help="address to bind (default: [webserver] web_server_host, 127.0.0.1)")
    standalone.add_argument("--port", type=server.port_option, help="port to bind (default: [webserver] web_server_port)")
    standalone.add_argument("--upgrade-db", action="store_true", help="apply pending schema migrations first")
    standalone.set_defaults(run=run_standalone, workers=None, airflow_url=None)


def build_scheduler(config: Config, *, upgrade: bool) -> Scheduler:
    """A started scheduler (its job recorded) over the configured database, DAG files loaded."""
    if config.gateway.enabled:
        raise CommandError(GATEWAY_REFUSAL, exit_code=2)
    database = open_database(config, upgrade=upgrade)
    with one_line_errors(database):
        report = sync_dags(database, config)
    for error in report.errors:
        log.error("DAG file skipped: %s", error)
    scheduler = Scheduler(database=database, config=config, flavour=FLAVOURS[config.api.compat])
    try:
        scheduler.start()
    except AnotherSchedulerRunning as exc:
        database.dispose()
        raise CommandError(str(exc)) from None
    return scheduler


def run_scheduler(args: argparse.Namespace) -> int:
    config = setup()
    scheduler = build_scheduler(config, upgrade=args.upgrade_db)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: scheduler.stop())
    try:
        scheduler.serve_forever()
    finally:
        scheduler.database.dispose()
    return 0


def run_standalone(args: argparse.Namespace) -> int:
    config = setup()
    scheduler = build_scheduler(config, upgrade=args.upgrade_db)
    # The web server owns the main thread and its signals; when it returns, the scheduler stops.
    thread = threading.Thread(target=scheduler.serve_forever, name="expapi-scheduler", daemon=True)
    thread.start()
    # uvicorn restores the handlers it found and raises the signal again once it has shut
    # down: finding these, that second SIGTERM stops the scheduler instead of the process.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: scheduler.stop())
    try:
        return server.run_serve(args)
    finally:
        scheduler.stop()
        thread.join(timeout=30)
        scheduler.database.dispose()
