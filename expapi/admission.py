"""How many requests may use the database at once, so a held lock stalls only those that need it.

Handlers run in worker threads. When writers pile up behind a row lock, each holds a
thread and a connection while it waits; once the connections are all taken, every other
request would wait too, first for a connection and then for a thread, with no bound at all.
Admission happens on the event loop, before a thread is taken: a request waits at most
``[database] pool_timeout`` for a slot, then answers 503; and writes get fewer slots than
there are connections, so reads always find one. Each slot has its thread: handlers run in
anyio's worker threads (the gateway's store calls back into the event loop from them) under
a limiter as large as the slots, so no more threads, each with its own allocator arena, work
at once than there are slots (anyio's default would allow 40).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from expapi.db import MAX_OVERFLOW, POOL_SIZE

T = TypeVar("T")

# Methods whose operations only read (Airflow's GET /paused/<value> writes, and is rare).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AdmissionTimeout(Exception):
    """No slot came free within the wait allowed."""

    def __init__(self, waited: float, slots: int) -> None:
        super().__init__(f"all {slots} database slots stayed busy for {waited:g} s")


class Admission:
    """Slots for units of work: ``capacity`` in all, of which writes may take ``capacity - reserved_for_reads``.

    Made inside the event loop that uses it.
    """

    def __init__(self, timeout: float, capacity: int = POOL_SIZE + MAX_OVERFLOW, reserved_for_reads: int = POOL_SIZE) -> None:
        self.timeout = timeout
        self.capacity = capacity
        # asyncio's semaphores belong to one event loop: made in it, used only in it.
        self.loop = asyncio.get_running_loop()
        self._all = asyncio.Semaphore(capacity)
        self._writes = asyncio.Semaphore(max(1, capacity - reserved_for_reads))
        self._threads = anyio.CapacityLimiter(capacity)

    @asynccontextmanager
    async def slot(self, method: str) -> AsyncIterator[None]:
        """Hold a slot while the block runs; raises AdmissionTimeout after ``timeout`` seconds without one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        writes = method.upper() not in READ_METHODS
        if writes:
            await self._acquire(self._writes, deadline)
        try:
            await self._acquire(self._all, deadline)
            try:
                yield
            finally:
                self._all.release()
        finally:
            if writes:
                self._writes.release()

    async def run(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``function`` in a worker thread, in the caller's context; call it while holding a slot.

        If the waiting request is cancelled, the thread cannot be: the slot stays held until
        the thread is done with its connection (anyio waits for it).
        """
        return await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs), limiter=self._threads)

    async def _acquire(self, semaphore: asyncio.Semaphore, deadline: float) -> None:
        if not semaphore.locked():
            await semaphore.acquire()  # free: taken at once, without wait_for's task
            return
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())
        try:
            await asyncio.wait_for(semaphore.acquire(), remaining)
        except asyncio.TimeoutError:
            raise AdmissionTimeout(self.timeout, self.capacity) from None
