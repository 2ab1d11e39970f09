"""Handlers about the server itself: a liveness check and its version."""

from __future__ import annotations

from typing import Any

from expapi.runtime import with_context
from expapi.service import server
from expapi.service.context import Context


@with_context
def test(ctx: Context) -> dict[str, Any]:
    """Check that the API answers (and, with auth on, that the credentials work)."""
    return server.test(ctx)


@with_context
def get_info(ctx: Context) -> dict[str, Any]:
    """Get the Airflow version whose behaviour the server follows."""
    return server.get_info(ctx)
