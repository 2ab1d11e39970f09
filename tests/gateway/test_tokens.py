"""Airflow 3's tokens: read their expiry, keep them until shortly before it, and key them safely."""

from __future__ import annotations

import pytest

from expapi.gateway.tokens import RENEW_MARGIN, Credentials, TokenCache, caller_credentials, expiry_of
from jwt_helpers import make_token


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TestExpiryOf:
    def test_reads_the_exp_claim(self) -> None:
        assert expiry_of(make_token({"sub": "admin", "exp": 1_000_060})) == 1_000_060.0

    @pytest.mark.parametrize(
        "token",
        [
            "not-a-jwt",
            "a.b",
            "a.!!!.c",
            make_token({"sub": "admin"}),
            make_token({"exp": "tomorrow"}),
            make_token({"exp": True}),
            "a." + "W10" + ".c",  # a JSON list, not an object
        ],
    )
    def test_none_without_a_readable_exp(self, token: str) -> None:
        assert expiry_of(token) is None


class TestTokenCache:
    def test_keeps_a_token_until_the_margin_before_its_expiry(self) -> None:
        clock = FakeClock()
        cache = TokenCache(clock)
        token = make_token({"exp": clock.now + 3600})
        cache.put("k", token)
        clock.now += 3600 - RENEW_MARGIN - 1
        assert cache.get("k") == token
        clock.now += 1
        assert cache.get("k") is None
        assert len(cache) == 0

    def test_a_short_lived_token_is_renewed_at_half_its_life(self) -> None:
        clock = FakeClock()
        cache = TokenCache(clock)
        cache.put("k", make_token({"exp": clock.now + 40}))
        clock.now += 19.9
        assert cache.get("k") is not None
        clock.now += 0.1
        assert cache.get("k") is None

    def test_a_token_without_expiry_stays_until_forgotten(self) -> None:
        clock = FakeClock()
        cache = TokenCache(clock)
        cache.put("k", "opaque")
        clock.now += 10 * 365 * 86400
        assert cache.get("k") == "opaque"
        cache.forget("k", "opaque")
        assert cache.get("k") is None

    def test_forget_leaves_a_newer_token_alone(self) -> None:
        cache = TokenCache()
        cache.put("k", "new")
        cache.forget("k", "old")
        assert cache.get("k") == "new"

    def test_the_least_recently_used_token_goes_first(self) -> None:
        cache = TokenCache(max_entries=2)
        cache.put("a", "1")
        cache.put("b", "2")
        assert cache.get("a") == "1"
        cache.put("c", "3")
        assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("1", None, "3")

    def test_keys_hide_the_credentials_and_differ_per_process(self) -> None:
        cache, other = TokenCache(), TokenCache()
        alice = Credentials("alice", "wonderland")
        key = cache.key_for(alice)
        assert key == cache.key_for(Credentials("alice", "wonderland"))
        assert key != cache.key_for(Credentials("alice", "wonderland!"))
        assert key != cache.key_for(Credentials("alicew", "onderland"))
        assert key != other.key_for(alice)
        assert "alice" not in key and "wonderland" not in key
        assert cache.key_for(None) == "anonymous"


def test_credentials_never_show_their_password() -> None:
    assert repr(Credentials("alice", "wonderland")) == "Credentials(username='alice', password='***')"


class TestCallerCredentials:
    def test_read_from_a_basic_header(self) -> None:
        assert caller_credentials("Basic YWxpY2U6d29uZGVyOmxhbmQ=") == Credentials("alice", "wonder:land")

    @pytest.mark.parametrize("header", [None, "", "Bearer abc", "Basic !!!", "Basic YWxpY2U="])
    def test_none_without_readable_basic_credentials(self, header: str | None) -> None:
        assert caller_credentials(header) is None
