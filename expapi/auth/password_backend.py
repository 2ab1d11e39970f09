"""The password backend: HTTP Basic against the users table (Airflow 1.10's ``password_auth``)."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from starlette.concurrency import run_in_threadpool

from expapi.auth import password_hashing
from expapi.auth.base import Backend, Identity, forbidden, unauthorized
from expapi.auth.basic_credentials import MalformedCredentials, parse_basic
from expapi.auth.credential_cache import RecentlyConfirmed, VerifiedCredentials
from expapi.auth.login_throttle import FailedLogins
from expapi.auth.users import password_hash_of
from expapi.auth.users_changed import users_version
from expapi.runtime import http_error
from expapi.store.outcomes import StoreFailure

CHALLENGE = 'Basic realm="expapi"'


class PasswordBackend(Backend):
    """Basic credentials checked against bcrypt hashes; 401 without them, the flavour's status when they are wrong."""

    name = "password"
    scheme = "basic"

    def __init__(self, runtime) -> None:
        """An empty cache of verified credentials and a pool of hashing threads."""
        super().__init__(runtime)
        self.verified = VerifiedCredentials()
        home = runtime.config.home
        self.confirmed = RecentlyConfirmed(version=lambda: users_version(home))
        # bcrypt is CPU-bound: its own pool keeps a flood of bad passwords from taking every
        # thread the request handlers run on, and one core is left to everything else
        # (a request with cached credentials needs no bcrypt at all).
        self._hashing = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 1) - 1), thread_name_prefix="expapi-bcrypt")
        api = runtime.config.api
        self.failed_logins = FailedLogins(api.failed_login_limit, api.failed_login_window)

    async def authenticate(self, authorization: str | None, client: str | None = None) -> Identity:
        """The user named in valid Basic credentials."""
        try:
            username, password = parse_basic(authorization)
        except MalformedCredentials:
            raise unauthorized(CHALLENGE) from None
        # Refused before any check: a throttled guess costs no bcrypt, and a correct
        # password (even a cached one) cannot be told from a wrong one while it lasts.
        throttle_keys = [("user", username)] + ([("address", client)] if client else [])
        self.failed_logins.refuse_if_throttled(throttle_keys)
        try:
            accepted = await self._check(username, password)
        except StoreFailure as failure:
            raise http_error(failure) from None
        if not accepted:
            self.failed_logins.record_failure(throttle_keys)
            # 1.10's password_auth answers 403 here; Airflow 2's basic_auth answers 401.
            raise forbidden() if self.runtime.flavour.wrong_password_status == 403 else unauthorized(CHALLENGE)
        return Identity(user=username)

    async def _check(self, username: str, password: str) -> bool:
        """Whether the password is the user's: from the caches, or with one bcrypt check."""
        if self.confirmed.holds(username, password):
            return True  # confirmed against the users table a few seconds ago: no thread, no query
        stored = await run_in_threadpool(self._stored_hash, username)
        if stored is not None and self.verified.holds(username, password, stored):
            self.confirmed.note(username, password)
            return True
        loop = asyncio.get_running_loop()
        matches = await loop.run_in_executor(
            self._hashing, password_hashing.verify_password, password, stored or password_hashing.DUMMY_HASH
        )
        if matches and stored is not None:
            self.verified.remember(username, password, stored)
            self.confirmed.note(username, password)
            return True
        return False

    def _stored_hash(self, username: str) -> str | None:
        """The user's password hash, read in a transaction of its own on the metadata database."""
        with self.runtime.database_session() as session:
            return password_hash_of(session, username)
