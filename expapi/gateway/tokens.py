"""Airflow 3's JWTs, cached: the gateway's own, and one per caller in passthrough mode.

A caller's token is filed under an HMAC of their credentials with a key made at start-up, so
the cache never holds a password, and its keys mean nothing outside this process.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from expapi.auth.basic_credentials import MalformedCredentials, parse_basic

# Renew this long before a token's expiry (or at half its life, if that is sooner), so a
# request never carries a token that expires on the way.
RENEW_MARGIN = 60.0
# Callers' tokens kept at most; the least recently used goes first.
MAX_TOKENS = 1024


@dataclass(frozen=True)
class Credentials:
    """A username and password: the gateway's own, or a caller's (passthrough)."""

    username: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='***')"


def caller_credentials(authorization: str | None) -> Credentials | None:
    """The Basic credentials in a request's Authorization header (for passthrough), or None."""
    try:
        username, password = parse_basic(authorization)
    except MalformedCredentials:
        return None
    return Credentials(username, password)


def expiry_of(token: str) -> float | None:
    """The ``exp`` claim of a JWT (seconds since the epoch), read without checking the signature.

    None when the token has no readable ``exp``; such a token is kept until Airflow refuses it.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


@dataclass
class _Entry:
    token: str
    renew_at: float


class TokenCache:
    """Tokens by key, each until shortly before its expiry; safe to share between threads."""

    def __init__(self, clock: Callable[[], float] = time.time, max_entries: int = MAX_TOKENS) -> None:
        self._clock = clock
        self._max = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)

    def key_for(self, credentials: Credentials | None) -> str:
        """The cache key of a set of credentials (None: the all-admins token of no one)."""
        if credentials is None:
            return "anonymous"
        text = f"{credentials.username}\0{credentials.password}".encode()
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()

    def get(self, key: str) -> str | None:
        """The token filed under ``key``, unless it is due for renewal."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() >= entry.renew_at:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.token

    def put(self, key: str, token: str) -> None:
        """File ``token`` under ``key`` until shortly before the expiry it carries."""
        now = self._clock()
        expiry = expiry_of(token)
        renew_at = float("inf") if expiry is None else expiry - min(RENEW_MARGIN, max(expiry - now, 0) / 2)
        with self._lock:
            self._entries[key] = _Entry(token, renew_at)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget(self, key: str, token: str) -> None:
        """Drop ``token`` (refused by Airflow), unless another thread already replaced it."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.token == token:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
