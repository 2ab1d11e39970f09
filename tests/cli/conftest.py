"""Fixtures for the command tests: a home the commands find through EXPAPI_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from expapi.cli import main


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """EXPAPI_HOME for the commands, with a dags folder and no EXPAPI* settings leaking in."""
    for name in list(os.environ):
        if name.startswith("EXPAPI"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("EXPAPI_HOME", str(tmp_path))
    (tmp_path / "dags").mkdir(exist_ok=True)
    return tmp_path


@pytest.fixture
def cli_home(home: Path) -> Path:
    """The same home with the example DAGs loaded, for the API commands."""
    assert main(["dags", "sync"]) == 0
    return home
