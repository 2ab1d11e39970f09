"""``expapi serve`` warns when the open backend listens where other machines can reach it."""

from __future__ import annotations

import os

import pytest

from expapi.cli import main
from expapi.cli.server import is_loopback

WARNING = "WARNING expapi.cli.server: [api] auth_backend = default checks no credentials"


@pytest.fixture
def serve(home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run ``expapi serve`` up to the point where uvicorn would start; returns its stderr."""
    monkeypatch.setenv("EXPAPI_HOME", str(home))
    for name in [n for n in os.environ if n.startswith("EXPAPI__")]:
        monkeypatch.delenv(name)
    started = []
    monkeypatch.setattr("expapi.cli.supervisor.serve", lambda *args, **kwargs: started.append(kwargs["host"]))

    def serve(*args: str, backend: str | None = None) -> str:
        if backend:
            monkeypatch.setenv("EXPAPI__API__AUTH_BACKEND", backend)
        assert main(["serve", *args]) == 0
        assert started
        return capsys.readouterr().err

    return serve


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.test"])
def test_the_open_backend_off_loopback_is_warned_about(serve, host: str) -> None:
    err = serve("--host", host)
    assert WARNING in err
    assert f"and {host} can be reached from other machines" in err
    assert "Set [api] auth_backend (EXPAPI__API__AUTH_BACKEND) to deny_all, password or kerberos" in err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"])
def test_loopback_is_not_warned_about(serve, host: str) -> None:
    assert "checks no credentials" not in serve("--host", host)


def test_the_default_address_is_loopback(serve) -> None:
    assert "checks no credentials" not in serve()


@pytest.mark.parametrize("backend", ["deny_all", "password", "airflow.contrib.auth.backends.password_auth"])
def test_a_real_backend_is_not_warned_about(serve, backend: str) -> None:
    assert "checks no credentials" not in serve("--host", "0.0.0.0", backend=backend)


def test_is_loopback() -> None:
    assert is_loopback("LOCALHOST") and is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("")
