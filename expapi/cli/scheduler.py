"""``expapi scheduler`` and ``expapi standalone``: runs that progress, simulated."""

from __future__ import annotations

import argparse
import logging
import os
import signal
from typing import TYPE_CHECKING

from expapi.cli import server
from expapi.cli.common import CommandError, setup
from expapi.cli.preparation import one_line_errors, open_database
from expapi.config import Config
from expapi.dags.sync import sync_dags
from expapi.flavours import FLAVOURS

if TYPE_CHECKING:  # imported where used: serve, which also registers here, needs neither
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
        help="serve the API and run the scheduler in one command, for local use",
        description="expapi serve and expapi scheduler together (as airflow standalone): the scheduler runs in a "
        "process beside the web server's and stops with it.",
    )
    standalone.add_argument("--host", help="address to bind (default: [webserver] web_server_host, 127.0.0.1)")
    standalone.add_argument("--port", type=server.port_option, help="port to bind (default: [webserver] web_server_port)")
    standalone.add_argument("--upgrade-db", action="store_true", help="apply pending schema migrations first")
    standalone.set_defaults(run=run_standalone, workers=None, airflow_url=None)


def build_scheduler(config: Config, *, upgrade: bool) -> Scheduler:
    """A started scheduler (its job recorded) over the configured database, DAG files loaded."""
    from expapi.scheduler.jobs import AnotherSchedulerRunning
    from expapi.scheduler.loop import Scheduler

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
    # The scheduler gets a process of its own, forked before the web server forks its workers:
    # a worker forked while a scheduler thread held SQLite's locks would inherit them, and every
    # write of that worker would answer "database is locked". No connection crosses the fork.
    scheduler.database.dispose()
    child = os.fork()
    if child == 0:
        _run_forked_scheduler(scheduler)
    try:
        return server.run_serve(args)
    finally:
        _stop(child)


def _run_forked_scheduler(scheduler: Scheduler) -> None:
    code = 1
    try:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: scheduler.stop())
        scheduler.serve_forever()
        code = 0
    except BaseException:  # noqa: BLE001 - the forked scheduler never returns into the server's code
        log.exception("the scheduler failed")
    finally:
        scheduler.database.dispose()
        logging.shutdown()
        os._exit(code)


def _stop(child: int) -> None:
    """SIGTERM the scheduler's process and wait for it to finish its pass."""
    try:
        os.kill(child, signal.SIGTERM)
        os.waitpid(child, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
