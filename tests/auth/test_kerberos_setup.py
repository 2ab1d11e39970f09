"""Choosing the Kerberos backend on a machine without python-gssapi (no KDC needed)."""

from __future__ import annotations

import sys

import pytest

from expapi.app import create_app
from expapi.cli import main
from expapi.config import ConfigError, load_config
import auth_support as support


@pytest.fixture
def without_gssapi(monkeypatch: pytest.MonkeyPatch, isolated_keytab_variable) -> None:
    monkeypatch.setitem(sys.modules, "gssapi", None)  # ``import gssapi`` now raises ImportError


@pytest.mark.usefixtures("without_gssapi")
def test_the_app_refuses_to_start_with_the_install_hint(home) -> None:
    config = load_config(home, environ={"EXPAPI__API__AUTH_BACKEND": "kerberos"})
    with pytest.raises(ConfigError) as raised:
        create_app(config)
    message = str(raised.value)
    assert "pip install 'expapi[kerberos]'" in message and "\n" not in message


@pytest.mark.usefixtures("without_gssapi")
def test_serve_stops_with_one_line(monkeypatch: pytest.MonkeyPatch, home, capsys) -> None:
    monkeypatch.setenv("EXPAPI_HOME", str(home))
    monkeypatch.setenv("EXPAPI__API__AUTH_BACKEND", "airflow.api.auth.backend.kerberos_auth")
    monkeypatch.setattr("expapi.cli.supervisor.serve", lambda *a, **k: pytest.fail("the server must not start"))
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("expapi: configuration error: [api] auth_backend = kerberos needs python-gssapi")


def test_missing_prerequisites_skip_with_a_hint_but_fail_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(support, "missing_requirements", lambda: ["krb5kdc", "python module gssapi"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"krb5kdc, python module gssapi: apt-get install krb5-kdc .*expapi\[kerberos\]"):
        support.require_kerberos()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="krb5kdc"):
        support.require_kerberos()
