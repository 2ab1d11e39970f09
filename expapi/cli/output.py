"""Printing what a command got back: ``-o table|json|yaml|plain``.

``json`` and ``yaml`` keep native types (numbers stay numbers); ``table`` and ``plain``
align columns for people, ``plain`` without the rule under the header.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

FORMATS = ("table", "json", "yaml", "plain")


def add_output_option(parser, default: str = "table") -> None:
    """The ``-o/--output`` option every data-printing command takes."""
    parser.add_argument(
        "-o", "--output", choices=FORMATS, default=default, help=f"output format (default: {default})"
    )


def render(data: Any, fmt: str, columns: Sequence[str] | None = None) -> str:
    """``data`` (a dict, or a list of dicts) in the chosen format."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    if fmt == "yaml":
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False).rstrip("\n")
    rows = data if isinstance(data, list) else [data]
    if columns is None:
        columns = list(rows[0]) if rows else []
    return aligned(
        [[_cell(row.get(c)) for c in columns] for row in rows], list(columns), rule=fmt == "table"
    )


def render_record(data: dict[str, Any], fmt: str) -> str:
    """One object with many keys: as two columns (attribute, value) for people."""
    if fmt in ("json", "yaml"):
        return render(data, fmt)
    return aligned([[key, _cell(value)] for key, value in data.items()], ["attribute", "value"], rule=fmt == "table")


def aligned(rows: list[list[str]], header: list[str], *, rule: bool) -> str:
    """Left-aligned columns separated by ' | ' (table) or two spaces (plain)."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    gap = " | " if rule else "  "
    lines = [gap.join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    if rule:
        lines.append("-+-".join("-" * w for w in widths))
    lines += [gap.join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
