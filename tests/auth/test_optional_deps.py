""".ci/optional_deps.py: python-gssapi is installed for the tests only where it can compile."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def script():
    spec = importlib.util.spec_from_file_location("optional_deps", ROOT / ".ci" / "optional_deps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_installs_what_the_kerberos_extra_names(script) -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extra = re.search(r"^kerberos = \[(.*)\]$", pyproject, re.M)
    assert extra and extra.group(1) == f'"{script.KERBEROS_REQUIREMENT}"'


def test_it_installs_nothing_without_krb5_config(script, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(script.shutil, "which", lambda name: None)
    monkeypatch.setattr(script.subprocess, "call", lambda *a, **k: pytest.fail("pip must not run"))
    assert script.main() == 0
    assert "krb5-config not found" in capsys.readouterr().out


def test_it_pip_installs_gssapi_with_krb5_config(script, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(script.shutil, "which", lambda name: "/usr/bin/krb5-config")
    monkeypatch.setattr(script.subprocess, "call", lambda command: calls.append(command) or 0)
    assert script.main() == 0
    assert calls and calls[0][1:] == ["-m", "pip", "install", "--quiet", script.KERBEROS_REQUIREMENT]


def test_tox_runs_it_and_passes_ci_through() -> None:
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    assert "python {toxinidir}/.ci/optional_deps.py" in tox
    assert re.search(r"pass_env =(\n    .+)*\n    CI\n", tox)
