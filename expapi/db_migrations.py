"""The schema's revision: what is pending, and upgrading to head one process at a time."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

# alembic is imported where it is used: a start on a schema already at HEAD (the version table
# says so) never needs it, and importing it takes a tenth of serve's start.

SCRIPT_LOCATION = "expapi:migrations"
VERSION_TABLE = "expapi_alembic_version"  # the name expapi/migrations/env.py gives alembic
# The schema that expapi's create_all made before it had migrations; such a database is
# stamped with this revision (its tables exist, its version table does not) and upgraded.
BASELINE = "0001"
LEGACY_TABLE = "dag_run"
LOCK_NAME = "expapi_migrations"
LOCK_WAIT_SECONDS = 600
# The newest revision in migrations/versions, known without loading alembic (the tests check it
# against alembic's head): bump it with each new migration.
HEAD = "0004"


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against the migrations this expapi ships."""

    current: str | None  # None: no version table
    head: str
    legacy: bool = False  # tables from before migrations, no version table

    @property
    def empty(self) -> bool:
        return self.current is None and not self.legacy

    @property
    def known(self) -> bool:
        """False when a newer expapi migrated the database past what this one ships."""
        if self.current is None:
            return True
        from alembic.script.revision import ResolutionError
        from alembic.util import CommandError as AlembicCommandError

        try:
            return _script().get_revision(self.current) is not None
        except (ResolutionError, AlembicCommandError):
            return False

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def pending(self) -> list[str]:
        """The revisions an upgrade would apply, oldest first."""
        if not self.known:
            return []
        start = BASELINE if self.legacy else self.current
        revisions = _script().iterate_revisions(self.head, start)
        return [r.revision for r in reversed(list(revisions))] if start != self.head else []

    def describe(self) -> str:
        """One sentence for people: the revision, and what is pending."""
        if self.empty:
            return f"The database has no expapi schema yet (the head is {self.head})"
        if not self.known:
            return f"The database is at revision {self.current}, which this expapi does not know (its head is {self.head}): upgrade expapi"
        current = f"{BASELINE} (made before migrations)" if self.legacy else self.current
        if self.up_to_date:
            return f"The database is at revision {current}, the head"
        return f"The database is at revision {current}; pending: {', '.join(self.pending())}"


@functools.cache
def _script() -> ScriptDirectory:
    # The migrations shipped with this expapi: read once per process.
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


def _alembic_config(connection: Connection | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this expapi knows."""
    return _script().get_current_head()


def state(engine: Engine) -> SchemaState:
    """Read the database's revision (without changing anything)."""
    with engine.connect() as connection:
        return _state(connection)


def _state(connection: Connection) -> SchemaState:
    from alembic.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    current = context.get_current_revision()
    legacy = current is None and inspect(connection).has_table(LEGACY_TABLE)
    return SchemaState(current=current, head=head(), legacy=legacy)


class OutdatedSchema(Exception):
    """The schema needs migrations the caller may not apply, or is newer than this expapi."""

    def __init__(self, state: SchemaState) -> None:
        super().__init__(state.describe())
        self.state = state


def upgrade(engine: Engine, revision: str = "head") -> tuple[SchemaState, SchemaState]:
    """Apply pending migrations; safe when several processes run it at once.

    Returns the state before and after. A database from before migrations is first
    stamped with the baseline revision it already has; one from a newer expapi is refused.
    """
    with migration_lock(engine) as connection:
        before = _state(connection)
        if not before.known:
            raise OutdatedSchema(before)
        _migrate(connection, before, revision)
        after = _state(connection)
        connection.commit()
    return before, after


def ensure_current(engine: Engine, *, upgrade: bool) -> SchemaState | None:
    """Leave the schema at head: create it in an empty database, migrate it only if ``upgrade``.

    Returns the state found if something was applied. The decision is taken under the
    migration lock, so a migration that another process is running (on MySQL its DDL is
    visible half-way) is waited for rather than mistaken for an outdated schema.
    """
    if _recorded_head(engine):
        return None
    try:
        if state(engine).up_to_date:
            return None
    except OperationalError:
        pass  # MySQL will not describe a table that another process is altering: wait below
    with migration_lock(engine) as connection:
        before = _state(connection)
        if before.up_to_date:
            return None
        if not before.known or not (before.empty or upgrade):
            raise OutdatedSchema(before)
        _migrate(connection, before, "head")
        connection.commit()
    return before


def _recorded_head(engine: Engine) -> bool:
    """Whether the version table names HEAD and nothing else: the schema is current.

    Any doubt (no table yet, a failure) says False, and the caller asks alembic.
    """
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all() == [HEAD]
    except SQLAlchemyError:
        return False


def _migrate(connection: Connection, before: SchemaState, revision: str) -> None:
    from alembic import command

    config = _alembic_config(connection)
    if before.legacy:
        command.stamp(config, BASELINE)
    command.upgrade(config, revision)


@contextmanager
def migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection holding the database-wide lock that migrations run under.

    PostgreSQL: a session advisory lock; MySQL/MariaDB: GET_LOCK. Both are held across
    the DDL's own commits. SQLite: an immediate transaction, which is also the one the
    migration runs in (SQLite's DDL is transactional). The second process to come waits,
    then finds nothing left to do.
    """
    with engine.connect() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            key = zlib.crc32(LOCK_NAME.encode())
            connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_WAIT_SECONDS}s'")
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.execute(text("RESET lock_timeout"))
                connection.commit()
        elif dialect in ("mysql", "mariadb"):
            got = connection.scalar(text("SELECT GET_LOCK(:name, :wait)"), {"name": LOCK_NAME, "wait": LOCK_WAIT_SECONDS})
            if got != 1:
                raise TimeoutError(f"another process held the migration lock for {LOCK_WAIT_SECONDS} s")
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": LOCK_NAME})
                connection.commit()
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            finally:
                connection.rollback()  # a no-op once the migration committed
