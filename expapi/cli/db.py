"""``expapi db``: the metadata database."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import SQLAlchemyError

from expapi.cli.common import CommandError, setup
from expapi.dags.sync import SyncReport, sync_dags
from expapi.db import Database


def register(commands) -> None:
    db = commands.add_parser("db", help="manage the metadata database", description="Manage the metadata database.")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="create the tables and default_pool",
        description="Create any missing tables and default_pool (128 slots) in [core] sql_alchemy_conn.",
    )
    init.set_defaults(run=run_init)


def open_database(config) -> Database:
    """The configured database with its schema in place."""
    database = Database.from_url(config.core.sql_alchemy_conn)
    try:
        database.create_schema()
    except SQLAlchemyError as exc:
        database.dispose()
        raise CommandError(f"cannot prepare the database {database.engine.url!r}: {exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}") from None
    return database


def load_dag_files(config) -> SyncReport:
    """Prepare the database and load every DAG file into it."""
    database = open_database(config)
    try:
        return sync_dags(database, config)
    finally:
        database.dispose()


def run_init(_args: argparse.Namespace) -> int:
    config = setup()
    database = open_database(config)
    database.dispose()
    print(f"Initialized the database at {database.engine.url!r}")
    return 0
