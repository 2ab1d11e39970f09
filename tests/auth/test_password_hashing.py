"""Password hashing: bcrypt at cost 12, a dummy hash of the same cost, and bcrypt's 72-byte limit."""

from __future__ import annotations

import pytest

from expapi.auth import password_hashing
from auth_support import REAL_ROUNDS


def test_hashes_are_bcrypt_at_cost_12(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(password_hashing, "ROUNDS", REAL_ROUNDS)
    hashed = password_hashing.hash_password("world")
    assert REAL_ROUNDS == 12
    assert hashed.startswith("$2b$12$") and len(hashed) == 60
    assert password_hashing.verify_password("world", hashed)
    assert not password_hashing.verify_password("World", hashed)


def test_the_dummy_hash_costs_as_much_as_a_real_one() -> None:
    assert password_hashing.DUMMY_HASH.startswith(f"$2b${REAL_ROUNDS}$") and len(password_hashing.DUMMY_HASH) == 60


def test_every_hash_is_salted() -> None:
    assert password_hashing.hash_password("world") != password_hashing.hash_password("world")


@pytest.mark.parametrize("password", ["", "é" * 37], ids=["empty", "73-bytes"])
def test_unusable_passwords_are_refused(password: str) -> None:
    with pytest.raises(password_hashing.UnusablePassword):
        password_hashing.hash_password(password)


def test_a_password_longer_than_any_stored_one_never_matches() -> None:
    hashed = password_hashing.hash_password("x" * 72)
    assert password_hashing.verify_password("x" * 72, hashed)
    assert not password_hashing.verify_password("x" * 73, hashed)


def test_a_stored_value_that_is_not_a_hash_never_matches() -> None:
    assert not password_hashing.verify_password("world", "plain text")
