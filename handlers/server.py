"""Handlers about the server itself: a liveness check and its version."""

from __future__ import annotations

from typing import Any

from expapi import runtime


def test() -> dict[str, Any]:
    """Check that the API answers (and, with auth on, that the credentials work)."""
    return {"status": "OK"}


def get_info() -> dict[str, Any]:
    """Get the Airflow version whose behaviour the server follows."""
    return {"version": runtime.current().flavour.airflow_version}
