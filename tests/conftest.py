"""Fixtures: a configured home, a database with the example DAGs, and a client of the app.

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

API = "/api/experimental"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty EXPAPI_HOME with a dags folder."""
    (tmp_path / "dags").mkdir()
    return tmp_path


@pytest.fixture
def settings() -> dict[str, str]:
    """EXPAPI__* overrides for the test's configuration; tests may add to it."""
    return {}


@pytest.fixture
def config(home: Path, settings: dict[str, str]) -> Config:
    return load_config(home, environ=settings)


@pytest.fixture
def database(config: Config) -> Iterator[Database]:
    """The test's database: schema, default_pool and the example DAGs loaded."""
    db = Database.from_url(config.core.sql_alchemy_conn)
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
