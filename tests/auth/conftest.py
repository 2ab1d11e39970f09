"""Fixtures for the authentication tests: quick bcrypt, a password-backend client and a real Kerberos realm."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from expapi.auth import password_hashing
from expapi.db import Database
from expapi.flavours import FLAVOURS
from kdc import Realm
from auth_support import add_user, require_kerberos


@pytest.fixture(autouse=True)
def quick_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash test users at bcrypt's lowest cost; the real cost is checked in test_password_hashing."""
    monkeypatch.setattr(password_hashing, "ROUNDS", 4)


@pytest.fixture(params=sorted(FLAVOURS))
def flavour(request: pytest.FixtureRequest) -> str:
    """The ``[api] compat`` of the app under test: every password and Kerberos test runs in each."""
    return request.param


@pytest.fixture
def password_settings(settings: dict[str, str], flavour: str) -> dict[str, str]:
    settings["EXPAPI__API__AUTH_BACKEND"] = "password"
    settings["EXPAPI__API__COMPAT"] = flavour
    return settings


@pytest.fixture
def password_client(password_settings: dict[str, str], database: Database, client: TestClient) -> TestClient:
    """A client of an app with the password backend and the user hello/world."""
    add_user(database)
    return client


@pytest.fixture(scope="session")
def kerberos_realm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Realm]:
    """A throwaway realm on loopback, with its variables in this process's environment."""
    require_kerberos()
    realm = Realm(tmp_path_factory.mktemp("kerberos")).start()
    saved = {name: os.environ.get(name) for name in realm.environ}
    os.environ.update(realm.environ)
    try:
        yield realm
    finally:
        realm.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def kerberos_settings(kerberos_realm: Realm, settings: dict[str, str], flavour: str) -> dict[str, str]:
    settings["EXPAPI__API__AUTH_BACKEND"] = "kerberos"
    settings["EXPAPI__API__COMPAT"] = flavour
    return settings


@pytest.fixture
def isolated_keytab_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """KRB5_KTNAME restored after the test (the kerberos backend sets it, as Airflow does)."""
    monkeypatch.delenv("KRB5_KTNAME", raising=False)
