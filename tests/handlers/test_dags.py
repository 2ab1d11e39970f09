"""DAGs: their source code, their paused flag (read and set), and deleting their records, in both flavours.

Each flavour loads its Airflow line's example DAGs: 2.11.2's example_bash_operator has a
seventh task (this_will_skip), and there is no example_branch_operator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from expapi.config import Config
from expapi.dags.sync import example_dags_folder, sync_dags
from expapi.db import Database
from expapi.models import DagCode, DagModel, DagRun, SerializedDag, TaskInstance
from handler_support import JSON, TEXT, answer, by_flavour
from http_helpers import API
from served_app import Served, serving

DAG = "example_bash_operator"
EXAMPLE_DAG_IDS = {
    "1.10": ["example_bash_operator", "example_branch_operator", "example_python_operator", "example_skip_dag", "latest_only", "tutorial"],
    "2": ["example_bash_operator", "example_python_operator", "example_skip_dag", "latest_only", "tutorial"],
}


def dag_ids(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(DagModel.dag_id).order_by(DagModel.dag_id)))


def row_counts(database: Database, dag_id: str) -> dict[str, int]:
    with database.transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model).where(model.dag_id == dag_id))
            for model in (DagModel, SerializedDag, DagCode, DagRun, TaskInstance)
        }


class TestGetDagCode:
    def test_returns_the_dag_file_as_plain_text(self, client: TestClient, flavour_name: str) -> None:
        source = (example_dags_folder(flavour_name) / "example_bash_operator.yaml").read_text(encoding="utf-8")
        response = client.get(f"{API}/dags/{DAG}/code")
        assert (response.status_code, response.headers["content-type"], response.text) == (200, TEXT, source)
        assert "BashOperator" in response.text
        first_line = by_flavour(
            flavour_name,
            v1_10="# Mirrors Airflow 1.10.15's example_bash_operator.py",
            v2="# Mirrors Airflow 2.11.2's example_bash_operator.py",
        )
        assert response.text.startswith(first_line)

    def test_returns_a_file_from_the_dags_folder(
        self, client: TestClient, config: Config, database: Database, tmp_path: Path
    ) -> None:
        source = "# my DAG, ünïcode kept\ndag_id: mine\ntasks:\n  - task_id: t\n    operator: DummyOperator\n"
        (tmp_path / "mine.yaml").write_text(source, encoding="utf-8")
        # A dags folder of the test's own: the module's stays as its other tests expect it.
        sync_dags(database, replace(config, core=replace(config.core, dags_folder=tmp_path)))
        response = client.get(f"{API}/dags/mine/code")
        assert (response.status_code, response.headers["content-type"], response.text) == (200, TEXT, source)

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/xyz/code")) == (404, JSON, {"error": "Dag id xyz not found in DagModel"})


class TestGetDagPaused:
    def test_new_dags_start_paused(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/{DAG}/paused")) == (200, JSON, {"is_paused": True})

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        text = client.get(f"{API}/dags/{DAG}/paused").text
        assert text == by_flavour(flavour_name, v1_10='{"is_paused":true}\n', v2='{"is_paused": true}')

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/nope/paused")) == (404, JSON, {"error": "Dag id nope not found in DagModel"})


class TestGetDagPausedWhenDagsStartUnpaused:
    @pytest.fixture(scope="class")
    @classmethod
    def served(cls, tmp_path_factory: pytest.TempPathFactory, served_settings: dict[str, str]) -> Iterator[Served]:
        home = tmp_path_factory.mktemp("unpaused")
        (home / "dags").mkdir()
        with serving(home, {**served_settings, "EXPAPI__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False"}) as unpaused:
            yield unpaused

    def test_new_dags_start_unpaused(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/{DAG}/paused")) == (200, JSON, {"is_paused": False})


class TestSetDagPaused:
    def test_airflows_pause_then_unpause_sequence(self, client: TestClient) -> None:
        # Airflow's test_dag_paused.
        assert answer(client.get(f"{API}/dags/{DAG}/paused/true")) == (200, JSON, {"response": "ok"})
        assert answer(client.get(f"{API}/dags/{DAG}/paused")) == (200, JSON, {"is_paused": True})
        assert answer(client.get(f"{API}/dags/{DAG}/paused/false")) == (200, JSON, {"response": "ok"})
        assert answer(client.get(f"{API}/dags/{DAG}/paused")) == (200, JSON, {"is_paused": False})

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        text = client.get(f"{API}/dags/{DAG}/paused/true").text
        assert text == by_flavour(flavour_name, v1_10='{"response":"ok"}\n', v2='{"response": "ok"}')

    @pytest.mark.parametrize("paused", ["false", "TRUE", "True", "yes", "1", "t", "on", "anything"])
    def test_only_exactly_true_pauses(self, client: TestClient, paused: str) -> None:
        client.get(f"{API}/dags/{DAG}/paused/true")
        assert answer(client.get(f"{API}/dags/{DAG}/paused/{paused}")) == (200, JSON, {"response": "ok"})
        assert client.get(f"{API}/dags/{DAG}/paused").json() == {"is_paused": False}

    def test_repeating_a_pause_is_harmless(self, client: TestClient) -> None:
        client.get(f"{API}/dags/{DAG}/paused/true")
        assert answer(client.get(f"{API}/dags/{DAG}/paused/true")) == (200, JSON, {"response": "ok"})
        assert client.get(f"{API}/dags/{DAG}/paused").json() == {"is_paused": True}

    def test_only_the_named_dag_changes(self, client: TestClient) -> None:
        client.get(f"{API}/dags/{DAG}/paused/false")
        assert client.get(f"{API}/dags/tutorial/paused").json() == {"is_paused": True}

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/dags/nope/paused/true")) == (404, JSON, {"error": "Dag id nope not found in DagModel"})


class TestDeleteDag:
    def test_removes_the_dag_its_definition_runs_and_task_instances(
        self, client: TestClient, database: Database, trigger: Callable[..., dict[str, Any]], flavour_name: str
    ) -> None:
        trigger(execution_date="2030-01-02T03:04:05+00:00")
        # 1 dag row + 1 serialized DAG + 1 run + 6 task instances (7 in 2.11.2's example).
        count = by_flavour(flavour_name, v1_10=9, v2=10)
        assert answer(client.delete(f"{API}/dags/{DAG}")) == (200, JSON, {"count": count, "message": f"Removed {count} record(s)"})
        assert row_counts(database, DAG) == {"dag": 0, "serialized_dag": 0, "dag_code": 0, "dag_run": 0, "task_instance": 0}

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        assert client.delete(f"{API}/dags/{DAG}").text == by_flavour(
            flavour_name,
            v1_10='{"count":2,"message":"Removed 2 record(s)"}\n',
            v2='{"count": 2, "message": "Removed 2 record(s)"}',
        )

    def test_a_dag_without_runs_has_two_records(self, client: TestClient) -> None:
        assert answer(client.delete(f"{API}/dags/tutorial")) == (200, JSON, {"count": 2, "message": "Removed 2 record(s)"})

    def test_a_bare_dag_row_is_one_record(self, client: TestClient, database: Database) -> None:
        # Airflow's test_delete_dag: a DagModel row with nothing else.
        with database.transaction() as session:
            session.add(DagModel(dag_id="my_dag_id", fileloc="/nowhere/my_dag_id.yaml"))
        assert answer(client.delete(f"{API}/dags/my_dag_id")) == (200, JSON, {"count": 1, "message": "Removed 1 record(s)"})
        assert answer(client.delete(f"{API}/dags/does_not_exist_dag")) == (
            404, JSON, {"error": "Dag id does_not_exist_dag not found"},
        )

    def test_the_dag_is_gone_from_every_endpoint(self, client: TestClient) -> None:
        client.delete(f"{API}/dags/{DAG}")
        gone = {"error": f"Dag id {DAG} not found in DagModel"}
        assert answer(client.get(f"{API}/dags/{DAG}/paused")) == (404, JSON, gone)
        assert answer(client.get(f"{API}/dags/{DAG}/code")) == (404, JSON, gone)
        assert answer(client.get(f"{API}/dags/{DAG}/tasks/runme_0")) == (404, JSON, gone)
        assert answer(client.get(f"{API}/dags/{DAG}/dag_runs")) == (400, JSON, gone)

    def test_other_dags_are_untouched(
        self, client: TestClient, database: Database, trigger: Callable[..., dict[str, Any]], flavour_name: str
    ) -> None:
        trigger(execution_date="2030-01-02T03:04:05+00:00")
        trigger("tutorial", execution_date="2030-01-02T03:04:05+00:00")
        before = row_counts(database, "tutorial")
        client.delete(f"{API}/dags/{DAG}")
        assert dag_ids(database) == [d for d in EXAMPLE_DAG_IDS[flavour_name] if d != DAG]
        assert row_counts(database, "tutorial") == before == {
            "dag": 1, "serialized_dag": 1, "dag_code": 1, "dag_run": 1, "task_instance": 3,
        }

    def test_a_sync_brings_the_dag_back_without_its_runs(
        self,
        client: TestClient,
        database: Database,
        config: Config,
        trigger: Callable[..., dict[str, Any]],
        flavour_name: str,
    ) -> None:
        trigger(execution_date="2030-01-02T03:04:05+00:00")
        client.get(f"{API}/dags/{DAG}/paused/false")
        client.delete(f"{API}/dags/{DAG}")
        sync_dags(database, config)
        assert dag_ids(database) == EXAMPLE_DAG_IDS[flavour_name]
        assert answer(client.get(f"{API}/dags/{DAG}/paused")) == (200, JSON, {"is_paused": True})
        assert answer(client.get(f"{API}/dags/{DAG}/dag_runs")) == (200, JSON, [])
        assert client.get(f"{API}/dags/{DAG}/code").status_code == 200

    def test_deleting_twice_is_404(self, client: TestClient) -> None:
        client.delete(f"{API}/dags/{DAG}")
        assert answer(client.delete(f"{API}/dags/{DAG}")) == (404, JSON, {"error": f"Dag id {DAG} not found"})

    def test_an_unknown_dag_is_404(self, client: TestClient) -> None:
        assert answer(client.delete(f"{API}/dags/nope")) == (404, JSON, {"error": "Dag id nope not found"})
