"""An app built once for many handler tests, with the tables as its first DAG sync left them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.testclient import TestClient

from expapi.app import create_app
from expapi.config import Config, load_config
from expapi.dags.sync import sync_dags
from expapi.db import Database
from databases import Snapshot, empty_tables, snapshot_tables


@dataclass
class Served:
    """A module's app, its client, its database and the tables as the first sync left them."""

    config: Config
    database: Database
    client: TestClient
    tables: Snapshot


@contextmanager
def serving(home: Path, settings: dict[str, str]) -> Iterator[Served]:
    """An app for ``home`` and ``settings`` (responses validated against the spec) over the example DAGs."""
    config = load_config(home, environ=settings)
    database = Database.from_url(config.core.sql_alchemy_conn)
    if database.engine.dialect.name != "sqlite":
        empty_tables(database.engine)  # the session's database, as another module left it
    database.create_schema()
    sync_dags(database, config)
    tables = snapshot_tables(database.engine)
    app = create_app(config, validate_responses=True)
    try:
        with TestClient(app, base_url="http://localhost") as client:
            yield Served(config=config, database=database, client=client, tables=tables)
    finally:
        database.dispose()
