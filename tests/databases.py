"""The databases the suite runs on: SQLite always, PostgreSQL and MariaDB/MySQL when named.

``EXPAPI_TEST_POSTGRES_URL`` and ``EXPAPI_TEST_MYSQL_URL`` name a server and an existing
database to connect to for administration (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``,
``mysql+pymysql://root@127.0.0.1:3306/mysql``); the tests create and drop their own
databases there. Without a URL that backend's tests are skipped, or fail under CI=true.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from expapi.models import Base

BACKENDS = ("sqlite", "postgres", "mysql")
SERVER_BACKENDS = ("postgres", "mysql")
URL_VARIABLES = {"postgres": "EXPAPI_TEST_POSTGRES_URL", "mysql": "EXPAPI_TEST_MYSQL_URL"}
# Read once at import: some fixtures clear every EXPAPI* variable while a test runs.
SERVER_URLS = {backend: os.environ.get(variable) for backend, variable in URL_VARIABLES.items()}
IN_CI = os.environ.get("CI", "").lower() == "true"


def server_url(backend: str) -> str:
    """The administration URL of ``backend``'s server; skips (fails under CI) if not given."""
    url = SERVER_URLS[backend]
    if not url:
        message = f"{backend}: set {URL_VARIABLES[backend]} to run these tests on it"
        if IN_CI:
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    return url


def _admin_engine(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def scratch_database(admin_url: str, prefix: str = "expapi_test") -> Iterator[str]:
    """A new, uniquely named, empty database on the server of ``admin_url``; dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _admin_engine(admin_url)
    mysql = admin.dialect.name in ("mysql", "mariadb")
    with admin.connect() as connection:
        if mysql:
            connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
        else:
            connection.execute(text(f"CREATE DATABASE {name} ENCODING 'UTF8'"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE: a server process a test could not stop cleanly must not keep it alive.
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}" + ("" if mysql else " WITH (FORCE)")))
        admin.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row and restart the ids, so a test sees what a fresh database shows."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        for table in Base.metadata.sorted_tables:
            if "id" not in table.c or engine.dialect.name == "sqlite":  # SQLite reuses rowids
                continue
            if engine.dialect.name == "postgresql":
                connection.execute(text(f"ALTER SEQUENCE {table.name}_id_seq RESTART"))
            else:
                connection.execute(text(f"ALTER TABLE {table.name} AUTO_INCREMENT = 1"))


Snapshot = dict[str, list[dict]]


def snapshot_tables(engine: Engine) -> Snapshot:
    """Every row of every table, to put back with ``restore_tables``; ids must run 1, 2, 3… (a fresh database)."""
    snapshot: Snapshot = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
            rows = [dict(row._mapping) for row in connection.execute(table.select().order_by(*order))]
            if "id" in table.c:
                assert [row["id"] for row in rows] == list(range(1, len(rows) + 1)), table.name
                rows = [{key: value for key, value in row.items() if key != "id"} for row in rows]
            snapshot[table.name] = rows
    return snapshot


def restore_tables(engine: Engine, snapshot: Snapshot) -> None:
    """Empty every table and put the snapshot's rows back, their ids given again from 1, as they were."""
    empty_tables(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if snapshot[table.name]:
                connection.execute(table.insert(), snapshot[table.name])
