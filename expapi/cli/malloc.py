"""glibc's allocator, set for serve's workers: few arenas, big blocks and free pages given back.

A worker answers from a pool of threads, and glibc gives each thread its own arena (up to 8
per core), each keeping what it once grew. Its mmap threshold also slides up to the largest
block freed (a 3 MB listing), after which such blocks come from, and stay in, those arenas.
Without this, a worker's heap after a burst of 10,000-run listings stays ~50 MiB larger.
Elsewhere than glibc (musl, macOS) all of this does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import platform
import threading

log = logging.getLogger(__name__)

# mallopt's parameters (malloc.h).
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

ARENAS = 2
# Fixed (which also stops glibc sliding it): blocks from 256 KiB up are mmapped and unmapped on free.
MMAP_THRESHOLD = 256 * 1024
# A worker gives free heap pages back to the system once this much is free in its arenas.
TRIM_WHEN_FREE = 8 * 1024 * 1024
TRIM_CHECK_S = 1.0


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
    )]


def _glibc() -> ctypes.CDLL | None:
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def tune() -> None:
    """Few arenas and a fixed mmap threshold: called in the parent, before the workers are forked."""
    libc = _glibc()
    if libc is None:
        return
    for parameter, value in ((M_ARENA_MAX, ARENAS), (M_MMAP_THRESHOLD, MMAP_THRESHOLD)):
        if libc.mallopt(parameter, value) != 1:
            log.debug("mallopt(%d, %d) was refused", parameter, value)


def start_trimming() -> None:
    """In a worker: a thread that hands free heap pages back once enough have piled up."""
    libc = _glibc()
    if libc is None or not hasattr(libc, "mallinfo2"):  # mallinfo2: glibc 2.33 and later
        return
    libc.mallinfo2.restype = _MallInfo2
    threading.Thread(target=_trim_forever, args=(libc,), name="expapi-malloc-trim", daemon=True).start()


def _trim_forever(libc: ctypes.CDLL) -> None:
    idle = threading.Event()  # never set: a sleep that the interpreter's shutdown does not wait for
    while not idle.wait(TRIM_CHECK_S):
        if libc.mallinfo2().fordblks >= TRIM_WHEN_FREE:
            libc.malloc_trim(0)
