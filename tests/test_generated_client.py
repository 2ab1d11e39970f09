"""A client generated from the spec by openapi-python-client works against the server."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from expapi.app import create_app, spec_path

PACKAGE = "expapi_generated_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """The client package, generated afresh from openapi/experimental.yaml."""
    out = tmp_path_factory.mktemp("generated")
    result = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(spec_path()), "--meta", "none", "--output-path", str(out / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout.replace("ruff is not in PATH", ""), result.stdout
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))


@pytest.fixture
def api(generated, config, database) -> Iterator[object]:
    with TestClient(create_app(config, validate_responses=True), base_url="http://localhost/api/experimental") as http:
        yield generated.Client(base_url="http://localhost/api/experimental").set_httpx_client(http)


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_trigger_then_read_the_run_back(api) -> None:
    trigger = module("api.dag_runs.trigger_dag_run")
    request = module("models.trigger_dag_run_request").TriggerDagRunRequest
    created = trigger.sync(
        "example_bash_operator",
        client=api,
        body=request.from_dict({"run_id": "generated", "execution_date": "2030-01-02T03:04:05+00:00", "conf": {"a": 1}}),
    )
    assert created.run_id == "generated"
    assert created.execution_date == "2030-01-02T03:04:05+00:00"

    state = module("api.dag_runs.get_dag_run_state").sync(
        "example_bash_operator", "2030-01-02T03:04:05+00:00", client=api
    )
    assert state.state == "running"
    runs = module("api.dag_runs.list_dag_runs").sync("example_bash_operator", client=api)
    assert [(r.run_id, r.state) for r in runs] == [("generated", "running")]
    instance = module("api.tasks.get_task_instance").sync(
        "example_bash_operator", "2030-01-02T03:04:05+00:00", "runme_0", client=api
    )
    assert (instance.task_id, instance.state) == ("runme_0", "None")


def test_errors_come_back_as_the_error_model(api) -> None:
    answer = module("api.dag.get_dag_paused").sync("nope", client=api)
    assert answer.error == "Dag id nope not found in DagModel"


def test_pools_round_trip(api) -> None:
    request = module("models.create_pool_request").CreatePoolRequest
    created = module("api.pools.create_pool").sync(
        client=api, body=request.from_dict({"name": "gen", "slots": 3, "description": "made by a client"})
    )
    assert (created.pool, created.slots, created.description) == ("gen", 3, "made by a client")
    listed = module("api.pools.list_pools").sync(client=api)
    assert [p.pool for p in listed] == ["default_pool", "gen"]
    deleted = module("api.pools.delete_pool").sync("gen", client=api)
    assert deleted.id == created.id


def test_task_info_and_code(api) -> None:
    task = module("api.tasks.get_task").sync("example_bash_operator", "runme_0", client=api)
    assert task.downstream_task_ids == "{'run_after_loop'}"
    code = module("api.dag.get_dag_code").sync_detailed("example_bash_operator", client=api)
    assert code.status_code == 200
    assert b"dag_id: example_bash_operator" in code.content
