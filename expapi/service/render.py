"""How values look in responses: ISO dates, and Airflow's str() of attributes."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def iso_or_empty(value: datetime | None) -> str:
    """isoformat(), or "" for no date (as the run listings write it)."""
    return value.isoformat() if value is not None else ""


def python_str(value: Any) -> str:
    """Python's str() of a value, as Airflow renders task attributes.

    Sets are written with their items sorted, so the text is stable from one
    request to the next (Python's own order depends on string hashing).
    """
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(repr(v) for v in sorted(value)) + "}" if value else "set()"
    return str(value)
