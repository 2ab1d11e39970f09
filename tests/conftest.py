"""Fixtures: a configured home, a database with the example DAGs, and a client of the app.

Every test that uses ``config``, ``database`` or ``client`` runs once per backend in
``databases.BACKENDS``: SQLite in the test's home, and PostgreSQL and MariaDB/MySQL in one
database per session (emptied before each test) when ``EXPAPI_TEST_*_URL`` name a server.

Test modules import their helpers by bare name (``from http_helpers import API``):
pytest puts each test folder on sys.path, while the checkout itself stays off it so
that the installed expapi (a wheel, under tox) is the one tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from expapi.app import create_app
from expapi.config import Config, load_config
from expapi.dags.sync import sync_dags
from expapi.db import Database
import live_server
from databases import BACKENDS, IN_CI, SERVER_URLS, URL_VARIABLES, empty_tables, scratch_database, server_url

API = "/api/experimental"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty EXPAPI_HOME with a dags folder."""
    (tmp_path / "dags").mkdir()
    return tmp_path


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"database {backend}: " + (f"on ({URL_VARIABLES[backend]} is set)" if SERVER_URLS[backend] else f"off (set {URL_VARIABLES[backend]})")
        for backend in URL_VARIABLES
    ]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Let LiveServer know whether this test is marked live, before its fixtures (module-scoped ones too) start."""
    live_server.running_live_test = item.get_closest_marker("live") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests of a backend whose URL is not given, as a marker so the summary folds them per file.

    Under CI=true they stay, and their fixture fails: CI must not pass with a backend missing.
    """
    for item in items:
        params = item.callspec.params.values() if hasattr(item, "callspec") else ()
        backend = next((value for value in params if isinstance(value, str) and value in URL_VARIABLES), None)
        if backend in URL_VARIABLES and not SERVER_URLS[backend] and not IN_CI:
            item.add_marker(pytest.mark.skip(reason=f"{backend}: set {URL_VARIABLES[backend]} to run these tests on it"))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database product the test runs on."""
    return request.param


@pytest.fixture(scope="session")
def server_database(backend: str) -> Iterator[str | None]:
    """This session's database on ``backend``'s server, schema at head; None for SQLite."""
    if backend == "sqlite":
        yield None
        return
    with scratch_database(server_url(backend)) as url:
        database = Database.from_url(url)
        database.create_schema()
        database.dispose()
        yield url


@pytest.fixture
def empty_database_url(backend: str, home: Path) -> Iterator[str]:
    """A database of its own for the test, with no schema at all; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{home / 'empty.db'}"
        return
    with scratch_database(server_url(backend), prefix="expapi_empty") as url:
        yield url


@pytest.fixture
def settings(server_database: str | None) -> dict[str, str]:
    """EXPAPI__* overrides for the test's configuration; tests may add to it."""
    return {} if server_database is None else {"EXPAPI__CORE__SQL_ALCHEMY_CONN": server_database}


@pytest.fixture
def config(home: Path, settings: dict[str, str]) -> Config:
    return load_config(home, environ=settings)


@pytest.fixture
def database(config: Config) -> Iterator[Database]:
    """The test's database: schema, default_pool and the example DAGs loaded."""
    db = Database.from_url(config.core.sql_alchemy_conn)
    if db.engine.dialect.name != "sqlite":
        empty_tables(db.engine)  # the session's database, as the previous test left it
    db.create_schema()
    sync_dags(db, config)
    yield db
    db.dispose()


@pytest.fixture
def client(config: Config, database: Database) -> Iterator[TestClient]:
    """A client of the app, with response validation on: every answer is checked against the spec."""
    app = create_app(config, validate_responses=True)
    with TestClient(app, base_url="http://localhost") as test_client:
        yield test_client
