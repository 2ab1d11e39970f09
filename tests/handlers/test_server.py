"""GET /test and GET /info, and the JSON errors of the server's own routing, in both flavours."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from handler_support import JSON, METHOD_NOT_ALLOWED, NOT_FOUND_URL, answer, by_flavour
from http_helpers import API


class TestTest:
    def test_answers_ok(self, client: TestClient) -> None:
        assert answer(client.get(f"{API}/test")) == (200, JSON, {"status": "OK"})

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        # Sorted keys; 1.10's jsonify: compact separators and a trailing newline; Flask 2's: ", ", ": ", none.
        text = client.get(f"{API}/test").text
        assert text == by_flavour(flavour_name, v1_10='{"status":"OK"}\n', v2='{"status": "OK"}')


class TestGetInfo:
    def test_names_the_imitated_airflow_version(self, client: TestClient, flavour_name: str) -> None:
        version = by_flavour(flavour_name, v1_10="1.10.15", v2="2.11.2")
        assert answer(client.get(f"{API}/info")) == (200, JSON, {"version": version})


class TestRouting:
    @pytest.mark.parametrize(
        "path",
        [
            f"{API}/nope",
            f"{API}/dags",
            f"{API}/dags/example_bash_operator/tasks/runme_0/extra",
            f"{API}/info/extra",
        ],
    )
    def test_an_unknown_path_is_a_json_404(self, client: TestClient, path: str) -> None:
        assert answer(client.get(path)) == (404, JSON, {"error": NOT_FOUND_URL})

    @pytest.mark.parametrize("path", [f"{API}/test/", f"{API}/info/", f"{API}/pools/default_pool/"])
    def test_a_trailing_slash_matches_no_route(self, client: TestClient, path: str) -> None:
        # Airflow's routes declare no trailing slash, so such a path is a 404, not a redirect.
        assert answer(client.get(path, follow_redirects=False)) == (404, JSON, {"error": NOT_FOUND_URL})

    def test_the_404_is_written_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        text = client.get(f"{API}/nope").text
        assert text == by_flavour(flavour_name, v1_10=f'{{"error":"{NOT_FOUND_URL}"}}\n', v2=f'{{"error": "{NOT_FOUND_URL}"}}')

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("PUT", f"{API}/test"),
            ("POST", f"{API}/info"),
            ("DELETE", f"{API}/pools"),
            ("POST", f"{API}/pools/default_pool"),
            ("POST", f"{API}/dags/example_bash_operator/paused"),
            ("PATCH", f"{API}/dags/example_bash_operator/dag_runs"),
            ("GET", f"{API}/dags/example_bash_operator"),
        ],
    )
    def test_a_wrong_method_is_a_json_405(self, client: TestClient, method: str, path: str) -> None:
        response = client.request(method, path, json={} if method in ("POST", "PUT", "PATCH") else None)
        assert answer(response) == (405, JSON, {"error": METHOD_NOT_ALLOWED})


class TestServedSpec:
    def test_describes_the_running_flavour_only(self, client: TestClient, flavour_name: str) -> None:
        document = client.get(f"{API}/openapi.json").json()
        pool = document["components"]["schemas"]["Pool"]["properties"]
        headers = document["paths"]["/test"]["get"]["responses"]["200"].get("headers", {})
        examples = document["paths"]["/dags/{dag_id}/dag_runs/{execution_date}/tasks/{task_id}"]["get"]["responses"]["200"]
        seen = ("include_deferred" in pool, sorted(headers), sorted(examples["content"]["application/json"]["examples"]))
        assert seen == by_flavour(
            flavour_name, v1_10=(False, [], ["airflow_1_10"]), v2=(True, ["Deprecation", "Link"], ["airflow_2"])
        )
        assert '"x-expapi-flavours":' not in json.dumps(document)  # the marks are dropped; prose may name them
