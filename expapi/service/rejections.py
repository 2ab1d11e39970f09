"""Airflow's words for request values that the spec's schemas refuse before the service runs.

The service states these rules too (a store-independent check for every caller, the CLI and
the local client included); this is the same rule, met earlier, said the same way.
"""

from __future__ import annotations

from typing import Any

from expapi.dates import EXAMPLE_DATE
from expapi.errors import BadRequest
from expapi.flavours import Messages
from expapi.models.pool import POOL_NAME_LENGTH
from expapi.service.input_values import check_input_values
from expapi.service.pools import unaddressable_name_message


def rejection_message(messages: Messages, field: str | None, value: Any) -> str | None:
    """The message for a refused ``field`` as the service would give it, or None where it has none of its own."""
    if field is not None:
        try:
            check_input_values({field: value})  # NaN, NUL, lone surrogates: one answer, named
        except BadRequest as refused:
            return refused.message
    if field == "execution_date":
        return messages.unreadable_execution_date.format(value=value, example=EXAMPLE_DATE)
    if field == "conf":
        return messages.conf_not_a_dict
    if field == "slots":
        return messages.pool_slots_invalid.format(slots=value)
    if field in ("name", "pool_name"):
        if value is None or (isinstance(value, str) and not value.strip()):
            return messages.pool_name_empty
        if isinstance(value, str):
            unaddressable = unaddressable_name_message(value)
            if unaddressable:
                return unaddressable
            if len(value) > POOL_NAME_LENGTH:
                return messages.pool_name_too_long.format(length=POOL_NAME_LENGTH)
    return None
