"""The password backend: HTTP Basic against the users table (Airflow 1.10's ``password_auth``)."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from starlette.concurrency import run_in_threadpool

from expapi.auth import password_hashing
from expapi.auth.base import Backend, Identity, forbidden, unauthorized
from expapi.auth.basic_credentials import MalformedCredentials, parse_basic
from expapi.auth.credential_cache import VerifiedCredentials
from expapi.auth.users import password_hash_of
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
        # bcrypt is CPU-bound: its own pool, one thread per core, keeps a flood of bad
        # passwords from taking every thread the request handlers run on.
        self._hashing = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="expapi-bcrypt")

    async def authenticate(self, authorization: str | None) -> Identity:
        """The user named in valid Basic credentials."""
        try:
            username, password = parse_basic(authorization)
        except MalformedCredentials:
            raise unauthorized(CHALLENGE) from None
        try:
            accepted = await self._check(username, password)
        except StoreFailure as failure:
            raise http_error(failure) from None
        if not accepted:
            # 1.10's password_auth answers 403 here; Airflow 2's basic_auth answers 401.
            raise forbidden() if self.runtime.flavour.wrong_password_status == 403 else unauthorized(CHALLENGE)
        return Identity(user=username)

    async def _check(self, username: str, password: str) -> bool:
        """Whether the password is the user's: from the cache, or with one bcrypt check."""
        stored = await run_in_threadpool(self._stored_hash, username)
        if stored is not None and self.verified.holds(username, password, stored):
            return True
        loop = asyncio.get_running_loop()
        matches = await loop.run_in_executor(
            self._hashing, password_hashing.verify_password, password, stored or password_hashing.DUMMY_HASH
        )
        if matches and stored is not None:
            self.verified.remember(username, password, stored)
            return True
        return False

    def _stored_hash(self, username: str) -> str | None:
        """The user's password hash, read in a transaction of its own on the metadata database."""
        with self.runtime.database_session() as session:
            return password_hash_of(session, username)
