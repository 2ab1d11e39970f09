"""Airflow's words for request values that the spec's schemas refuse before the service runs.

The service states these rules too (a store-independent check for every caller, the CLI and
the local client included); this is the same rule, met earlier, said the same way.
"""

from __future__ import annotations

from typing import Any

from expapi.dates import EXAMPLE_DATE
from expapi.flavours import Messages
from expapi.models.pool import POOL_NAME_LENGTH


def rejection_message(messages: Messages, field: str | None, value: Any) -> str | None:
    """The flavour's message for a refused ``field``, or None where Airflow had no words of its own."""
    if field == "execution_date":
        return messages.unreadable_execution_date.format(value=value, example=EXAMPLE_DATE)
    if field == "conf":
        return messages.conf_not_a_dict
    if field == "slots":
        return messages.pool_slots_invalid.format(slots=value)
    if field in ("name", "pool_name"):
        if value is None or (isinstance(value, str) and not value.strip()):
            return messages.pool_name_empty
        if isinstance(value, str) and len(value) > POOL_NAME_LENGTH:
            return messages.pool_name_too_long.format(length=POOL_NAME_LENGTH)
    return None
