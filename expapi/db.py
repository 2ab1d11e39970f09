"""The database: engine, sessions and the one transaction each request runs in."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from expapi.config import ConfigError
from expapi.models import Base, Pool
from expapi.models.pool import DEFAULT_POOL_DESCRIPTION, DEFAULT_POOL_NAME, DEFAULT_POOL_SLOTS

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """An engine for ``[core] sql_alchemy_conn``, tuned per backend."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"invalid value for [core] sql_alchemy_conn: {url!r}") from None
    options: dict = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        options = {"connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or each handler thread would see its own empty database.
            options["poolclass"] = StaticPool
    try:
        engine = create_engine(parsed, **options)
    except Exception as exc:  # unknown dialect, missing driver
        raise ConfigError(f"cannot use [core] sql_alchemy_conn {parsed.render_as_string()}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers work beside a writer; the busy timeout makes writers wait, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """An engine and its session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def create_schema(self) -> None:
        """Create missing tables and the default pool (what ``expapi db init`` does)."""
        Base.metadata.create_all(self.engine)
        with self.transaction() as session:
            if session.scalar(select(Pool.id).where(Pool.pool == DEFAULT_POOL_NAME)) is None:
                session.add(Pool(pool=DEFAULT_POOL_NAME, slots=DEFAULT_POOL_SLOTS, description=DEFAULT_POOL_DESCRIPTION))
                log.info("created %s with %d slots", DEFAULT_POOL_NAME, DEFAULT_POOL_SLOTS)

    def dispose(self) -> None:
        self.engine.dispose()
