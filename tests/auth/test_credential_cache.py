"""The memory of successful password checks: keyed digests only, short-lived and bounded."""

from __future__ import annotations

from expapi.auth.credential_cache import VerifiedCredentials


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_holds_exactly_the_triple_it_was_given() -> None:
    cache = VerifiedCredentials()
    cache.remember("hello", "world", "$2b$hash")
    assert cache.holds("hello", "world", "$2b$hash")
    assert not cache.holds("hello", "world!", "$2b$hash")
    assert not cache.holds("hello", "world", "$2b$another-hash")  # the password changed
    assert not cache.holds("hell", "oworld", "$2b$hash")


def test_the_parts_cannot_run_into_each_other() -> None:
    cache = VerifiedCredentials()
    cache.remember("a\0b", "c", "h")
    assert not cache.holds("a", "b\0c", "h")


def test_entries_expire() -> None:
    clock = Clock()
    cache = VerifiedCredentials(ttl_seconds=300, clock=clock)
    cache.remember("hello", "world", "h")
    clock.now += 299
    assert cache.holds("hello", "world", "h")
    clock.now += 1
    assert not cache.holds("hello", "world", "h")
    assert len(cache) == 0


def test_it_is_bounded_and_forgets_the_oldest_first() -> None:
    cache = VerifiedCredentials(max_entries=2)
    for name in ("a", "b", "c"):
        cache.remember(name, "pw", "h")
    assert len(cache) == 2
    assert not cache.holds("a", "pw", "h")
    assert cache.holds("b", "pw", "h") and cache.holds("c", "pw", "h")


def test_it_keeps_no_plaintext_and_its_key_is_per_instance() -> None:
    first, second = VerifiedCredentials(), VerifiedCredentials()
    first.remember("hello", "world", "h")
    stored = list(first._expiry)
    assert all(isinstance(d, bytes) and len(d) == 32 and b"world" not in d for d in stored)
    assert not second.holds("hello", "world", "h")
