"""The one check of every value a client sends, before any store sees it.

Values that JSON forbids or that not every database can hold were answered three ways
(stored by SQLite, 400 from PostgreSQL, 503 from MariaDB's CHECK constraint). Refusing
them here gives one answer, a 400 naming the field, whichever database is behind.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from expapi.errors import BadRequest

# MariaDB refuses JSON nested 32 levels deep (a scalar counts as a level, as in JSON_DEPTH);
# the other databases store deeper, so the smallest limit is everyone's.
MAX_JSON_DEPTH = 31
# Body objects whose keys are fields of their own (``run_id``, ``conf``), not a value.
BODY_PARAMETERS = ("body",)


def check_input_values(arguments: Mapping[str, Any]) -> None:
    """Raise BadRequest for the first field holding NaN, Infinity, a lone surrogate, a NUL, or JSON nested too deep."""
    for name, value in arguments.items():
        if name in BODY_PARAMETERS and isinstance(value, Mapping):
            for key, field_value in value.items():
                _check_field(str(key), field_value)
                _check_text(str(key), key)
        else:
            _check_field(name, value)


def _check_field(field: str, value: Any) -> None:
    depth = 0
    # (path, value, depth) without recursion: a body may be nested far deeper than Python recurses.
    pending: list[tuple[str, Any, int]] = [(field, value, 1)]
    while pending:
        path, item, level = pending.pop()
        depth = max(depth, level)
        if isinstance(item, str):
            _check_text(path, item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise BadRequest(f"'{_shown(path)}' is {item!r}, which JSON does not allow; send a finite number")
        elif isinstance(item, Mapping):
            for key, child in item.items():
                _check_text(f"{path}/{key}", key)
                pending.append((f"{path}/{key}", child, level + 1))
        elif isinstance(item, (list, tuple)):
            pending.extend((f"{path}/{index}", child, level + 1) for index, child in enumerate(item))
    if depth > MAX_JSON_DEPTH:
        raise BadRequest(f"'{field}' is nested {depth} levels deep; at most {MAX_JSON_DEPTH} are accepted")


def _check_text(path: str, text: Any) -> None:
    if not isinstance(text, str):
        return
    if "\x00" in text:
        raise BadRequest(f"'{_shown(path)}' contains a NUL character (\\u0000), which cannot be stored")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(f"'{_shown(path)}' contains a lone surrogate, which is not valid Unicode") from None


def _shown(path: str) -> str:
    """A field path safe to put in a message: invalid characters escaped, long ones cut."""
    shown = path.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")
    return shown if len(shown) <= 100 else shown[:97] + "..."
