"""Values JSON forbids or a database cannot hold: one 400 naming the field, on every backend.

They were stored by SQLite, refused by PostgreSQL and answered 503 by MariaDB; now none
of them reaches a database, and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from handler_support import JSON, answer
from http_helpers import API

DAG = "example_bash_operator"
RUNS = f"{API}/dags/{DAG}/dag_runs"
POOLS = f"{API}/pools"
WHEN = "2030-01-02T03:04:05+00:00"


def nested(depth: int) -> Any:
    """A JSON value ``depth`` levels deep, counted as MariaDB's JSON_DEPTH does (the innermost 1 is a level)."""
    value: Any = 1
    for _ in range(depth - 1):
        value = [value]
    return value


def post(client: TestClient, url: str, body: dict[str, Any]):
    # json.dumps writes NaN, Infinity and lone surrogates (escaped); the server's parser reads them back.
    return client.post(url, content=json.dumps(body), headers={"Content-Type": "application/json"})


def runs(client: TestClient) -> list[str]:
    return [run["run_id"] for run in client.get(RUNS).json()]


class TestTriggerDagRun:
    @pytest.mark.parametrize(
        ("conf", "message"),
        [
            ({"x": float("nan")}, "'conf/x' is nan, which JSON does not allow; send a finite number"),
            ({"x": [float("inf")]}, "'conf/x/0' is inf, which JSON does not allow; send a finite number"),
            ({"x": -float("inf")}, "'conf/x' is -inf, which JSON does not allow; send a finite number"),
            ({"x": "s\ud800"}, "'conf/x' contains a lone surrogate, which is not valid Unicode"),
            ({"s\udc00": 1}, "'conf/s\\udc00' contains a lone surrogate, which is not valid Unicode"),
            ({"x": "a\x00b"}, "'conf/x' contains a NUL character (\\u0000), which cannot be stored"),
            ({"x": nested(900)}, "'conf' is nested 901 levels deep; at most 31 are accepted"),
            ({"x": nested(31)}, "'conf' is nested 32 levels deep; at most 31 are accepted"),
        ],
    )
    def test_a_conf_no_database_can_hold_is_refused_naming_the_field(self, client: TestClient, conf: Any, message: str) -> None:
        response = post(client, RUNS, {"run_id": "refused", "execution_date": WHEN, "conf": conf})
        assert answer(response) == (400, JSON, {"error": message})
        assert "refused" not in runs(client)

    def test_the_deepest_conf_every_database_holds_is_stored(self, client: TestClient) -> None:
        conf = {"x": nested(30)}
        assert post(client, RUNS, {"run_id": "deep", "execution_date": WHEN, "conf": conf}).status_code == 200
        assert runs(client) == ["deep"]

    @pytest.mark.parametrize(
        ("run_id", "message"),
        [
            ("s\ud800", "'run_id' contains a lone surrogate, which is not valid Unicode"),
            ("a\x00b", "'run_id' contains a NUL character (\\u0000), which cannot be stored"),
        ],
    )
    def test_a_run_id_no_database_can_hold_is_refused(self, client: TestClient, run_id: str, message: str) -> None:
        assert answer(post(client, RUNS, {"run_id": run_id, "execution_date": WHEN})) == (400, JSON, {"error": message})
        assert runs(client) == []


class TestCreatePool:
    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"name": "s\ud800", "slots": 1, "description": ""}, "'name' contains a lone surrogate, which is not valid Unicode"),
            ({"name": "p", "slots": 1, "description": "s\ud800"}, "'description' contains a lone surrogate, which is not valid Unicode"),
            ({"name": "a\x00b", "slots": 1, "description": ""}, "'name' contains a NUL character (\\u0000), which cannot be stored"),
            ({"name": "p", "slots": 1, "description": "a\x00"}, "'description' contains a NUL character (\\u0000), which cannot be stored"),
            ({"name": "p", "slots": float("nan"), "description": ""}, "'slots' is nan, which JSON does not allow; send a finite number"),
        ],
    )
    def test_a_value_no_database_can_hold_is_refused_naming_the_field(self, client: TestClient, body: dict, message: str) -> None:
        assert answer(post(client, POOLS, body)) == (400, JSON, {"error": message})
        assert [pool["pool"] for pool in client.get(POOLS).json()] == ["default_pool"]

    def test_a_nul_in_a_path_is_refused_before_the_database(self, client: TestClient) -> None:
        expected = {"error": "'pool_name' contains a NUL character (\\u0000), which cannot be stored"}
        assert answer(client.get(f"{POOLS}/a%00b")) == (400, JSON, expected)
