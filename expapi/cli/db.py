"""``expapi db``: the metadata database and its schema's migrations."""

from __future__ import annotations

import argparse

from expapi.redact import mask_url
from expapi import db_migrations
from expapi.cli.common import setup
from expapi.cli.preparation import connect, one_line_errors
from expapi.db import Database


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


def run_init(_args: argparse.Namespace) -> int:
    database = _migrate(setup(), add_default_pool=True)
    print(f"Initialized the database at {mask_url(database.engine.url)}")
    return 0


def run_upgrade(_args: argparse.Namespace) -> int:
    _migrate(setup(), add_default_pool=False)
    return 0


def _migrate(config, *, add_default_pool: bool) -> Database:
    database = connect(config)
    with one_line_errors(database):
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
    with one_line_errors(database, doing="read"):
        state = db_migrations.state(database.engine)
    database.dispose()
    print(state.describe())
    return 0 if state.up_to_date else 1
