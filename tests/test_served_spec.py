"""The served document: the source spec cut to the running backend and flavour, refs intact."""

from __future__ import annotations

import json

import pytest
import yaml
from starlette.testclient import TestClient

from expapi.app import load_spec
from expapi.served_spec import served_document
from http_helpers import API

OPERATIONS = [
    (path, method, operation)
    for path, item in load_spec()["paths"].items()
    for method, operation in item.items()
    if method in ("get", "post", "delete")
]


def cut(auth_backend: str, flavour: str = "1.10") -> dict:
    return served_document(load_spec(), auth_backend=auth_backend, flavour=flavour)


def test_the_open_backend_declares_no_security_and_no_refusal() -> None:
    document = cut("default")
    assert document["security"] == [{}]
    assert "securitySchemes" not in document["components"]
    for _path, _method, operation in [(p, m, o) for p, i in document["paths"].items() for m, o in i.items() if m != "parameters"]:
        assert not {"401", "403", "429"} & set(operation["responses"])
    assert not {"Unauthorized", "Forbidden", "TooManyRequests"} & set(document["components"]["responses"])


@pytest.mark.parametrize("auth_backend, scheme", [("password", "Basic"), ("kerberos", "Kerberos")])
def test_a_reading_backend_declares_only_its_scheme(auth_backend: str, scheme: str) -> None:
    document = cut(auth_backend)
    assert document["security"] == [{scheme: []}]
    assert list(document["components"]["securitySchemes"]) == [scheme]
    for path, method, _ in OPERATIONS:
        responses = set(document["paths"][path][method]["responses"])
        assert {"401", "403"} <= responses
        # Only the password backend throttles failed logins.
        assert ("429" in responses) == (auth_backend == "password")


def test_deny_all_declares_a_403_on_every_operation_and_no_scheme() -> None:
    document = cut("deny_all")
    assert document["security"] == [{}]
    for path, method, _ in OPERATIONS:
        responses = document["paths"][path][method]["responses"]
        assert responses["403"] == {"$ref": "#/components/responses/Forbidden"}
        assert "401" not in responses


def test_the_source_is_left_untouched() -> None:
    source = load_spec()
    served_document(source, auth_backend="default", flavour="1.10")
    assert source == load_spec()


SYNTHETIC = {
    "openapi": "3.0.3",
    "paths": {
        "/info": {"get": {"x-expapi-flavours": ["2"], "responses": {"200": {"description": "2 only"}}}},
        "/test": {
            "get": {
                "parameters": [{"name": "a", "in": "query", "x-expapi-flavours": ["1.10"]}, {"name": "b", "in": "query"}],
                "responses": {
                    "200": {
                        "description": "both",
                        "headers": {"Deprecation": {"x-expapi-flavours": ["2"], "schema": {"type": "string"}}},
                    }
                },
            }
        },
    },
    "components": {
        "responses": {},
        "schemas": {
            "Pool": {
                "properties": {"pool": {"type": "string"}, "include_deferred": {"type": "boolean", "x-expapi-flavours": ["2"]}},
                "oneOf": [{"type": "object", "x-expapi-flavours": ["1.10", "2"]}, {"type": "object", "x-expapi-flavours": ["2"]}],
            }
        },
    },
}


def test_nodes_marked_for_other_flavours_are_dropped_with_their_marks() -> None:
    one_ten = served_document(SYNTHETIC, auth_backend="default", flavour="1.10")
    assert "get" not in one_ten["paths"]["/info"]
    assert [p["name"] for p in one_ten["paths"]["/test"]["get"]["parameters"]] == ["a", "b"]
    assert one_ten["paths"]["/test"]["get"]["responses"]["200"]["headers"] == {}
    assert list(one_ten["components"]["schemas"]["Pool"]["properties"]) == ["pool"]
    assert one_ten["components"]["schemas"]["Pool"]["oneOf"] == [{"type": "object"}]
    two = served_document(SYNTHETIC, auth_backend="default", flavour="2")
    assert "x-expapi-flavours" not in json.dumps(two)
    assert [p["name"] for p in two["paths"]["/test"]["get"]["parameters"]] == ["b"]
    assert list(two["components"]["schemas"]["Pool"]["properties"]) == ["pool", "include_deferred"]
    assert len(two["components"]["schemas"]["Pool"]["oneOf"]) == 2


def test_the_served_json_keeps_refs_and_names_an_absolute_server(client: TestClient) -> None:
    response = client.get(f"{API}/openapi.json", headers={"host": "expapi.example:8080"})
    assert response.status_code == 200
    document = response.json()
    assert json.dumps(document).count('"$ref"') == json.dumps(cut("default")).count('"$ref"') > 50
    assert document["servers"] == [{"url": "http://expapi.example:8080/api/experimental"}]
    assert set(document["components"]["schemas"]) == set(load_spec()["components"]["schemas"])


def test_the_served_yaml_is_the_same_document(client: TestClient) -> None:
    as_json = client.get(f"{API}/openapi.json").json()
    as_yaml = yaml.safe_load(client.get(f"{API}/openapi.yaml").text)
    assert as_yaml == as_json


# What only a gateway answers: 501 (the stable API cannot tell), 502 (Airflow refused the
# gateway's credentials or answered nonsense); 503 is both backends', with its own example.
GATEWAY_ONLY = {"501", "502"}
ANSWERED_BY_EXPAPI_ALONE = {"test", "get_info"}


def has_key(node: object, key: str) -> bool:
    """Whether ``key`` is a key anywhere in ``node`` (prose may name a mark)."""
    if isinstance(node, dict):
        return key in node or any(has_key(value, key) for value in node.values())
    if isinstance(node, list):
        return any(has_key(value, key) for value in node)
    return False


def statuses(document: dict) -> dict[str, set[str]]:
    return {
        operation["operationId"]: set(operation["responses"])
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post", "delete")
    }


@pytest.mark.parametrize("flavour", ["1.10", "2"])
@pytest.mark.parametrize("auth_backend", ["default", "password", "kerberos", "deny_all"])
def test_the_database_mode_declares_no_gateway_status(auth_backend: str, flavour: str) -> None:
    document = served_document(load_spec(), auth_backend=auth_backend, flavour=flavour, backend="database")
    assert {op: found & GATEWAY_ONLY for op, found in statuses(document).items() if found & GATEWAY_ONLY} == {}
    assert not {"BadGateway", "NotAvailableHere"} & set(document["components"]["responses"])
    unavailable = document["components"]["responses"]["ServiceUnavailable"]["content"]["application/json"]
    assert list(unavailable["examples"]) == ["metadataDatabase"]
    assert not has_key(document, "x-expapi-backends")


@pytest.mark.parametrize("flavour", ["1.10", "2"])
def test_the_gateway_mode_declares_its_own_statuses(flavour: str) -> None:
    document = served_document(load_spec(), auth_backend="default", flavour=flavour, backend="gateway")
    found = statuses(document)
    for operation_id, declared in found.items():
        expected = {"502", "503"} if operation_id not in ANSWERED_BY_EXPAPI_ALONE else {"503"}
        assert expected <= declared, operation_id
        assert ("501" in declared) == (operation_id == "get_lineage"), operation_id
    assert found["test"] & GATEWAY_ONLY == set()
    responses = document["components"]["responses"]
    assert responses["BadGateway"]["content"]["application/json"]["example"]["error"].startswith("Airflow at http://airflow:8080 rejected")
    assert list(responses["ServiceUnavailable"]["content"]["application/json"]["examples"]) == ["airflowUnavailable"]
    assert not has_key(document, "x-expapi-backends")


def test_the_database_mode_is_the_default_and_backends_are_checked() -> None:
    assert served_document(load_spec(), auth_backend="default", flavour="1.10") == cut("default")
    with pytest.raises(ValueError, match="unknown backend 'sqlite'"):
        served_document(load_spec(), auth_backend="default", flavour="1.10", backend="sqlite")


def test_a_component_cut_for_another_backend_takes_its_refs_along() -> None:
    source = {
        "openapi": "3.0.3",
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {"description": "ok"},
                        "502": {"$ref": "#/components/responses/BadGateway"},
                        "503": {"$ref": "#/components/responses/Unavailable"},
                    }
                }
            }
        },
        "components": {
            "responses": {
                "BadGateway": {"x-expapi-backends": ["gateway"], "description": "gateway only"},
                "Unavailable": {"description": "both", "examples": {"db": {"x-expapi-backends": ["database"]}, "af": {"x-expapi-backends": ["gateway"]}}},
            }
        },
    }
    database = served_document(source, auth_backend="default", flavour="1.10", backend="database")
    assert set(database["paths"]["/x"]["get"]["responses"]) == {"200", "503"}
    assert set(database["components"]["responses"]) == {"Unavailable"}
    assert database["components"]["responses"]["Unavailable"]["examples"] == {"db": {}}
    gateway = served_document(source, auth_backend="default", flavour="1.10", backend="gateway")
    assert gateway["paths"]["/x"]["get"]["responses"]["502"] == {"$ref": "#/components/responses/BadGateway"}
    assert gateway["components"]["responses"]["BadGateway"] == {"description": "gateway only"}
    assert gateway["components"]["responses"]["Unavailable"]["examples"] == {"af": {}}


def test_a_database_servers_document_declares_no_gateway_answer(client: TestClient) -> None:
    document = client.get(f"{API}/openapi.json").json()
    assert {op: found & GATEWAY_ONLY for op, found in statuses(document).items() if found & GATEWAY_ONLY} == {}
    assert "BadGateway" not in document["components"]["responses"]
