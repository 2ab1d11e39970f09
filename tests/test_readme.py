"""The README's curl examples, run in order against a real `expapi serve` process of each flavour.

The comment under a command is its answer: ``# <body>`` the 1.10 flavour's, ``#   compat = 2:
[<status>] <body>`` the 2 flavour's. Without a ``compat = 2`` line the 2 flavour's answer is
the same object (in its own JSON spacing). A trailing ``   (...)`` is prose.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from expapi.db import Database
from expapi.flavours import FLAVOURS
from live_server import EXPAPI, LiveServer, clean_environment

README = Path(__file__).resolve().parent.parent / "README.md"

# Airflow 1.10's own documented example, which must work verbatim (with the DAG id filled in).
AIRFLOW_DOC_EXAMPLE = (
    "curl -X POST http://localhost:8080/api/experimental/dags/example_bash_operator/dag_runs "
    "-H 'Cache-Control: no-cache' -H 'Content-Type: application/json' "
    """-d '{"conf":"{\\"key\\":\\"value\\"}"}'"""
)

STATUS_MARK = "\n__HTTP_STATUS__ "


@dataclass
class Example:
    """One README command and the answers its comments show, by flavour: (status, body or None)."""

    command: str
    answers: dict[str, tuple[int, str | None]] = field(default_factory=dict)


ANSWER_1_10 = re.compile(r"^# ([{\[].*?)(?:\s{3}\(.*\))?$")
ANSWER_2 = re.compile(r"^#\s+compat = 2: (?:(\d{3}) )?([{\[].*?)(?:\s{3}\(.*\))?$")


def readme_examples(text: str) -> list[Example]:
    """Every command starting with `curl` in the README's ```bash / ```sh blocks, joined across `\\`
    lines, with the answers its comment lines show."""
    examples: list[Example] = []
    for block in re.findall(r"^```(?:bash|sh)[ \t]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        pending = ""
        current: Example | None = None
        for line in block.splitlines():
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1].strip() + " "
                continue
            logical = (pending + line.strip()).strip()
            pending = ""
            if logical.startswith("curl ") or logical == "curl":
                current = Example(logical)
                examples.append(current)
            elif current is not None and (match := ANSWER_2.match(logical)):
                current.answers["2"] = (int(match.group(1) or 200), match.group(2))
            elif current is not None and (match := ANSWER_1_10.match(logical)):
                current.answers["1.10"] = (200, match.group(1))
            elif not logical.startswith("#"):
                current = None
        if pending:
            examples.append(Example(pending.strip()))
    return examples


def readme_curl_commands(text: str) -> list[str]:
    return [example.command for example in readme_examples(text)]


# Airflow 2's trigger message says when the run was queued: "now".
QUEUED_AT = re.compile(r"queued_at: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00")


def expected_answer(example: Example, flavour: str) -> tuple[int | None, str | None]:
    """(status, exact body) the README promises in ``flavour``; None where it promises nothing."""
    if flavour in example.answers:
        return example.answers[flavour]
    if "1.10" in example.answers:  # the same object, written as the flavour writes JSON
        status, body = example.answers["1.10"]
        chosen = FLAVOURS[flavour]
        return status, json.dumps(json.loads(body), **chosen.dumps_options())
    return None, None


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
@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
def test_readme_curl_examples_against_a_live_server(
    flavour: str, home: Path, settings: dict[str, str], database: Database
) -> None:
    examples = readme_examples(README.read_text(encoding="utf-8"))
    assert len(examples) >= 17, examples
    assert AIRFLOW_DOC_EXAMPLE in [example.command for example in examples]
    assert sum(flavour in example.answers for example in examples) >= {"1.10": 10, "2": 6}[flavour]

    # Two workers, as a deployment would run it, on each database.
    env = clean_environment(home, **settings, EXPAPI__API__COMPAT=flavour)
    if flavour != "1.10":
        # The 1.10 example DAGs the database fixture loaded give way to this flavour's.
        subprocess.run([EXPAPI, "dags", "sync"], env=env, check=True, capture_output=True, cwd=home)
    with LiveServer(home, workers=2, env=env) as server:
        failures = []
        for example in examples:
            status, body = run_curl(example.command, server.port)
            expected_status, expected_body = expected_answer(example, flavour)
            body = QUEUED_AT.sub("queued_at: <now>", body.rstrip("\n"))
            if expected_body is not None:
                expected_body = QUEUED_AT.sub("queued_at: <now>", expected_body)
            if (expected_status is None and not 200 <= status < 300) or (
                expected_status is not None and (status, body) != (expected_status, expected_body)
            ):
                failures.append(f"{example.command}\n  -> {status} {body}\n  README: {expected_status} {expected_body}")
        assert not failures, "README examples that failed, in order:\n" + "\n".join(failures)
