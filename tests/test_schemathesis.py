"""Property tests: every operation against the spec, with valid and invalid inputs.

schemathesis generates requests from openapi/experimental.yaml and checks each answer:
no server error, a status the spec declares, the declared content type, a body that
matches the response schema, and that invalid input is refused with a 4xx.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
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

CHECKS = [
    negative_data_rejection,
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _app(tmp_dir: Path):
    config = load_config(tmp_dir, environ={})
    database = Database.from_url(config.core.sql_alchemy_conn)
    database.create_schema()
    sync_dags(database, config)
    database.dispose()
    return create_app(config)


_HOME = tempfile.TemporaryDirectory(prefix="expapi-schemathesis-")
schema = schemathesis.openapi.from_asgi("/api/experimental/openapi.json", _app(Path(_HOME.name)))


schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@schema.parametrize()
@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_operation_honours_the_contract(case) -> None:
    """Valid and invalid requests get declared statuses, types and bodies; never a 5xx."""
    case.call_and_validate(checks=CHECKS)
