"""Password hashing: bcrypt at cost 12, as Airflow 1.10's password backend stored them."""

from __future__ import annotations

import bcrypt

ROUNDS = 12
# bcrypt reads at most 72 bytes; longer passwords are refused rather than cut silently.
MAX_PASSWORD_BYTES = 72
# A hash of a random password nobody knows, checked when the user is unknown, so that
# an unknown user costs one bcrypt check like a known one (no timing oracle).
DUMMY_HASH = "$2b$12$3y/.pGYWDqD1o22Js4oroeKnbyyLVFm86gd2ojL0.c5hrWBtXtz0S"


class UnusablePassword(ValueError):
    """A password that cannot be stored: empty, or too long for bcrypt."""


def check_usable(password: str) -> None:
    """Raise UnusablePassword unless ``password`` can be hashed as it is."""
    if not password:
        raise UnusablePassword("the password is empty")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise UnusablePassword(f"the password is longer than {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)")


def hash_password(password: str) -> str:
    """A salted bcrypt hash of ``password`` (slow on purpose: run it off the event loop)."""
    check_usable(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(ROUNDS)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (slow on purpose: run it off the event loop)."""
    candidate = password.encode("utf-8")
    # Over-long passwords were never stored; check the first 72 bytes so the cost stays the same.
    try:
        matches = bcrypt.checkpw(candidate[:MAX_PASSWORD_BYTES], password_hash.encode("ascii"))
    except ValueError:  # a stored value that is not a bcrypt hash
        return False
    return matches and len(candidate) <= MAX_PASSWORD_BYTES
