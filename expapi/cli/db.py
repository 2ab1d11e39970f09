"""``expapi db``: the metadata database and its schema's migrations."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from expapi import db_migrations
from expapi.cli.common import CommandError, setup
from expapi.dags.sync import SyncReport, sync_dags
from expapi.db import Database, DatabaseUnreachable, driver_message, wait_until_reachable

log = logging.getLogger(__name__)

OUTDATED = "{state}. Run `expapi db upgrade` (or start the server with `expapi serve --upgrade-db`)"


def register(commands) -> None:
    db = commands.add_parser("db", help="manage the metadata database", description="Manage the metadata database.")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="upgrade the schema and add default_pool",
        description="Create or upgrade the schema in [core] sql_alchemy_conn to the newest revision, "
        "and add default_pool (128 slots) if it is missing. Safe to run again, and from several "
        "processes at once.",
    )
    init.set_defaults(run=run_init)
    upgrade = actions.add_parser(
        "upgrade",
        help="apply pending schema migrations",
        description="Apply every pending migration to [core] sql_alchemy_conn, up to the newest revision. "
        "Safe to run again, and from several processes at once (they take turns).",
    )
    upgrade.set_defaults(run=run_upgrade)
    check = actions.add_parser(
        "check",
        help="report pending schema migrations",
        description="Report the schema's revision and any pending migrations. "
        "Exits 0 when the schema is current, 1 when migrations are pending (or it is newer than this expapi).",
    )
    check.set_defaults(run=run_check)


def connect(config) -> Database:
    """The configured database, once its server answers (retried per ``[database]``)."""
    database = Database.from_url(config.core.sql_alchemy_conn)
    try:
        wait_until_reachable(database.engine, config.database.connect_retries, config.database.connect_retry_delay)
    except DatabaseUnreachable as exc:
        database.dispose()
        raise CommandError(str(exc)) from None
    return database


def open_database(config, *, upgrade: bool = False) -> Database:
    """The configured database with its schema at head.

    An empty database gets the schema (a first start needs no separate ``db init``); an
    outdated one is upgraded only when ``upgrade`` says so, and refused otherwise.
    """
    database = connect(config)
    with _one_line_errors(database):
        applied = db_migrations.ensure_current(database.engine, upgrade=upgrade)
        if applied is not None:
            database.ensure_default_pool()
            log.info("upgraded the schema to revision %s (applied %s)", db_migrations.head(), ", ".join(applied.pending()))
    return database


@contextmanager
def _one_line_errors(database: Database, doing: str = "prepare") -> Iterator[None]:
    """Schema and database failures as one-line command errors; the database is released on failure."""
    try:
        yield
    except db_migrations.OutdatedSchema as exc:
        database.dispose()
        raise CommandError(str(exc) if not exc.state.known else OUTDATED.format(state=exc)) from None
    except (SQLAlchemyError, TimeoutError) as exc:
        database.dispose()
        raise CommandError(
            f"cannot {doing} the database {database.engine.url!r}: {exc.__class__.__name__}: {driver_message(exc)}"
        ) from None


def load_dag_files(config, *, upgrade: bool = False) -> SyncReport:
    """Prepare the database and load every DAG file into it."""
    database = open_database(config, upgrade=upgrade)
    try:
        return sync_dags(database, config)
    finally:
        database.dispose()


def run_init(_args: argparse.Namespace) -> int:
    database = _migrate(setup(), add_default_pool=True)
    print(f"Initialized the database at {database.engine.url!r}")
    return 0


def run_upgrade(_args: argparse.Namespace) -> int:
    _migrate(setup(), add_default_pool=False)
    return 0


def _migrate(config, *, add_default_pool: bool) -> Database:
    database = connect(config)
    with _one_line_errors(database):
        before, after = db_migrations.upgrade(database.engine)
        if add_default_pool:
            database.ensure_default_pool()
    database.dispose()
    if before.up_to_date:
        print(f"The schema is current: revision {after.current}")
    else:
        applied = ", ".join(before.pending())
        print(f"Upgraded the schema to revision {after.current} (applied {applied})")
    return database


def run_check(_args: argparse.Namespace) -> int:
    database = connect(setup())
    with _one_line_errors(database, doing="read"):
        state = db_migrations.state(database.engine)
    database.dispose()
    print(state.describe())
    return 0 if state.up_to_date else 1
