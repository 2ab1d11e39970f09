"""``python benchmarks/run.py`` runs end to end (one short pass): every line measured, none failing.

Only that the command works is checked here; its timings are never asserted in tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from databases import IN_CI

pytestmark = pytest.mark.live

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_the_benchmark_command_measures_every_line(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        if IN_CI:
            pytest.fail("wrk is not installed (apt-get install wrk)")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    output = tmp_path / "figures.json"
    command = [sys.executable, str(RUN), "--seconds", "1", "--workers", "1", "--connections", "1", "--no-postgres", "--json", str(output)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    figures = json.loads(output.read_text())
    # One second per line: a 10,000-run listing may not finish within it, so only the light
    # lines must have answered; no line may have met an error.
    assert [line for line in figures["lines"] if line["errors"]] == []
    assert all(line["req_s"] > 0 for line in figures["lines"] if line["name"] in ("GET /test", "GET /pools"))
    measured = {(line["target"], line["name"]) for line in figures["lines"]}
    assert measured == {("starlette", "GET /test")} | {
        ("expapi", name)
        for name in (
            "GET /test", "GET /pools", "GET dag_runs (211 runs)", "GET /latest_runs (1 DAG, 211 runs)",
            "GET task-instance info", "GET dag_runs (10,000 runs)", "GET /latest_runs (100 DAGs x 100 runs)",
            "POST trigger (distinct dates)", "GET /pools (password backend)",
        )
    }
    assert {(f["target"], f["workers"]) for f in figures["footprints"]} == {("starlette", 1), ("expapi", 1)}
    assert all(f["idle"]["pss_mib"] > 0 and f["loaded"]["pss_mib"] > 0 for f in figures["footprints"] if f["target"] == "expapi")
    assert "| expapi | sqlite | 1 | GET /pools |" in finished.stdout
