"""Handlers for pools."""

from __future__ import annotations

from typing import Any

from expapi.runtime import with_context
from expapi.service import pools
from expapi.service.context import Context


@with_context
def list_pools(ctx: Context) -> list[dict[str, Any]]:
    """List every pool."""
    return pools.list_pools(ctx)


@with_context
def get_pool(ctx: Context, *, pool_name: str) -> dict[str, Any]:
    """Get a pool by name."""
    return pools.get_pool(ctx, pool_name)


@with_context
def create_pool(ctx: Context, *, body: dict[str, Any]) -> dict[str, Any]:
    """Create a pool, or update the pool of that name."""
    return pools.create_pool(ctx, body["name"], body["slots"], body["description"])


@with_context
def delete_pool(ctx: Context, *, pool_name: str) -> dict[str, Any]:
    """Delete a pool."""
    return pools.delete_pool(ctx, pool_name)
