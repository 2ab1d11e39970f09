"""A cheap signal that a password changed or a user went, for the short confirmation cache.

In this process a counter; across processes (``expapi users`` is one, each server worker
another) the modification time of a marker file in $EXPAPI_HOME, which the CLI touches and
a worker reads with one stat() per request. A server whose home differs from the CLI's does
not see the marker: RecentlyConfirmed's few-second TTL bounds that case.
"""

from __future__ import annotations

import os

from pathlib import Path

from expapi.config import default_home

MARKER = ".users-changed"
_generation = 0
_home: Path | None = None  # the home this process's own changes are signalled in


def use_home(home: Path) -> None:
    """Signal this process's changes in ``home`` (the CLI's configured home) from now on."""
    global _home
    _home = home


def users_changed() -> None:
    """Tell this process and every worker on this home that the users table changed."""
    global _generation
    _generation += 1
    marker = (_home or default_home()) / MARKER
    try:
        marker.touch()
        os.utime(marker)
    except OSError:
        pass  # a read-only home: the TTL still bounds how long a worker may lag


def users_version(home: Path) -> tuple[int, int]:
    """Changes whenever users_changed() was called, here or in another process on ``home``."""
    try:
        mtime = os.stat(home / MARKER).st_mtime_ns
    except OSError:
        mtime = 0
    return (_generation, mtime)
