"""The password backend's checks, in each flavour: a dummy hash for unknown users, off-loop hashing, the cache.

Wrong credentials get 1.10's 403 or Airflow 2's 401 with a challenge (``WRONG_CREDENTIALS``);
every answer of the 2 flavour carries Airflow 2's deprecation notice.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from expapi.auth import password_hashing
from expapi.auth.users import delete_user, password_hash_of, set_password_hash
from expapi.db import Database
from expapi.store.sql import SqlStorage
from auth_support import BASIC_CHALLENGE, NOTICE, PASSWORD, UNAUTHORIZED, USERNAME, WRONG_CREDENTIALS, basic, notice, refusal
from http_helpers import API


@pytest.fixture
def bcrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every bcrypt check made: (hash checked against, thread it ran on)."""
    calls: list[tuple[str, str]] = []
    real_checkpw = password_hashing.bcrypt.checkpw

    def spy(password: bytes, hashed: bytes) -> bool:
        calls.append((hashed.decode(), threading.current_thread().name))
        return real_checkpw(password, hashed)

    monkeypatch.setattr(password_hashing.bcrypt, "checkpw", spy)
    return calls


def test_an_unknown_user_costs_one_check_against_the_dummy_hash(flavour: str, password_client: TestClient, bcrypt_calls) -> None:
    response = password_client.get(f"{API}/test", headers=basic("nobody", PASSWORD))
    assert refusal(response) == WRONG_CREDENTIALS[flavour]
    assert notice(response) == NOTICE[flavour]
    assert [hashed for hashed, _ in bcrypt_calls] == [password_hashing.DUMMY_HASH]


def test_a_wrong_password_costs_one_check_against_the_users_hash(
    flavour: str, password_client: TestClient, database: Database, bcrypt_calls
) -> None:
    response = password_client.get(f"{API}/test", headers=basic(USERNAME, "wrong"))
    assert refusal(response) == WRONG_CREDENTIALS[flavour]
    with database.transaction() as session:
        assert [hashed for hashed, _ in bcrypt_calls] == [password_hash_of(session, USERNAME)]


def test_hashing_runs_off_the_event_loop(password_client: TestClient, bcrypt_calls) -> None:
    password_client.get(f"{API}/test", headers=basic())
    password_client.get(f"{API}/test", headers=basic("nobody", "x"))
    assert [thread for _, thread in bcrypt_calls] and all(t.startswith("expapi-bcrypt") for _, t in bcrypt_calls)


def test_a_successful_check_is_remembered(flavour: str, password_client: TestClient, bcrypt_calls) -> None:
    for _ in range(3):
        response = password_client.get(f"{API}/test", headers=basic())
        assert (response.status_code, response.json(), notice(response)) == (200, {"status": "OK"}, NOTICE[flavour])
    assert len(bcrypt_calls) == 1


def test_failed_checks_are_not_remembered(flavour: str, password_client: TestClient, bcrypt_calls) -> None:
    for _ in range(2):
        assert refusal(password_client.get(f"{API}/test", headers=basic(USERNAME, "wrong"))) == WRONG_CREDENTIALS[flavour]
    assert len(bcrypt_calls) == 2


def test_the_cache_does_not_accept_a_changed_password(flavour: str, password_client: TestClient, database: Database) -> None:
    assert password_client.get(f"{API}/test", headers=basic()).status_code == 200  # now cached
    with database.transaction() as session:
        set_password_hash(session, USERNAME, password_hashing.hash_password("a new password"))
    assert refusal(password_client.get(f"{API}/test", headers=basic())) == WRONG_CREDENTIALS[flavour]
    assert password_client.get(f"{API}/test", headers=basic(USERNAME, "a new password")).status_code == 200


def test_the_cache_does_not_accept_a_deleted_user(flavour: str, password_client: TestClient, database: Database) -> None:
    assert password_client.get(f"{API}/test", headers=basic()).status_code == 200  # now cached
    with database.transaction() as session:
        delete_user(session, USERNAME)
    assert refusal(password_client.get(f"{API}/test", headers=basic())) == WRONG_CREDENTIALS[flavour]


def test_the_access_log_names_the_user_and_never_the_password(
    flavour: str, password_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        password_client.get(f"{API}/test", headers=basic())
        password_client.get(f"{API}/test", headers=basic(USERNAME, "wrong-secret"))
    access = [r.getMessage() for r in caplog.records if r.name == "expapi.access"]
    assert access[0].startswith(f"testclient {USERNAME} \"GET /api/experimental/test\" 200")
    assert access[1].startswith(f"testclient - \"GET /api/experimental/test\" {WRONG_CREDENTIALS[flavour][0]}")
    everything = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert PASSWORD not in everything and "wrong-secret" not in everything


def test_a_stored_value_that_is_not_a_bcrypt_hash_is_refused_not_a_crash(
    flavour: str, password_client: TestClient, database: Database
) -> None:
    with database.transaction() as session:
        set_password_hash(session, USERNAME, "not a bcrypt hash")
    assert refusal(password_client.get(f"{API}/test", headers=basic())) == WRONG_CREDENTIALS[flavour]


def test_a_database_failure_answers_503_not_500(flavour: str, password_client: TestClient, home: Path) -> None:
    # The app's database swapped for one that cannot be opened: the credential check fails
    # the way it does when a database server is down (tests/test_faults.py stops real ones).
    runtime = password_client.app.runtime
    runtime.close()
    runtime.storage = SqlStorage.from_url(f"sqlite:///{home}/missing/dir/expapi.db")
    response = password_client.get(f"{API}/test", headers=basic())
    assert (response.status_code, response.json()) == (503, {"error": "The metadata database is unavailable; try again shortly"})
    assert notice(response) == NOTICE[flavour]


# From tests/auth/test_flavour_auth.py: what no credentials and good ones get, per flavour.


def test_missing_credentials_are_challenged_in_every_flavour(flavour: str, password_client: TestClient) -> None:
    response = password_client.get(f"{API}/test")
    assert refusal(response) == (401, UNAUTHORIZED, BASIC_CHALLENGE)
    assert response.headers["content-type"] == "application/json"
    assert notice(response) == NOTICE[flavour]
