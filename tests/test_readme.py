"""The README's curl examples, run in order against a real `expapi serve` process."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from expapi.db import Database
from live_server import LiveServer, clean_environment

README = Path(__file__).resolve().parent.parent / "README.md"

# Airflow 1.10's own documented example, which must work verbatim (with the DAG id filled in).
AIRFLOW_DOC_EXAMPLE = (
    "curl -X POST http://localhost:8080/api/experimental/dags/example_bash_operator/dag_runs "
    "-H 'Cache-Control: no-cache' -H 'Content-Type: application/json' "
    """-d '{"conf":"{\\"key\\":\\"value\\"}"}'"""
)

STATUS_MARK = "\n__HTTP_STATUS__ "


def readme_curl_commands(text: str) -> list[str]:
    """Every command starting with `curl` in the README's ```bash / ```sh blocks, joined across `\\` lines."""
    commands: list[str] = []
    for block in re.findall(r"^```(?:bash|sh)[ \t]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        logical: list[str] = []
        pending = ""
        for line in block.splitlines():
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1].strip() + " "
                continue
            logical.append((pending + line.strip()).strip())
            pending = ""
        if pending:
            logical.append(pending.strip())
        commands.extend(line for line in logical if line.startswith("curl ") or line == "curl")
    return commands


def run_curl(command: str, port: int) -> tuple[int, str]:
    """Run one README command against ``port``; its HTTP status and body."""
    command = command.replace("localhost:8080", f"127.0.0.1:{port}").replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    argv = shlex.split(command) + ["-s", "-S", "--max-time", "10", "-w", STATUS_MARK + "%{http_code}"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    body, _, status = result.stdout.rpartition(STATUS_MARK)
    assert result.returncode == 0, f"{command}\ncurl exited {result.returncode}: {result.stderr}"
    return int(status), body


def test_readme_lists_airflows_documented_example() -> None:
    assert AIRFLOW_DOC_EXAMPLE in readme_curl_commands(README.read_text(encoding="utf-8"))


@pytest.mark.live
def test_readme_curl_examples_against_a_live_server(home: Path, settings: dict[str, str], database: Database) -> None:
    commands = readme_curl_commands(README.read_text(encoding="utf-8"))
    assert len(commands) >= 17, commands
    assert AIRFLOW_DOC_EXAMPLE in commands

    # Two workers, as a deployment would run it, on each database.
    with LiveServer(home, workers=2, env=clean_environment(home, **settings)) as server:
        failures = []
        for command in commands:
            status, body = run_curl(command, server.port)
            if not 200 <= status < 300:
                failures.append(f"{command}\n  -> {status} {body.strip()}")
        assert not failures, "README examples that failed, in order:\n" + "\n".join(failures)
