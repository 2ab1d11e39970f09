"""Constants and small helpers shared by the handler tests."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from httpx import Response

UTC = timezone.utc

# The handler tests run at this fixed "now" (see conftest.frozen_now). It has microseconds,
# so stripping them shows; days_ago(2) is then 2029-12-30T00:00:00+00:00.
NOW = datetime(2030, 1, 1, 10, 20, 30, 123456, tzinfo=UTC)
TWO_DAYS_AGO = datetime(2029, 12, 30, tzinfo=UTC)

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"

NOT_FOUND_URL = (
    "The requested URL was not found on the server. "
    "If you entered the URL manually please check your spelling and try again."
)
METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL."


def answer(response: Response) -> tuple[int, str | None, Any]:
    """A response as (status, content type, JSON body), compared in one assert.

    A body that is not JSON comes back as its text, so a failing assert shows it.
    """
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return response.status_code, response.headers.get("content-type"), body


def bad_date(value: str) -> str:
    """Airflow's message for an execution date it cannot read."""
    return (
        f"Given execution date, {value}, could not be identified as a date. "
        "Example date format: 2015-11-16T14:34:15+00:00"
    )
