"""Fixtures for the handler tests: one app per module and flavour, tables reset per test, a frozen clock, runs.

Every test runs in both flavours (``flavour``, module-scoped, so each module builds one app
per flavour) and asserts that flavour's exact answer; ``client`` also checks, on every
response, the headers only the 2 flavour sends. A test of a behaviour one flavour alone has
is marked ``@pytest.mark.flavours("2", reason=...)`` and runs in that flavour only.

Building an app and syncing the DAGs costs more than most tests here, so, as Airflow's
API tests do, each module builds its app once (``served``) and every test starts from the
tables as they were right after that first sync. A module (or class) that needs another
home overrides ``served_home``; a class that needs other settings overrides ``served`` with
``serving`` (at class scope).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

import expapi.dates
import expapi.service.dag_runs
from expapi.config import Config
from expapi.db import Database
from expapi.flavours import FLAVOURS, Flavour
from expapi.models import DagRun, TaskInstance
from databases import restore_tables
from handler_support import NOW, check_flavour_headers
from http_helpers import API
from served_app import Served, serving


@pytest.fixture(scope="module")
def served_home(tmp_path_factory: pytest.TempPathFactory, flavour_name: str) -> Path:
    """The module's EXPAPI_HOME for one flavour (SQLite's file lives there), with an empty dags folder."""
    home = tmp_path_factory.mktemp(f"home-{flavour_name}")
    (home / "dags").mkdir()
    return home


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "flavours(*names, reason): the test's behaviour exists in these flavours only")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect a test marked ``flavours(...)`` in the other flavours (its reason says why)."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("flavours")
        name = item.callspec.params.get("flavour_name") if hasattr(item, "callspec") else None
        if marker is not None:
            assert marker.kwargs.get("reason"), f"{item.nodeid}: a flavours mark needs a reason"
        (dropped if marker is not None and name is not None and name not in marker.args else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def flavour_name(request: pytest.FixtureRequest) -> str:
    """The ``[api] compat`` of the module's app: every handler test runs in each flavour."""
    return request.param


@pytest.fixture(scope="module")
def flavour(flavour_name: str) -> Flavour:
    return FLAVOURS[flavour_name]


@pytest.fixture(scope="module")
def served_settings(server_database: str | None, flavour_name: str) -> dict[str, str]:
    """EXPAPI__* settings of the module's app."""
    settings = {"EXPAPI__API__COMPAT": flavour_name}
    if server_database is not None:
        settings["EXPAPI__CORE__SQL_ALCHEMY_CONN"] = server_database
    return settings


@pytest.fixture(scope="module")
def served(served_home: Path, served_settings: dict[str, str]) -> Iterator[Served]:
    """The module's app, built once."""
    with serving(served_home, served_settings) as module_app:
        yield module_app


@pytest.fixture
def config(served: Served) -> Config:
    return served.config


@pytest.fixture
def database(served: Served) -> Database:
    """The module's database, its tables as the first sync left them."""
    restore_tables(served.database.engine, served.tables)
    return served.database


@pytest.fixture
def client(served: Served, database: Database, flavour_name: str) -> TestClient:
    """A client of the module's app; every response it gets must carry exactly its flavour's extra headers."""
    served.client.event_hooks["response"] = [lambda response: check_flavour_headers(flavour_name, response)]
    return served.client


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Freeze "now" for triggers (default dates, run start dates) and days_ago().

    days_ago() reads expapi.dates.utcnow; the trigger service imported utcnow by name.
    Fixed dates in 2030 then stay valid against example_bash_operator's days_ago(2).
    """
    monkeypatch.setattr(expapi.dates, "utcnow", lambda: NOW)
    monkeypatch.setattr(expapi.service.dag_runs, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def trigger(client: TestClient) -> Callable[..., dict[str, Any]]:
    """POST a trigger that must succeed; returns its JSON body."""

    def trigger(dag_id: str = "example_bash_operator", **body: Any) -> dict[str, Any]:
        response = client.post(f"{API}/dags/{dag_id}/dag_runs", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    return trigger


@pytest.fixture
def add_run(database: Database) -> Callable[..., int]:
    """Insert a DagRun row directly (no task instances); returns its id."""

    def add_run(
        execution_date: datetime,
        *,
        dag_id: str = "example_bash_operator",
        run_id: str | None = None,
        state: str | None = "running",
        start_date: datetime | None = None,
    ) -> int:
        with database.transaction() as session:
            run = DagRun(
                dag_id=dag_id,
                run_id=run_id or f"manual__{execution_date.isoformat()}",
                execution_date=execution_date,
                start_date=start_date,
                state=state,
                external_trigger=True,
            )
            session.add(run)
            session.flush()
            return run.id

    return add_run


@pytest.fixture
def stored_runs(database: Database) -> Callable[..., list[DagRun]]:
    """The DagRun rows of a DAG, by id."""

    def stored_runs(dag_id: str = "example_bash_operator") -> list[DagRun]:
        with database.transaction() as session:
            return list(session.scalars(select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.id)))

    return stored_runs


@pytest.fixture
def stored_task_instances(database: Database) -> Callable[..., list[TaskInstance]]:
    """The TaskInstance rows of a DAG, by task id."""

    def stored_task_instances(dag_id: str = "example_bash_operator") -> list[TaskInstance]:
        with database.transaction() as session:
            query = select(TaskInstance).where(TaskInstance.dag_id == dag_id).order_by(TaskInstance.task_id)
            return list(session.scalars(query))

    return stored_task_instances
