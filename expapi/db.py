"""The database: engine, sessions and the one transaction each request runs in."""

from __future__ import annotations

import logging
import math
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from expapi.redact import clip, mask_url
from expapi import db_migrations
from expapi.config import ConfigError, DatabaseConfig
from expapi.models import Pool
from expapi.models.pool import DEFAULT_POOL_DESCRIPTION, DEFAULT_POOL_NAME, DEFAULT_POOL_SLOTS

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10
# A worker admits at most POOL_SIZE + MAX_OVERFLOW units of work at once (expapi.admission),
# and keeps POOL_SIZE of them for reads. Its pool keeps every connection it made for them:
# with SQLAlchemy's default of keeping POOL_SIZE, a burst's extra connections are closed as
# they come back and opened again for the next request (a PostgreSQL connect with its
# settings, or SQLite's PRAGMAs and file checks, per request).
POOL_SIZE = 5
MAX_OVERFLOW = 10
KEPT_CONNECTIONS = POOL_SIZE + MAX_OVERFLOW


def make_engine(url: str, limits: DatabaseConfig | None = None) -> Engine:
    """An engine for ``[core] sql_alchemy_conn``, tuned per backend, its waits bounded by ``limits``."""
    limits = limits or DatabaseConfig()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"invalid value for [core] sql_alchemy_conn: {mask_url(url)!r}") from None
    backend = parsed.get_backend_name()
    # A connection the server dropped (a restart, an idle timeout) is replaced, not used.
    options: dict = {"pool_pre_ping": True, "pool_timeout": limits.pool_timeout, "pool_size": KEPT_CONNECTIONS, "max_overflow": 0}
    if backend == "sqlite":
        options = {"connect_args": {"check_same_thread": False, "timeout": limits.lock_timeout}}
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or each handler thread would see its own empty database.
            options["poolclass"] = StaticPool
        else:
            options.update(pool_timeout=limits.pool_timeout, pool_size=KEPT_CONNECTIONS, max_overflow=0)
    elif backend == "postgresql":
        # libpq waits forever for an unreachable host by default; a request should get its 503.
        # A lock or a statement waited for longer than the limits is cancelled by the server.
        options["connect_args"] = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"-c lock_timeout={_milliseconds(limits.lock_timeout)}"
            f" -c statement_timeout={_milliseconds(limits.statement_timeout)}",
        }
    elif backend in ("mysql", "mariadb"):
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "charset": "utf8mb4"}
        # PostgreSQL's default: a statement sees what others committed before it. Under
        # REPEATABLE READ a request that lost an insert race could not see the winner's row.
        options["isolation_level"] = "READ COMMITTED"
    for key in list(options.get("connect_args", {})):
        if key in parsed.query:  # the URL's own ?connect_timeout=... wins
            del options["connect_args"][key]
    try:
        # Statement parameters stay out of error messages: they hold clients' values, unbounded.
        engine = create_engine(parsed, hide_parameters=True, **options)
    except Exception as exc:  # unknown dialect, missing driver
        raise ConfigError(f"cannot use [core] sql_alchemy_conn {mask_url(parsed)}: {exc}") from None
    if backend == "sqlite":
        path = _sqlite_file(parsed)
        if path is not None:
            event.listen(engine, "do_connect", lambda *_args: create_in_wal_mode(path))
            watch_file_identity(engine, path)
        event.listen(engine, "connect", lambda connection, _record: _tune_sqlite(connection, limits))
    elif backend in ("mysql", "mariadb"):
        event.listen(engine, "connect", lambda connection, _record: _bound_mysql_waits(connection, limits))
    return engine


def _milliseconds(seconds: float) -> int:
    """A limit in whole milliseconds (0 stays 0: no limit)."""
    return 0 if seconds <= 0 else max(1, round(seconds * 1000))


def _bound_mysql_waits(dbapi_connection, limits: DatabaseConfig) -> None:
    # innodb_lock_wait_timeout counts whole seconds from 1; the statement limit is
    # MariaDB's max_statement_time (seconds) or MySQL's max_execution_time (ms, SELECTs only).
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SET SESSION innodb_lock_wait_timeout = {max(1, math.ceil(limits.lock_timeout))}")
        if "mariadb" in dbapi_connection.get_server_info().lower():
            cursor.execute(f"SET SESSION max_statement_time = {float(limits.statement_timeout)}")
        else:
            cursor.execute(f"SET SESSION max_execution_time = {_milliseconds(limits.statement_timeout)}")
    finally:
        cursor.close()


def _sqlite_file(parsed: URL) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory database or a ``file:`` URI."""
    if parsed.database in (None, "", ":memory:") or parsed.query.get("uri") or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


class DatabaseFileReplaced(Exception):
    """The SQLite file a connection wrote to is no longer the file at its path (deleted, moved or replaced)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"the database file {str(path)!r} was deleted or replaced while in use")
        self.path = path


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _writable(path: Path) -> bool:
    # Never open (and so close) the file here: closing any descriptor of a file drops every
    # POSIX lock this process holds on it, SQLite's included, and another process's writer
    # then corrupts the database ("database disk image is malformed" under load). access()
    # opens nothing; Linux answers it with the immutable flag and read-only mounts too.
    return os.access(path, os.W_OK)


def watch_file_identity(engine: Engine, path: Path) -> None:
    """Never use, nor commit to, a SQLite file that is no longer the one at ``path``.

    An open connection keeps writing to a file that was deleted or replaced, and those
    writes vanish at the next start. Each connection remembers which file it opened; one
    whose file is gone is replaced when taken from the pool (SQLAlchemy retries with a new
    connection), and a commit on it fails, so a client is not told a lost write succeeded.
    A connection SQLite could only open read-only (the file was immutable, say) is replaced
    the same way once the file is writable again.
    """

    def remember(_dbapi_connection, record) -> None:
        record.info["file_identity"] = _file_identity(path)
        record.info["opened_read_only"] = not _writable(path)

    def replace_if_stale(_dbapi_connection, record, _proxy) -> None:
        if record.info.get("file_identity") != _file_identity(path):
            raise DisconnectionError(str(DatabaseFileReplaced(path)))
        if record.info.get("opened_read_only") and _writable(path):
            # SQLite opened it read-only and keeps it so: a fresh one can write again.
            raise DisconnectionError(f"the database file {str(path)!r} is writable again")

    def refuse_stale_commit(connection) -> None:
        if connection.info.get("file_identity") != _file_identity(path):
            connection.invalidate()
            raise DatabaseFileReplaced(path)

    event.listen(engine, "connect", remember)
    event.listen(engine, "checkout", replace_if_stale)
    event.listen(engine, "commit", refuse_stale_commit)


def create_in_wal_mode(path: Path) -> None:
    """Create a missing SQLite database file already in WAL mode, so it never exists in another.

    Switching a file to WAL needs a write lock taken after a read lock, and SQLite answers
    "database is locked" at once, without waiting out the busy timeout, to a connection that
    tries it while another holds the write lock. Every connection asks for WAL, so processes
    opening a new file together (``dags sync`` x 4, ``db init`` x 2) would have one fail now
    and then. A file made elsewhere and moved into place whole cannot be caught half-way;
    on a WAL file, asking for WAL again needs no write lock at all.
    """
    if path.exists() or not path.parent.is_dir():
        return  # a missing folder is reported by the connection itself, as before
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    try:
        connection = sqlite3.connect(staging)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()
        try:
            os.link(staging, path)  # never replaces: a file another process put there first is kept
        except FileExistsError:
            pass
    except OSError:
        pass  # a folder that refuses links (or writes): SQLite creates the file itself, as before
    finally:
        staging.unlink(missing_ok=True)


def wait_until_reachable(engine: Engine, retries: int, delay: float) -> None:
    """Connect once, retrying a server that is not up yet; raises the last error after ``retries``."""
    attempts = 1 if engine.dialect.name == "sqlite" else retries + 1  # a file does not come up later
    for attempt in range(1, attempts + 1):
        try:
            with engine.connect():
                return
        except (OperationalError, InterfaceError) as exc:
            if attempt == attempts:
                raise DatabaseUnreachable(engine.url, attempts, exc) from None
            log.warning("the metadata database is unreachable (attempt %d of %d); retrying in %.1f s", attempt, attempts, delay)
            time.sleep(delay)


class DatabaseUnreachable(Exception):
    """No connection could be made to the metadata database."""

    def __init__(self, url: URL, attempts: int, error: DBAPIError) -> None:
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        super().__init__(f"cannot connect to the metadata database {mask_url(url)} ({tries}): {driver_message(error)}")


def driver_message(exc: Exception) -> str:
    """The first line of what the database driver said (e.g. "connection refused"), for one-line reports."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    # Cut: a driver may repeat a client's value (a 1 MB run_id) in its message.
    return clip(lines[0]) if lines else orig.__class__.__name__


def _tune_sqlite(dbapi_connection, limits: DatabaseConfig) -> None:
    # WAL lets readers work beside a writer; the busy timeout makes writers wait, not fail,
    # up to [database] lock_timeout.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={_milliseconds(limits.lock_timeout)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """An engine and its session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, limits: DatabaseConfig | None = None) -> Database:
        return cls(make_engine(url, limits))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def create_schema(self) -> None:
        """Upgrade the schema to head and add default_pool (what ``expapi db init`` does)."""
        db_migrations.upgrade(self.engine)
        self.ensure_default_pool()

    def ensure_default_pool(self) -> None:
        """Add default_pool unless it exists; a concurrent ``db init`` may add it first."""
        try:
            with self.transaction() as session:
                if session.scalar(select(Pool.id).where(Pool.pool == DEFAULT_POOL_NAME)) is None:
                    session.add(Pool(pool=DEFAULT_POOL_NAME, slots=DEFAULT_POOL_SLOTS, description=DEFAULT_POOL_DESCRIPTION))
                    session.flush()
                    log.info("created %s with %d slots", DEFAULT_POOL_NAME, DEFAULT_POOL_SLOTS)
        except IntegrityError:
            pass  # another process created it between our check and our insert

    def dispose(self) -> None:
        self.engine.dispose()


def upsert(session: Session, model: type, values: dict, *, key: str, update: tuple[str, ...] = ()) -> None:
    """INSERT ``values``; if a row with the same unique ``key`` exists, set its ``update`` columns instead.

    One statement on every backend: a concurrent insert of the same key is waited for and
    never surfaces as an error. (On MySQL, recovering from a duplicate-key error would keep
    the shared lock it took, and two such requests then deadlock upgrading it.) Sequences
    may skip a number when the row existed, so callers look for the row first.
    """
    table = model.__table__
    dialect = session.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        statement = mysql_insert(table).values(values)
        statement = statement.on_duplicate_key_update({c: statement.inserted[c] for c in update or (key,)})
    else:
        statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table).values(values)
        if update:
            statement = statement.on_conflict_do_update(index_elements=[key], set_={c: statement.excluded[c] for c in update})
        else:
            statement = statement.on_conflict_do_nothing(index_elements=[key])
    session.execute(statement)
