"""argparse types shared by the API commands."""

from __future__ import annotations

import argparse
import json
from typing import Any


def json_object(text: str) -> dict[str, Any]:
    """``--conf``: a JSON object."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object, e.g. '{\"key\": \"value\"}'")
    return value


def confirm(question: str) -> bool:
    """Ask a yes/no question on the terminal; anything but y/Y (or no terminal) means no."""
    try:
        return input(f"{question} (y/n) ").strip() in ("y", "Y")
    except EOFError:
        return False
