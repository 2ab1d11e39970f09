"""The contract, checked with Node tools' defaults: redocly's lint and openapi-typescript + tsc.

The tools are pinned in ``tools/contract/package-lock.json``; ``.ci/run`` installs them with
``npm ci`` (cached by the lockfile's hash) and names their folder in ``EXPAPI_CONTRACT_TOOLS``.
Without them the tests are skipped on a developer's machine and fail under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from databases import IN_CI
from expapi.app import load_spec, spec_path
from expapi.served_spec import served_document

REPOSITORY = Path(__file__).resolve().parents[1]
TOOLS = Path(os.environ.get("EXPAPI_CONTRACT_TOOLS") or REPOSITORY / "tools" / "contract" / "node_modules" / ".bin")


def tool(name: str) -> str:
    path = TOOLS / name
    if not path.exists() or shutil.which("node") is None:
        message = f"{name} not found in {TOOLS}: run `npm ci` in tools/contract"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return str(path)


def run(*command: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def assert_lint_clean(document: Path) -> None:
    # Run from the repository root, so redocly.yaml (recommended rules, one named exception) applies.
    result = run(tool("redocly"), "lint", str(document), "--format", "stylish")
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Your API description is valid" in report, report
    assert "warning" not in report.lower(), report


def test_redocly_finds_nothing_in_the_source() -> None:
    assert_lint_clean(spec_path())


@pytest.mark.parametrize(
    "auth_backend, backend",
    [("default", "database"), ("password", "database"), ("kerberos", "database"), ("deny_all", "database"), ("default", "gateway")],
)
def test_redocly_finds_nothing_in_the_served_document(tmp_path: Path, auth_backend: str, backend: str) -> None:
    document = served_document(load_spec(), auth_backend=auth_backend, flavour="1.10", backend=backend)
    document["servers"] = [{"url": "http://127.0.0.1:8080/api/experimental"}]
    served = tmp_path / "openapi.json"
    served.write_text(json.dumps(document), encoding="utf-8")
    assert_lint_clean(served)


def test_typescript_types_from_the_spec_type_check_every_operation(tmp_path: Path) -> None:
    types = tmp_path / "expapi.d.ts"
    generated = run(tool("openapi-typescript"), str(spec_path()), "-o", str(types))
    assert generated.returncode == 0, generated.stdout + generated.stderr
    usage = tmp_path / "operations.ts"
    shutil.copy(REPOSITORY / "tests" / "contract" / "operations.ts", usage)
    # Every operation of the spec is used in the file.
    text = usage.read_text(encoding="utf-8")
    operation_ids = {
        operation["operationId"] for item in load_spec()["paths"].values() for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert {op for op in operation_ids if f'"{op}"' not in text} == set()
    checked = run(tool("tsc"), "--noEmit", "--strict", "--target", "es2020", "--moduleResolution", "node", str(usage), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
