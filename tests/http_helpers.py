"""Small helpers shared by the tests."""

from __future__ import annotations

from urllib.parse import quote

API = "/api/experimental"


def path_date(value: str) -> str:
    """An execution date as a client puts it in a path: '+' and ':' encoded."""
    return quote(value, safe="")
