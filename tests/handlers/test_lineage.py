"""GET /lineage/{dag_id}/{execution_date}: the inlets and outlets a run's tasks declare, in both flavours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from expapi.config import Config
from expapi.dags.sync import sync_dags
from expapi.db import Database
from handler_support import JSON, NOT_FOUND_URL, UTC, answer, bad_date, by_flavour
from http_helpers import API, path_date

RUN_DATE = "2030-01-02T03:04:05+00:00"
LINEAGE_DAG = """\
dag_id: lineage_demo
start_date: 2020-01-01
tasks:
  - task_id: extract
    operator: BashOperator
    bash_command: echo extract
    outlets: [s3://warehouse/raw/orders.csv]
    downstream: [load]
  - task_id: load
    operator: BashOperator
    bash_command: echo load
    inlets: [s3://warehouse/raw/orders.csv]
    outlets:
      - {table: analytics.orders, database: dwh}
    downstream: [notify]
  - task_id: notify
    operator: DummyOperator
  - task_id: audit
    operator: DummyOperator
    inlets: {dataset: orders, version: 3}
"""
LINEAGE = {
    "task_ids": {
        "audit": {"inlets": {"dataset": "orders", "version": 3}},
        "extract": {"outlets": ["s3://warehouse/raw/orders.csv"]},
        "load": {
            "inlets": ["s3://warehouse/raw/orders.csv"],
            "outlets": [{"database": "dwh", "table": "analytics.orders"}],
        },
    }
}


@pytest.fixture(scope="module")
def served_home(served_home: Path) -> Path:
    """The module's home, with a DAG that declares lineage, written before the DAGs are synced."""
    (served_home / "dags" / "lineage_demo.yaml").write_text(LINEAGE_DAG, encoding="utf-8")
    return served_home


def lineage_url(dag_id: str, execution_date: str) -> str:
    return f"{API}/lineage/{dag_id}/{execution_date}"


class TestGetLineage:
    def test_a_dag_without_lineage_has_no_tasks(self, client: TestClient, add_run: Callable[..., int]) -> None:
        add_run(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
        assert answer(client.get(lineage_url("example_bash_operator", path_date(RUN_DATE)))) == (
            200, JSON, {"task_ids": {}},
        )

    def test_returns_what_each_task_declares(self, client: TestClient, trigger: Callable[..., dict[str, Any]]) -> None:
        trigger("lineage_demo", execution_date=RUN_DATE)
        assert answer(client.get(lineage_url("lineage_demo", path_date(RUN_DATE)))) == (200, JSON, LINEAGE)

    def test_writes_json_as_the_lines_flask_did(
        self, client: TestClient, trigger: Callable[..., dict[str, Any]], flavour_name: str
    ) -> None:
        trigger("lineage_demo", execution_date=RUN_DATE)
        assert client.get(lineage_url("lineage_demo", path_date(RUN_DATE))).text == by_flavour(
            flavour_name,
            v1_10=(
                '{"task_ids":{"audit":{"inlets":{"dataset":"orders","version":3}},'
                '"extract":{"outlets":["s3://warehouse/raw/orders.csv"]},'
                '"load":{"inlets":["s3://warehouse/raw/orders.csv"],'
                '"outlets":[{"database":"dwh","table":"analytics.orders"}]}}}\n'
            ),
            v2=(
                '{"task_ids": {"audit": {"inlets": {"dataset": "orders", "version": 3}}, '
                '"extract": {"outlets": ["s3://warehouse/raw/orders.csv"]}, '
                '"load": {"inlets": ["s3://warehouse/raw/orders.csv"], '
                '"outlets": [{"database": "dwh", "table": "analytics.orders"}]}}}'
            ),
        )

    def test_any_form_of_the_instant_finds_the_run(self, client: TestClient, add_run: Callable[..., int]) -> None:
        add_run(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), dag_id="lineage_demo")
        assert answer(client.get(lineage_url("lineage_demo", "2030-01-02T05:04:05%2B02:00"))) == (200, JSON, LINEAGE)

    def test_a_resync_shows_the_new_declarations(
        self,
        client: TestClient,
        config: Config,
        database: Database,
        add_run: Callable[..., int],
    ) -> None:
        add_run(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), dag_id="lineage_demo")
        changed = LINEAGE_DAG.replace("outlets: [s3://warehouse/raw/orders.csv]", "outlets: [s3://b/x]")
        (config.core.dags_folder / "lineage_demo.yaml").write_text(changed, encoding="utf-8")
        sync_dags(database, config)
        body = client.get(lineage_url("lineage_demo", path_date(RUN_DATE))).json()
        assert body["task_ids"]["extract"] == {"outlets": ["s3://b/x"]}

    def test_a_date_without_a_run_is_404(self, client: TestClient, add_run: Callable[..., int], flavour_name: str) -> None:
        add_run(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), dag_id="lineage_demo")
        # 1.10 printed the date as the client sent it (pendulum 1); 2.11 with a space (pendulum 3).
        date = by_flavour(flavour_name, v1_10="2030-01-02T03:04:06+00:00", v2="2030-01-02 03:04:06+00:00")
        assert answer(client.get(lineage_url("lineage_demo", path_date("2030-01-02T03:04:06+00:00")))) == (
            404, JSON, {"error": f"Dag Run for date {date} not found in dag lineage_demo"},
        )

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.get(lineage_url("nope", path_date(RUN_DATE)))) == (
            404, JSON, {"error": "Dag id nope not found in DagModel"},
        )

    @pytest.mark.parametrize("dag_id", ["lineage_demo", "nope"])
    def test_an_unreadable_date_is_400(self, client: TestClient, dag_id: str) -> None:
        assert answer(client.get(lineage_url(dag_id, "not_a_datetime"))) == (
            400, JSON, {"error": bad_date("not_a_datetime")},
        )

    def test_a_trailing_slash_matches_no_route(self, client: TestClient, add_run: Callable[..., int]) -> None:
        # Airflow's 2.x documentation shows one; the route never had it.
        add_run(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), dag_id="lineage_demo")
        response = client.get(lineage_url("lineage_demo", path_date(RUN_DATE)) + "/", follow_redirects=False)
        assert answer(response) == (404, JSON, {"error": NOT_FOUND_URL})
