"""The contract itself: a valid OpenAPI 3.0 document that routes every operation."""

from __future__ import annotations

import yaml
from openapi_spec_validator import validate

from expapi.app import spec_path

OPERATIONS = {
    ("post", "/dags/{dag_id}/dag_runs"): "trigger_dag_run",
    ("get", "/dags/{dag_id}/dag_runs"): "list_dag_runs",
    ("get", "/dags/{dag_id}/dag_runs/{execution_date}"): "get_dag_run_state",
    ("get", "/dags/{dag_id}/dag_runs/{execution_date}/tasks/{task_id}"): "get_task_instance",
    ("get", "/dags/{dag_id}/tasks/{task_id}"): "get_task",
    ("get", "/dags/{dag_id}/code"): "get_dag_code",
    ("get", "/dags/{dag_id}/paused/{paused}"): "set_dag_paused",
    ("get", "/dags/{dag_id}/paused"): "get_dag_paused",
    ("delete", "/dags/{dag_id}"): "delete_dag",
    ("get", "/latest_runs"): "get_latest_runs",
    ("get", "/test"): "test",
    ("get", "/info"): "get_info",
    ("get", "/lineage/{dag_id}/{execution_date}"): "get_lineage",
    ("get", "/pools"): "list_pools",
    ("get", "/pools/{pool_name}"): "get_pool",
    ("post", "/pools"): "create_pool",
    ("delete", "/pools/{pool_name}"): "delete_pool",
}


def load_spec() -> dict:
    return yaml.safe_load(spec_path().read_text(encoding="utf-8"))


def test_the_spec_is_valid_openapi() -> None:
    validate(load_spec())


def test_the_spec_declares_exactly_the_seventeen_operations() -> None:
    spec = load_spec()
    declared = {
        (method, path): operation["operationId"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert declared == OPERATIONS


def test_every_operation_is_documented_and_bound_to_a_handler() -> None:
    import importlib

    for path, item in load_spec()["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "delete"):
                continue
            for key in ("summary", "description", "tags", "responses"):
                assert operation.get(key), f"{method} {path} lacks {key}"
            module = importlib.import_module(operation["x-openapi-router-controller"])
            assert callable(getattr(module, operation["operationId"])), f"{method} {path}"


def test_every_json_body_has_an_example() -> None:
    spec = load_spec()
    shared = spec["components"]["responses"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "delete"):
                continue
            bodies = []
            if "requestBody" in operation:
                bodies.append(operation["requestBody"]["content"])
            for response in operation["responses"].values():
                if "$ref" in response:
                    response = shared[response["$ref"].rsplit("/", 1)[-1]]
                if "content" in response:
                    bodies.append(response["content"])
            for content in bodies:
                for media in content.values():
                    assert "example" in media or "examples" in media, f"{method} {path}"


def test_error_examples_are_per_operation_and_all_used() -> None:
    """Each operation shows only the errors it gives: no DAG message on a pool operation."""
    spec = load_spec()
    used = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status in ("400", "404"):
                examples = operation["responses"].get(status, {}).get("content", {}).get("application/json", {}).get("examples", {})
                names = {ref["$ref"].rsplit("/", 1)[-1] for ref in examples.values() if "$ref" in ref}
                used |= names
                if path.startswith("/pools"):
                    assert not any(name.startswith(("dag", "task", "invalid")) for name in names), (method, path, names)
                else:
                    assert not any(name.startswith("pool") for name in names), (method, path, names)
    assert used == set(spec["components"]["examples"])
    assert not {"BadRequest", "NotFound"} & set(spec["components"]["responses"])


def _flavour_marks(node, where: str = "#"):
    """(where, names) of every ``x-expapi-flavours`` mark in the document."""
    if isinstance(node, dict):
        if "x-expapi-flavours" in node:
            yield where, node["x-expapi-flavours"]
        for key, value in node.items():
            yield from _flavour_marks(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _flavour_marks(value, f"{where}/{index}")


def test_flavour_marks_name_registered_flavours() -> None:
    from expapi.flavours import FLAVOURS

    marks = list(_flavour_marks(load_spec()))
    assert marks, "the 2-only parts (deprecation headers, include_deferred) are marked"
    for where, names in marks:
        assert names and set(names) <= set(FLAVOURS), where


def test_the_deprecation_headers_are_declared_on_every_response() -> None:
    spec = load_spec()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "delete"):
                continue
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                assert {"Deprecation", "Link"} <= set(response.get("headers", {})), (path, method, status)
