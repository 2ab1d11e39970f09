"""Handlers about the server itself: a liveness check and its version."""

from __future__ import annotations

from typing import Any

from expapi.runtime import without_store
from expapi.service import server
from expapi.service.context import Context


@without_store
def test(ctx: Context) -> dict[str, Any]:
    """Check that the API answers (and, with auth on, that the credentials work)."""
    return server.test(ctx)


@without_store
def get_info(ctx: Context) -> dict[str, Any]:
    """Get the Airflow version whose behaviour the server follows."""
    return server.get_info(ctx)
