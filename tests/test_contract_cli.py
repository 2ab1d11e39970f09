"""The contract, checked as a new user would: schemathesis's own CLI against ``expapi serve``.

Defaults all the way: ``schemathesis run <served openapi.json> --mode all``, every phase
(stateful included), every default check, run from the repository root so that its
``schemathesis.toml`` (Airflow's declared quirks) applies. It must report no failure and no
warning, with the open backend and with the password backend given valid credentials.

With the password backend the run is ``--mode positive``: in negative mode schemathesis
builds cases "without the required Authorization header", then ``--auth`` adds the
credentials back to them, and it reports the server's 200 as a schema-violating request
accepted (seen about once in 2,400 cases). Its ``ignored_auth`` check, which sends each
request without and with wrong credentials, runs in positive mode too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from live_server import EXPAPI, LiveServer, clean_environment

pytestmark = pytest.mark.live

REPOSITORY = Path(__file__).resolve().parents[1]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def schemathesis_run(server: LiveServer, *options: str) -> subprocess.CompletedProcess[str]:
    options = options if "--mode" in options else ("--mode", "all", *options)
    return subprocess.run(
        [str(SCHEMATHESIS), "run", f"{server.url}/api/experimental/openapi.json", *options],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=600,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "No issues found" in report, report
    assert "⚠️" not in report and "Warnings:" not in report, report


def test_open_backend_passes_every_phase_and_check(tmp_path: Path) -> None:
    with LiveServer(tmp_path, workers=1) as server:
        assert_clean(schemathesis_run(server))


def test_password_backend_passes_with_credentials(tmp_path: Path) -> None:
    # Throttling off: schemathesis's own wrong-credential probes come from this address, and
    # would lock the valid ones out for the window (tests/auth/test_login_throttle.py tests it).
    env = clean_environment(tmp_path, EXPAPI__API__AUTH_BACKEND="password", EXPAPI__API__FAILED_LOGIN_LIMIT="0")
    subprocess.run([EXPAPI, "users", "create", "--username", "hello", "--password", "world"], env=env, cwd=tmp_path, check=True)
    with LiveServer(tmp_path, workers=1, env=env) as server:
        assert_clean(schemathesis_run(server, "--auth", "hello:world", "--mode", "positive"))
