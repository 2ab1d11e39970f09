"""Pools: listing, reading, upserting and deleting them, with Airflow's messages."""

from __future__ import annotations

from typing import Any

from expapi.errors import BadRequest, NotFound
from expapi.flavours import presenters
from expapi.models.pool import DEFAULT_POOL_NAME, POOL_NAME_LENGTH
from expapi.service.context import Context
from expapi.store.outcomes import PoolNotFound

SLOTS_RANGE = range(-(2**31), 2**31)  # what an INTEGER column holds on every backend
# expapi's own words: Airflow created such a pool, which its URLs could then never reach
# (a '/' splits the path, and '%2F' is decoded before routing).
POOL_NAME_WITH_SLASH = "Pool name can't contain '/': no URL could name the pool to read or delete it"
# Likewise a control character (a line break, say): a path holding one matches no route.
POOL_NAME_WITH_CONTROL = "Pool name can't contain control characters: no URL could name the pool to read or delete it"


def unaddressable_name_message(name: str) -> str | None:
    """Why no URL could reach a pool of this name, or None when one can."""
    if "/" in name:
        return POOL_NAME_WITH_SLASH
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        return POOL_NAME_WITH_CONTROL
    return None


def list_pools(ctx: Context) -> list[dict[str, Any]]:
    """Every pool, oldest first."""
    return presenters.pools(ctx.flavour, ctx.store.list_pools())


def get_pool(ctx: Context, name: str) -> dict[str, Any]:
    """One pool by name."""
    name = _checked_name(ctx, name)
    try:
        return presenters.pool(ctx.flavour, ctx.store.get_pool(name))
    except PoolNotFound:
        raise _not_found(ctx, name) from None


def create_pool(ctx: Context, name: Any, slots: Any, description: str | None) -> dict[str, Any]:
    """Create the pool, or update its slots and description if it exists (an upsert)."""
    name = _checked_name(ctx, name)
    slot_count = _read_slots(ctx, slots)
    if len(name) > POOL_NAME_LENGTH:
        raise BadRequest(ctx.messages.pool_name_too_long.format(length=POOL_NAME_LENGTH))
    unaddressable = unaddressable_name_message(name)
    if unaddressable:
        raise BadRequest(unaddressable)
    return presenters.pool(ctx.flavour, ctx.store.upsert_pool(name, slot_count, description))


def delete_pool(ctx: Context, name: str) -> dict[str, Any]:
    """Delete a pool and return it as it was; default_pool cannot be deleted."""
    name = _checked_name(ctx, name)
    if name == DEFAULT_POOL_NAME:
        raise BadRequest(ctx.messages.pool_not_deletable.format(name=DEFAULT_POOL_NAME))
    try:
        return presenters.pool(ctx.flavour, ctx.store.delete_pool(name))
    except PoolNotFound:
        raise _not_found(ctx, name) from None


def _checked_name(ctx: Context, name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise BadRequest(ctx.messages.pool_name_empty)
    return name


def _not_found(ctx: Context, name: str) -> NotFound:
    return NotFound(ctx.messages.pool_not_found.format(name=name))


def _read_slots(ctx: Context, slots: Any) -> int:
    # Airflow passes slots through int(): numeric strings and floats are accepted.
    try:
        count = int(slots)
    except (TypeError, ValueError, OverflowError):
        raise BadRequest(ctx.messages.pool_slots_invalid.format(slots=slots)) from None
    if isinstance(slots, bool) or count not in SLOTS_RANGE:
        raise BadRequest(ctx.messages.pool_slots_invalid.format(slots=slots))
    return count
