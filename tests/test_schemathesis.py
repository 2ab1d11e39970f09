"""Property tests: every operation against the spec, with valid and invalid inputs.

schemathesis generates requests from openapi/experimental.yaml and checks each answer:
no server error, a status the spec declares, the declared content type, a body that
matches the response schema, and that invalid input is refused with a 4xx.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)


from expapi.app import create_app
from expapi.config import load_config
from expapi.dags.sync import sync_dags
from expapi.db import Database
from databases import SERVER_BACKENDS, scratch_database, server_url

CHECKS = [
    negative_data_rejection,
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _app(tmp_dir: Path, settings: dict[str, str] | None = None):
    # The served spec names the server by the Host it was fetched with: the ASGI test client's.
    environ = {"EXPAPI__WEBSERVER__ALLOWED_HOSTS": "testserver", **(settings or {})}
    config = load_config(tmp_dir, environ=environ)
    database = Database.from_url(config.core.sql_alchemy_conn)
    database.create_schema()
    sync_dags(database, config)
    database.dispose()
    return create_app(config)


def _schema(app):
    loaded = schemathesis.openapi.from_asgi("/api/experimental/openapi.json", app)
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded


_HOME = tempfile.TemporaryDirectory(prefix="expapi-schemathesis-")
schema = _schema(_app(Path(_HOME.name)))


@schema.parametrize()
@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_operation_honours_the_contract(case) -> None:
    """Valid and invalid requests get declared statuses, types and bodies; never a 5xx."""
    case.call_and_validate(checks=CHECKS)


@pytest.fixture(scope="module", params=SERVER_BACKENDS)
def server_schema(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The same contract served from PostgreSQL or MariaDB, in a database of its own."""
    with scratch_database(server_url(request.param), prefix="expapi_schemathesis") as url:
        app = _app(tmp_path_factory.mktemp(request.param), {"EXPAPI__CORE__SQL_ALCHEMY_CONN": url})
        yield _schema(app)
        app.runtime.close()


LABELS = [operation.ok().label for operation in schema.get_all_operations()]


# A lighter pass per database server: the generator is the same, what may differ is how
# each database stores and refuses values (lengths, NUL characters, case, trailing spaces).
# (schemathesis.pytest.from_fixture would do this, but its subtests break under pytest 9.)
@pytest.mark.parametrize("label", LABELS)
def test_operation_honours_the_contract_on_a_database_server(server_schema, label: str) -> None:
    """As above, on PostgreSQL and MariaDB."""
    operation = server_schema.find_operation_by_label(label)
    cases = st.one_of(operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
    def honours(case) -> None:
        case.call_and_validate(checks=CHECKS)

    honours()


# The 2 flavour, served from SQLite: its own answers (queued runs, conf refusals, the
# deprecation headers, include_deferred) against the spec it serves.
_HOME_2 = tempfile.TemporaryDirectory(prefix="expapi-schemathesis-2-")
schema_2 = _schema(_app(Path(_HOME_2.name), {"EXPAPI__API__COMPAT": "2"}))


@pytest.mark.parametrize("label", LABELS)
def test_operation_honours_the_contract_in_the_2_flavour(label: str) -> None:
    """As above, with ``[api] compat = 2``."""
    operation = schema_2.find_operation_by_label(label)
    cases = st.one_of(operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
    def honours(case) -> None:
        case.call_and_validate(checks=CHECKS)

    honours()
