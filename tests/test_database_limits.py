"""[database] limits reach every backend, and what they end in is a store outcome, never a raw error.

Real faults on the real servers: a row lock held by another connection, a statement that
runs too long, every pooled connection taken; and values a database refuses (a backstop
behind the service's own checks) come out as the request's fault, not an outage.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from expapi.config import DatabaseConfig
from expapi.db import Database
from expapi.models import DagRun, Pool
from expapi.store.outcomes import StoreUnavailable, ValueNotStorable
from expapi.store.sql import SqlStorage

LIMITS = DatabaseConfig(pool_timeout=0.5, lock_timeout=1.0, statement_timeout=1.0)
SLOW_STATEMENT = {"postgres": "SELECT pg_sleep(5)", "mysql": "SELECT SLEEP(5)"}


@pytest.fixture
def storage(backend: str, server_database: str | None, home: Path):
    url = server_database or f"sqlite:///{home / 'limits.db'}"
    database = Database.from_url(url)
    database.create_schema()
    with database.transaction() as session:
        session.query(Pool).filter(Pool.pool == "held").delete()
        session.add(Pool(pool="held", slots=1, description="", include_deferred=False))
    database.dispose()
    limited = SqlStorage.from_url(url, LIMITS)
    yield limited, url
    limited.close()
    cleanup = Database.from_url(url)
    with cleanup.transaction() as session:
        session.query(DagRun).delete()
        session.query(Pool).filter(Pool.pool == "held").delete()
    cleanup.dispose()


def test_a_held_lock_ends_in_store_unavailable_within_the_lock_timeout(storage, backend: str) -> None:
    limited, url = storage
    holder = create_engine(url, poolclass=NullPool)
    with holder.connect() as connection:
        if backend == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.execute(text("SELECT * FROM slot_pool WHERE pool = 'held' FOR UPDATE")).all()
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            with limited.unit_of_work() as store:
                store.upsert_pool("held", 2, "blocked")
        waited = time.monotonic() - started
        connection.rollback()
    holder.dispose()
    assert LIMITS.lock_timeout * 0.9 <= waited < LIMITS.lock_timeout + 3, waited
    with limited.unit_of_work() as store:  # the lock gone, the same storage writes
        assert store.upsert_pool("held", 3, "free").slots == 3


@pytest.mark.parametrize("backend", ["postgres", "mysql"], indirect=True)
def test_a_statement_past_the_statement_timeout_ends_in_store_unavailable(storage, backend: str) -> None:
    limited, _url = storage
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        with limited.session() as session:
            session.execute(text(SLOW_STATEMENT[backend])).all()
    assert time.monotonic() - started < LIMITS.statement_timeout + 3


def test_a_full_pool_ends_in_store_unavailable_within_the_pool_timeout(storage) -> None:
    limited, _url = storage
    engine = limited.database.engine
    with ExitStack() as held:
        # Every connection the pool may open (15, all kept), checked out and held.
        for _ in range(engine.pool.size() + engine.pool._max_overflow):
            held.enter_context(engine.connect())
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            with limited.unit_of_work() as store:
                store.list_pools()
        assert time.monotonic() - started < LIMITS.pool_timeout + 3
    assert caught.value.error == "TimeoutError"


@pytest.mark.parametrize("backend", ["mysql"], indirect=True)
def test_a_check_constraint_is_the_requests_fault_not_an_outage(storage) -> None:
    # MariaDB's JSON columns are CHECK (json_valid(...)), which refuses 32 levels; its driver
    # reports the failure as an OperationalError, once answered 503.
    limited, _url = storage
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValueNotStorable):
        with limited.session() as session:
            session.add(DagRun(dag_id="d", run_id="r", execution_date=datetime(2030, 1, 1, tzinfo=timezone.utc), conf={"x": deep}))
