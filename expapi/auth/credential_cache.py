"""A short memory of successful password checks, so Basic auth costs no bcrypt per request."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import OrderedDict
from typing import Callable


class _ExpiringDigests:
    """Keyed digests of secrets, each held until its expiry; the oldest go when full.

    The key is random per process and never leaves it, so a digest cannot be tested
    offline against guesses. Only used from the event loop, so it needs no lock.
    """

    def __init__(self, ttl_seconds: float, max_entries: int, clock: Callable[[], float]) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._expiry: OrderedDict[bytes, float] = OrderedDict()

    def _digest(self, *parts: str) -> bytes:
        # JSON of the list keeps the parts apart whatever characters they hold.
        return hmac.new(self._key, json.dumps(list(parts)).encode("utf-8"), hashlib.sha256).digest()

    def _held(self, digest: bytes) -> bool:
        expiry = self._expiry.get(digest)
        if expiry is None:
            return False
        if expiry <= self._clock():
            del self._expiry[digest]
            return False
        return True

    def _hold(self, digest: bytes) -> None:
        self._expiry[digest] = self._clock() + self.ttl_seconds
        self._expiry.move_to_end(digest)
        while len(self._expiry) > self.max_entries:
            self._expiry.popitem(last=False)

    def __len__(self) -> int:
        return len(self._expiry)


class VerifiedCredentials(_ExpiringDigests):
    """Recently verified (username, password, stored hash) triples, kept only as keyed digests.

    The stored hash is part of what is digested: a new password or a deleted user changes
    (or removes) it, and the old entry can never match again.
    """

    def __init__(self, ttl_seconds: float = 300.0, max_entries: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(ttl_seconds, max_entries, clock)

    def holds(self, username: str, password: str, password_hash: str) -> bool:
        """Whether this exact triple was verified less than ``ttl_seconds`` ago."""
        return self._held(self._digest(username, password, password_hash))

    def remember(self, username: str, password: str, password_hash: str) -> None:
        """Note a successful check; the oldest entries go when the cache is full."""
        self._hold(self._digest(username, password, password_hash))


class RecentlyConfirmed(_ExpiringDigests):
    """(username, password) pairs whose stored hash was read and matched a moment ago.

    Lets a warm request skip even the users-table read: for ``ttl_seconds`` (a few seconds)
    after a confirmed check, the same pair is accepted without asking the database. That
    is how long a password changed or a user deleted by ``expapi users`` (another process,
    so no in-process invalidation can reach every worker) may still be accepted by a
    worker that just saw it, unless ``version`` (users_changed's signal) moves first: then
    every entry is forgotten. Kept as keyed digests, like VerifiedCredentials; only
    successes are ever noted.
    """

    def __init__(
        self,
        ttl_seconds: float = 5.0,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
        version: Callable[[], object] = lambda: None,
    ) -> None:
        super().__init__(ttl_seconds, max_entries, clock)
        self._version = version
        self._seen_version = version()

    def holds(self, username: str, password: str) -> bool:
        """Whether this pair was confirmed against the database less than ``ttl_seconds`` ago."""
        if self.ttl_seconds <= 0:
            return False
        version = self._version()
        if version != self._seen_version:
            self._expiry.clear()
            self._seen_version = version
            return False
        return self._held(self._digest(username, password))

    def note(self, username: str, password: str) -> None:
        """Note a check confirmed against the database; the oldest entries go when full."""
        if self.ttl_seconds <= 0 or self._version() != self._seen_version:
            return  # the users changed while this check ran: it may have read the old row
        self._hold(self._digest(username, password))
