"""The few-second memory that lets a warm Basic request skip the users-table read, and what ends it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from expapi.auth import password_backend, users_changed as users_changed_module
from expapi.auth.credential_cache import RecentlyConfirmed
from expapi.auth.users_changed import MARKER, use_home, users_changed, users_version
from auth_support import USERNAME, WRONG_CREDENTIALS, basic, refusal
from http_helpers import API


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_pair_is_held_for_the_ttl_only() -> None:
    clock = Clock()
    confirmed = RecentlyConfirmed(ttl_seconds=5, clock=clock)
    confirmed.note("hello", "world")
    assert confirmed.holds("hello", "world")
    assert not confirmed.holds("hello", "world!") and not confirmed.holds("hell", "oworld")
    clock.now += 5
    assert not confirmed.holds("hello", "world")
    assert len(confirmed) == 0


def test_a_version_change_forgets_everything_and_blocks_a_note_taken_across_it() -> None:
    version = [1]
    confirmed = RecentlyConfirmed(version=lambda: version[0])
    confirmed.note("hello", "world")
    version[0] = 2
    assert not confirmed.holds("hello", "world")
    assert len(confirmed) == 0
    confirmed.note("hello", "world")  # seen version is now 2: noted
    assert confirmed.holds("hello", "world")
    version[0] = 3
    confirmed.note("other", "pw")  # read before the change was seen: not noted
    assert not confirmed.holds("other", "pw")


def test_zero_ttl_turns_it_off_and_digests_hold_no_plaintext() -> None:
    off = RecentlyConfirmed(ttl_seconds=0)
    off.note("hello", "world")
    assert not off.holds("hello", "world") and len(off) == 0
    on = RecentlyConfirmed()
    on.note("hello", "world")
    assert all(len(d) == 32 and b"world" not in d for d in on._expiry)


def test_users_changed_moves_the_version_in_this_process_and_through_the_marker(home, monkeypatch) -> None:
    monkeypatch.setattr(users_changed_module, "_home", None)  # use_home's choice ends with the test
    use_home(home)
    before = users_version(home)
    users_changed()
    assert users_version(home) != before
    assert (home / MARKER).exists()
    # Another process (as `expapi users` is) moves it through the marker file alone.
    seen = users_version(home)
    os.utime(home / MARKER, ns=(0, seen[1] + 10_000_000))
    assert users_version(home) != seen


@pytest.fixture
def table_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = password_backend.PasswordBackend._stored_hash

    def spy(self, username: str):
        reads.append(username)
        return real(self, username)

    monkeypatch.setattr(password_backend.PasswordBackend, "_stored_hash", spy)
    return reads


def test_a_warm_request_reads_no_user_row(password_client: TestClient, table_reads: list[str]) -> None:
    for _ in range(3):
        assert password_client.get(f"{API}/test", headers=basic()).status_code == 200
    assert table_reads == [USERNAME]


def test_a_wrong_password_is_never_confirmed(password_client: TestClient, table_reads: list[str], flavour: str) -> None:
    assert password_client.get(f"{API}/test", headers=basic()).status_code == 200
    for _ in range(2):
        response = password_client.get(f"{API}/test", headers=basic(USERNAME, "wrong"))
        assert refusal(response) == WRONG_CREDENTIALS[flavour]
    assert table_reads == [USERNAME] * 3


def test_expapi_users_delete_in_another_process_ends_a_warm_login(password_client: TestClient, settings, home, flavour: str) -> None:
    assert password_client.get(f"{API}/test", headers=basic()).status_code == 200
    env = {**os.environ, **settings, "EXPAPI_HOME": str(home)}
    # Run from the home, not the checkout: `-c` puts the working folder first on sys.path, and the
    # checkout's expapi (its models live beside it, mapped in only by the install) must not shadow
    # the installed one.
    command = [sys.executable, "-c", "import sys; from expapi.cli import main; sys.exit(main())", "users", "delete", "--username", USERNAME]
    deleted = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True)
    assert deleted.returncode == 0, deleted.stderr
    response = password_client.get(f"{API}/test", headers=basic())
    assert refusal(response) == WRONG_CREDENTIALS[flavour]
