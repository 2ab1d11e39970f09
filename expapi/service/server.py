"""The server itself: a liveness check and the Airflow version it follows."""

from __future__ import annotations

from typing import Any

from expapi.flavours import presenters
from expapi.service.context import Context


def test(ctx: Context) -> dict[str, Any]:
    """That the API answers; it reads nothing from the store."""
    return presenters.status(ctx.flavour)


def get_info(ctx: Context) -> dict[str, Any]:
    """The Airflow version whose behaviour the server follows."""
    return presenters.info(ctx.flavour)
