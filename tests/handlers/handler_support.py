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


# Airflow 2.11.2's deprecation notice, on every answer of its experimental API (CAPTURE.md).
DEPRECATION_LINK = (
    "<https://airflow.apache.org/docs/apache-airflow/2.11.2/upgrading-to-2.html"
    '#migration-guide-from-experimental-api-to-stable-api-v1>; rel="deprecation"; type="text/html"'
)
FLAVOUR_HEADERS = {"1.10": (None, None), "2": ("true", DEPRECATION_LINK)}


def by_flavour(flavour_name: str, *, v1_10: Any, v2: Any) -> Any:
    """This flavour's expectation, each written out in full."""
    return {"1.10": v1_10, "2": v2}[flavour_name]


def check_flavour_headers(flavour_name: str, response: Response) -> None:
    """Airflow 2 marked every experimental API answer, errors included, as deprecated; 1.10 did not."""
    if not response.request.url.path.startswith("/api/experimental"):
        return
    seen = (response.headers.get("Deprecation"), response.headers.get("Link"))
    assert seen == FLAVOUR_HEADERS[flavour_name], f"{response.request.method} {response.request.url.path}: {seen}"


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
