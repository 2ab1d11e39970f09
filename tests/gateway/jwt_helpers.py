"""Unsigned JWT-shaped tokens for tests: only the payload matters to the gateway."""

from __future__ import annotations

import base64
import json


def _part(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def make_token(payload: dict, signature: str = "sig") -> str:
    """header.payload.signature, as Airflow 3's /auth/token returns (the signature is not checked)."""
    return f"{_part({'alg': 'HS512', 'typ': 'JWT'})}.{_part(payload)}.{signature}"
