"""A client generated from the spec by openapi-python-client works against the server.

It is generated from the file and from the URL a running server serves its document at; both
have the same named models (the served document keeps its ``$ref``s), and every operation is
called with typed results and typed errors, against a server of each flavour.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from expapi.app import create_app, load_spec, spec_path
from expapi.flavours import FLAVOURS
from live_server import LiveServer, clean_environment

PACKAGE = "expapi_generated_client"
OPERATION_IDS = {
    operation["operationId"] for item in load_spec()["paths"].values() for operation in item.values()
    if isinstance(operation, dict) and "operationId" in operation
}


def generate(source: list[str], output: Path) -> Path:
    """openapi-python-client's package from ``source`` (``--path FILE`` or ``--url URL``), in ``output``."""
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", *source, "--meta", "none", "--output-path", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout.replace("ruff is not in PATH", ""), result.stdout
    return output


def models(package: Path) -> set[str]:
    return {path.stem for path in (package / "models").glob("*.py")} - {"__init__"}


def operations(package: Path) -> set[str]:
    return {path.stem for path in (package / "api").glob("*/*.py")} - {"__init__"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """The client package, generated afresh from openapi/experimental.yaml."""
    out = tmp_path_factory.mktemp("generated")
    generate(["--path", str(spec_path())], out / PACKAGE)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))


@pytest.fixture(params=sorted(FLAVOURS))
def flavour(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(settings: dict[str, str], flavour: str) -> dict[str, str]:
    return {**settings, "EXPAPI__API__COMPAT": flavour}


# What differs between the flavours in the answers below: a triggered run's state, the
# example DAG file's first line, and Airflow 2.7+'s include_deferred on pools.
TRIGGERED_STATE = {"1.10": "running", "2": "queued"}


@pytest.fixture
def api(generated, config, database) -> Iterator[object]:
    with TestClient(create_app(config, validate_responses=True), base_url="http://localhost/api/experimental") as http:
        yield generated.Client(base_url="http://localhost/api/experimental").set_httpx_client(http)


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_trigger_then_read_the_run_back(flavour: str, api) -> None:
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
    assert state.state == TRIGGERED_STATE[flavour]
    runs = module("api.dag_runs.list_dag_runs").sync("example_bash_operator", client=api)
    assert [(r.run_id, r.state) for r in runs] == [("generated", TRIGGERED_STATE[flavour])]
    instance = module("api.tasks.get_task_instance").sync(
        "example_bash_operator", "2030-01-02T03:04:05+00:00", "runme_0", client=api
    )
    assert (instance.task_id, instance.state) == ("runme_0", "None")


def test_errors_come_back_as_the_error_model(api) -> None:
    answer = module("api.dag.get_dag_paused").sync("nope", client=api)
    assert answer.error == "Dag id nope not found in DagModel"


def test_pools_round_trip(flavour: str, api) -> None:
    request = module("models.create_pool_request").CreatePoolRequest
    created = module("api.pools.create_pool").sync(
        client=api, body=request.from_dict({"name": "gen", "slots": 3, "description": "made by a client"})
    )
    assert (created.pool, created.slots, created.description) == ("gen", 3, "made by a client")
    assert created.to_dict().get("include_deferred") == {"1.10": None, "2": False}[flavour]
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


def test_every_operation_has_a_function(generated) -> None:
    assert operations(Path(generated.__file__).parent) == OPERATION_IDS


@pytest.mark.live
def test_the_served_url_gives_the_same_models_as_the_file(flavour: str, generated, tmp_path: Path) -> None:
    with LiveServer(tmp_path, workers=1, env=clean_environment(tmp_path, EXPAPI__API__COMPAT=flavour)) as server:
        served = generate(["--url", f"{server.url}/api/experimental/openapi.json"], tmp_path / "served_client")
    from_file = Path(generated.__file__).parent
    assert models(served) == models(from_file)
    assert {"error", "pool", "dag_run", "trigger_dag_run_request"} <= models(served)
    assert operations(served) == operations(from_file)


def test_the_other_operations_answer_typed_results(flavour: str, api) -> None:
    trigger = module("api.dag_runs.trigger_dag_run")
    request = module("models.trigger_dag_run_request").TriggerDagRunRequest
    trigger.sync("example_bash_operator", client=api, body=request.from_dict({"execution_date": "2030-01-02T03:04:05+00:00"}))

    paused = module("api.dag.set_dag_paused").sync("example_bash_operator", "true", client=api)
    assert isinstance(paused, module("models.pause_response").PauseResponse) and paused.response == "ok"
    state = module("api.dag.get_dag_paused").sync("example_bash_operator", client=api)
    assert isinstance(state, module("models.paused_state").PausedState) and state.is_paused is True

    latest = module("api.dag_runs.get_latest_runs").sync(client=api)
    assert isinstance(latest, module("models.latest_runs_response").LatestRunsResponse)
    assert [item.dag_id for item in latest.items] == ["example_bash_operator"]

    lineage = module("api.lineage.get_lineage").sync("example_bash_operator", "2030-01-02T03:04:05+00:00", client=api)
    assert isinstance(lineage, module("models.lineage_response").LineageResponse)
    # The example DAGs declare no inlets or outlets: the run's lineage is empty, typed all the same.
    assert lineage.task_ids.additional_properties == {}

    alive = module("api.monitoring.test").sync(client=api)
    assert isinstance(alive, module("models.test_response").TestResponse) and alive.status == "OK"
    info = module("api.monitoring.get_info").sync(client=api)
    assert isinstance(info, module("models.info_response").InfoResponse)
    assert info.version == FLAVOURS[flavour].airflow_version

    pool = module("api.pools.get_pool").sync("default_pool", client=api)
    assert isinstance(pool, module("models.pool").Pool) and pool.pool == "default_pool"

    deleted = module("api.dag.delete_dag").sync("example_bash_operator", client=api)
    assert isinstance(deleted, module("models.delete_dag_response").DeleteDagResponse) and deleted.count >= 1


def test_errors_are_typed_on_every_kind_of_operation(api) -> None:
    error = module("models.error").Error
    answers = [
        module("api.pools.get_pool").sync("missing", client=api),
        module("api.pools.delete_pool").sync("default_pool", client=api),
        module("api.dag_runs.list_dag_runs").sync("missing", client=api),
        module("api.tasks.get_task").sync("example_bash_operator", "missing", client=api),
        module("api.lineage.get_lineage").sync("missing", "2030-01-02T03:04:05+00:00", client=api),
    ]
    assert all(isinstance(answer, error) for answer in answers), answers
    assert answers[0].error == "Pool 'missing' doesn't exist"


@pytest.mark.parametrize("flavour", ["2"], indirect=True)  # 1.10 deletes whatever runs
def test_the_2_flavours_refused_delete_is_a_typed_error(api, database) -> None:
    from sqlalchemy import update

    from expapi.models import TaskInstance

    trigger = module("api.dag_runs.trigger_dag_run")
    request = module("models.trigger_dag_run_request").TriggerDagRunRequest
    trigger.sync("example_bash_operator", client=api, body=request.from_dict({"execution_date": "2030-01-02T03:04:05+00:00"}))
    with database.transaction() as session:
        session.execute(update(TaskInstance).where(TaskInstance.task_id == "runme_0").values(state="running"))
    refused = module("api.dag.delete_dag").sync_detailed("example_bash_operator", client=api)
    assert refused.status_code == 409
    assert isinstance(refused.parsed, module("models.error").Error)
    assert refused.parsed.error == "TaskInstances still running"
