"""Preparing the metadata database before a command uses it: connect, schema, DAG files.

These are database things by design: the schema and its migrations, the DAG files that
``serve`` and ``dags sync`` load, and the users of the password backend all live in
expapi's own database. A store that is not that database (an Airflow behind a gateway,
which parses its own DAG files) has none of them to prepare, so its commands skip this
module rather than run it against nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy.exc import SQLAlchemyError

from expapi.redact import mask_url
from expapi import db_migrations
from expapi.cli.common import CommandError
from expapi.dags.sync import SyncReport, sync_dags
from expapi.db import Database, DatabaseUnreachable, driver_message, wait_until_reachable

log = logging.getLogger(__name__)

OUTDATED = "{state}. Run `expapi db upgrade` (or start the server with `expapi serve --upgrade-db`)"


GATEWAY_REFUSAL = (
    "{what}: not in gateway mode ([gateway] airflow_url is set): expapi keeps no database there; "
    "{instead}"
)


def refuse_in_gateway_mode(config, what: str, instead: str) -> None:
    """One clear line instead of a command that only expapi's own database can serve."""
    if config.gateway.enabled:
        raise CommandError(GATEWAY_REFUSAL.format(what=what, instead=instead))


def connect(config) -> Database:
    """The configured database, once its server answers (retried per ``[database]``).

    A command is no request with a client waiting on it: it waits out a lock held by a
    running server (up to a minute) and a migration may run as long as it needs.
    """
    limits = replace(config.database, lock_timeout=max(config.database.lock_timeout, 60.0), statement_timeout=0.0)
    database = Database.from_url(config.core.sql_alchemy_conn, limits)
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
    with one_line_errors(database):
        applied = db_migrations.ensure_current(database.engine, upgrade=upgrade)
        if applied is not None:
            database.ensure_default_pool()
            log.info("upgraded the schema to revision %s (applied %s)", db_migrations.head(), ", ".join(applied.pending()))
    return database


@contextmanager
def one_line_errors(database: Database, doing: str = "prepare") -> Iterator[None]:
    """Schema and database failures as one-line command errors; the database is released on failure."""
    try:
        yield
    except db_migrations.OutdatedSchema as exc:
        database.dispose()
        raise CommandError(str(exc) if not exc.state.known else OUTDATED.format(state=exc)) from None
    except (SQLAlchemyError, TimeoutError) as exc:
        database.dispose()
        raise CommandError(
            f"cannot {doing} the database {mask_url(database.engine.url)}: {exc.__class__.__name__}: {driver_message(exc)}"
        ) from None


def prepare_database(config, *, upgrade: bool = False) -> SyncReport:
    """The schema at head (migrated only if ``upgrade``), then every DAG file loaded: what ``serve`` and ``dags sync`` start with."""
    database = open_database(config, upgrade=upgrade)
    try:
        return sync_dags(database, config)
    finally:
        database.dispose()
