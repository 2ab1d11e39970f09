"""Pools: listing, reading, upserting and deleting them, with Airflow's messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from expapi.db import upsert
from expapi.errors import BadRequest, NotFound
from expapi.models import Pool
from expapi.models.pool import DEFAULT_POOL_NAME, POOL_NAME_LENGTH
from expapi.service.context import Context

SLOTS_RANGE = range(-(2**31), 2**31)  # what an INTEGER column holds on every backend


def pool_json(pool: Pool) -> dict[str, Any]:
    """A pool as the API shows it."""
    return {"description": pool.description, "id": pool.id, "pool": pool.pool, "slots": pool.slots}


def list_pools(ctx: Context) -> list[dict[str, Any]]:
    """Every pool, oldest first."""
    return [pool_json(p) for p in ctx.session.scalars(select(Pool).order_by(Pool.id))]


def get_pool(ctx: Context, name: str) -> dict[str, Any]:
    """One pool by name."""
    return pool_json(_find(ctx, _checked_name(name)))


def create_pool(ctx: Context, name: Any, slots: Any, description: str | None) -> dict[str, Any]:
    """Create the pool, or update its slots and description if it exists (an upsert)."""
    name = _checked_name(name)
    slot_count = _read_slots(slots)
    if len(name) > POOL_NAME_LENGTH:
        raise BadRequest(f"Pool name can't be more than {POOL_NAME_LENGTH} characters")
    find = select(Pool).where(Pool.pool == name).with_for_update()
    pool = ctx.session.scalar(find)
    if pool is None:
        # A concurrent request may be creating it too: the upsert waits for it, then updates.
        values = {"pool": name, "slots": slot_count, "description": description, "include_deferred": False}
        upsert(ctx.session, Pool, values, key="pool", update=("slots", "description"))
        return pool_json(ctx.session.scalar(find.execution_options(populate_existing=True)))
    pool.slots = slot_count
    pool.description = description
    ctx.session.flush()
    return pool_json(pool)


def delete_pool(ctx: Context, name: str) -> dict[str, Any]:
    """Delete a pool and return it as it was; default_pool cannot be deleted."""
    name = _checked_name(name)
    if name == DEFAULT_POOL_NAME:
        raise BadRequest(f"{DEFAULT_POOL_NAME} cannot be deleted")
    pool = _find(ctx, name)
    shown = pool_json(pool)
    ctx.session.delete(pool)
    return shown


def _checked_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("Pool name shouldn't be empty")
    return name


def _find(ctx: Context, name: str) -> Pool:
    pool = ctx.session.scalar(select(Pool).where(Pool.pool == name))
    if pool is None:
        raise NotFound(f"Pool '{name}' doesn't exist")
    return pool


def _read_slots(slots: Any) -> int:
    # Airflow passes slots through int(): numeric strings and floats are accepted.
    try:
        count = int(slots)
    except (TypeError, ValueError, OverflowError):
        raise BadRequest(f"Bad value for `slots`: {slots}") from None
    if isinstance(slots, bool) or count not in SLOTS_RANGE:
        raise BadRequest(f"Bad value for `slots`: {slots}")
    return count
