"""Every operation of the spec × every backend × {no, bad, good} credentials × every flavour.

The operations are read from openapi/experimental.yaml, so a new one is covered as soon
as it is declared. Refusals are checked whole (status, body, challenge). An accepted
request must get exactly the answer the open backend gives to the same request on the
same data, which proves the operation itself ran. Wrong Basic credentials get the flavour's
status (1.10: 403; 2: 401 with the challenge), and the 2 flavour's refusals carry its
deprecation headers like any other answer.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from expapi.app import create_app, spec_path
from expapi.config import load_config
from expapi.dags.sync import sync_dags
from expapi.db import Database
from expapi.flavours import FLAVOURS
from auth_support import (
    BASIC_CHALLENGE,
    FORBIDDEN,
    NOTICE,
    PASSWORD,
    UNAUTHORIZED,
    USERNAME,
    WRONG_CREDENTIALS,
    NegotiateClient,
    add_user,
    basic,
    notice,
)
from databases import empty_tables
from http_helpers import API, path_date

# The other trigger examples run at "now", which differs between two calls.
BODY_EXAMPLE = {"trigger_dag_run": "atDate"}


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, with a concrete request built from the spec's examples."""

    operation_id: str
    method: str
    url: str
    body: Any = None

    def __str__(self) -> str:
        return self.operation_id


def spec_operations() -> list[Operation]:
    """Every operation the spec declares, each with a request made from its examples."""
    spec = yaml.safe_load(spec_path().read_text(encoding="utf-8"))

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    operations = []
    for template, item in spec["paths"].items():
        shared = [resolve(p) for p in item.get("parameters", [])]
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            url = template
            for parameter in shared + [resolve(p) for p in operation.get("parameters", [])]:
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}", path_date(str(parameter["example"])))
            body = None
            if "requestBody" in operation:
                examples = operation["requestBody"]["content"]["application/json"]["examples"]
                body = examples[BODY_EXAMPLE.get(operation["operationId"], next(iter(examples)))]["value"]
            operations.append(Operation(operation["operationId"], method.upper(), API + url, body))
    return operations


OPERATIONS = spec_operations()


def test_the_matrix_covers_every_declared_operation() -> None:
    assert len(OPERATIONS) == 17
    assert len({op.operation_id for op in OPERATIONS}) == len(OPERATIONS)


@dataclass
class Deployment:
    """The same home and database served by one app per backend."""

    home: Path
    database: Database
    flavour: str
    clients: dict[str, TestClient] = field(default_factory=dict)

    def reset(self) -> None:
        """Fresh data: the flavour's example DAGs, default_pool and the user hello/world."""
        self.database.create_schema()
        empty_tables(self.database.engine)
        self.database.ensure_default_pool()
        sync_dags(self.database, load_config(self.home, environ={"EXPAPI__API__COMPAT": self.flavour}))
        add_user(self.database)

    def call(self, backend: str, operation: Operation, headers: dict[str, str] | None = None):
        return self.clients[backend].request(operation.method, operation.url, json=operation.body, headers=headers or {})


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def flavour(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, flavour: str) -> Iterator[Deployment]:
    home = tmp_path_factory.mktemp("matrix")
    (home / "dags").mkdir()
    database = Database.from_url(load_config(home, environ={}).core.sql_alchemy_conn)
    deployment = Deployment(home, database, flavour)
    deployment.reset()
    yield deployment
    for client in deployment.clients.values():
        client.__exit__(None, None, None)
    database.dispose()


def client_for(deployment: Deployment, backend: str) -> TestClient:
    """The deployment's client for ``backend``, built on first use."""
    if backend not in deployment.clients:
        # Every operation is tried with wrong credentials from one address: throttling (tested
        # in test_login_throttle) would answer 429 after the fifth.
        config = load_config(deployment.home, environ={
            "EXPAPI__API__AUTH_BACKEND": backend, "EXPAPI__API__FAILED_LOGIN_LIMIT": "0",
            "EXPAPI__API__COMPAT": deployment.flavour,
        })
        client = TestClient(create_app(config, validate_responses=True), base_url="http://localhost")
        deployment.clients[backend] = client.__enter__()
    return deployment.clients[backend]


# Airflow 2's trigger message says when the run was queued: "now", different in each call.
QUEUED_AT = re.compile(r"queued_at: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00")


def answer(response) -> tuple[int, str, str, dict[str, str | None]]:
    """What a user sees of an answer, apart from authentication headers."""
    text = QUEUED_AT.sub("queued_at: <now>", response.text)
    return response.status_code, response.headers.get("content-type", ""), text, notice(response)


def assert_same_as_open(deployment: Deployment, backend: str, operation: Operation, headers: dict[str, str]):
    """The backend lets the request through: same answer as the open backend on the same data."""
    client_for(deployment, "default")
    client_for(deployment, backend)
    deployment.reset()
    expected = deployment.call("default", operation)
    assert expected.status_code not in (401, 403), expected.text
    deployment.reset()
    response = deployment.call(backend, operation, headers)
    assert answer(response) == answer(expected)
    return response


def assert_refused(deployment: Deployment, response, status: int, challenge: str | None) -> None:
    assert (response.status_code, response.json()) == (status, UNAUTHORIZED if status == 401 else FORBIDDEN)
    assert response.headers["content-type"] == "application/json"
    assert response.headers.get("www-authenticate") == challenge
    assert notice(response) == NOTICE[deployment.flavour]


BAD_BASIC = basic(USERNAME, PASSWORD + "-wrong")


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
class TestOpenBackend:
    def test_no_credentials(self, deployment: Deployment, operation: Operation) -> None:
        response = assert_same_as_open(deployment, "default", operation, {})
        assert "www-authenticate" not in response.headers

    def test_bad_credentials_are_not_read(self, deployment: Deployment, operation: Operation) -> None:
        assert_same_as_open(deployment, "default", operation, BAD_BASIC)

    def test_good_credentials(self, deployment: Deployment, operation: Operation) -> None:
        assert_same_as_open(deployment, "default", operation, basic())


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
class TestDenyAllBackend:
    @pytest.mark.parametrize("headers", [{}, BAD_BASIC, basic()], ids=["none", "bad", "good"])
    def test_every_request_is_forbidden(self, deployment: Deployment, operation: Operation, headers) -> None:
        client_for(deployment, "deny_all")
        assert_refused(deployment, deployment.call("deny_all", operation, headers), 403, None)


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
class TestPasswordBackend:
    def test_no_credentials(self, deployment: Deployment, operation: Operation) -> None:
        client_for(deployment, "password")
        assert_refused(deployment, deployment.call("password", operation), 401, BASIC_CHALLENGE)

    def test_bad_credentials(self, deployment: Deployment, operation: Operation) -> None:
        client_for(deployment, "password")
        status, _, challenge = WRONG_CREDENTIALS[deployment.flavour]
        assert_refused(deployment, deployment.call("password", operation, BAD_BASIC), status, challenge)

    def test_good_credentials(self, deployment: Deployment, operation: Operation) -> None:
        response = assert_same_as_open(deployment, "password", operation, basic())
        assert "www-authenticate" not in response.headers


@pytest.mark.usefixtures("kerberos_realm")
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
class TestKerberosBackend:
    def test_no_credentials(self, deployment: Deployment, operation: Operation) -> None:
        client_for(deployment, "kerberos")
        assert_refused(deployment, deployment.call("kerberos", operation), 401, "Negotiate")

    def test_bad_credentials(self, deployment: Deployment, operation: Operation) -> None:
        client_for(deployment, "kerberos")
        garbage = {"Authorization": "Negotiate " + base64.b64encode(b"not a Kerberos token").decode()}
        assert_refused(deployment, deployment.call("kerberos", operation, garbage), 403, None)

    def test_good_credentials(self, deployment: Deployment, operation: Operation) -> None:
        kerberos = NegotiateClient()
        response = assert_same_as_open(deployment, "kerberos", operation, kerberos.headers())
        kerberos.verify_server(response.headers["www-authenticate"])
