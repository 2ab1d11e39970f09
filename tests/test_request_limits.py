"""Bodies that cannot crash or bloat the server, on every backend (issue 8 item 8, issue 9 item 6)."""

from __future__ import annotations

import json

import pytest

from http_helpers import API

TRIGGER = f"{API}/dags/example_bash_operator/dag_runs"
LIMIT = 1024 * 1024


def chunks(body: bytes, size: int = 64 * 1024):
    """A body sent chunked (httpx uses Transfer-Encoding: chunked for an iterator)."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def pool_names(client) -> set[str]:
    return {pool["pool"] for pool in client.get(f"{API}/pools").json()}


class TestUnreadableBodies:
    def test_json_nested_100000_deep_is_a_400(self, client) -> None:
        response = client.post(f"{API}/pools", content=b"[" * 100_000 + b"]" * 100_000)
        assert response.status_code == 400
        assert response.json() == {"error": "The request body is nested too deeply to be read"}

    def test_deep_conf_inside_an_object_is_a_400(self, client) -> None:
        body = b'{"conf": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        response = client.post(TRIGGER, content=body)
        assert response.status_code == 400
        assert response.json() == {"error": "The request body is nested too deeply to be read"}
        assert client.get(TRIGGER).json() == []


class TestBodyLimit:
    def test_declared_length_over_the_limit_is_a_413_and_nothing_is_stored(self, client) -> None:
        body = json.dumps({"name": "big", "slots": 1, "description": "x" * LIMIT}).encode()
        response = client.post(f"{API}/pools", content=body)
        assert response.status_code == 413
        assert response.json() == {
            "error": f"The request body is larger than the limit of {LIMIT} bytes ([webserver] max_request_body)"
        }
        assert "big" not in pool_names(client)

    def test_chunked_body_over_the_limit_is_a_413(self, client) -> None:
        body = json.dumps({"conf": {"blob": "x" * (20 * LIMIT)}}).encode()
        response = client.post(TRIGGER, content=chunks(body))
        assert response.status_code == 413
        assert client.get(TRIGGER).json() == []

    def test_body_at_the_limit_is_read(self, client) -> None:
        head = b'{"name": "edge", "slots": 1, "description": "'
        body = head + b"d" * (LIMIT - len(head) - 2) + b'"}'
        assert len(body) == LIMIT
        response = client.post(f"{API}/pools", content=body)
        assert response.status_code in (200, 400)  # read and judged; a long description may be refused
        assert response.status_code != 413


class TestChunkedBodies:
    def test_chunked_pool_is_created(self, client) -> None:
        body = json.dumps({"name": "chunked", "slots": 3, "description": "sent in chunks"}).encode()
        response = client.post(f"{API}/pools", content=chunks(body, 7))
        assert response.status_code == 200, response.text
        assert response.json()["pool"] == "chunked"
        assert client.get(f"{API}/pools/chunked").json()["slots"] == 3

    def test_chunked_trigger_with_conf(self, client) -> None:
        body = json.dumps({"conf": {"k": "v"}, "run_id": "chunked_run"}).encode()
        response = client.post(TRIGGER, content=chunks(body, 5))
        assert response.status_code == 200, response.text
        assert [run["run_id"] for run in client.get(TRIGGER).json()] == ["chunked_run"]


class TestConfLimit:
    @pytest.fixture
    def settings(self, server_database):
        # A body limit above the conf limit, so that the conf limit is what answers.
        base = {} if server_database is None else {"EXPAPI__CORE__SQL_ALCHEMY_CONN": server_database}
        return {**base, "EXPAPI__WEBSERVER__MAX_REQUEST_BODY": str(4 * LIMIT)}

    def test_conf_over_the_column_limit_is_refused_and_not_stored(self, client) -> None:
        conf = {"blob": "x" * (2 * LIMIT)}
        response = client.post(TRIGGER, json={"conf": conf})
        assert response.status_code == 400
        size = len(json.dumps(conf))
        assert response.json() == {"error": f"conf is {size} bytes as JSON; at most {LIMIT} bytes are stored"}
        assert client.get(TRIGGER).json() == []

    def test_conf_just_under_the_limit_is_stored_whole(self, client, database) -> None:
        conf = {"blob": "y" * (LIMIT - 20)}
        response = client.post(TRIGGER, json={"conf": conf, "run_id": "big_conf"})
        assert response.status_code == 200, response.text
        from sqlalchemy import text

        with database.engine.connect() as connection:
            stored = connection.execute(text("SELECT conf FROM dag_run WHERE run_id = 'big_conf'")).scalar_one()
        stored = json.loads(stored) if isinstance(stored, (str, bytes)) else stored
        assert stored == conf
