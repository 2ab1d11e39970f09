"""Reading an HTTP Basic ``Authorization`` header (RFC 7617), strictly."""

from __future__ import annotations

import base64

from expapi.auth.base import split_authorization


class MalformedCredentials(ValueError):
    """An Authorization header that carries no readable Basic credentials."""


def parse_basic(header: str | None) -> tuple[str, str]:
    """``(username, password)`` from ``Basic <base64 of user:password>``.

    Airflow 1.10 ignored the scheme word and answered 500 to anything it could not
    decode; here every such header is refused as malformed (the caller answers 401).
    An empty username or password is malformed too, as in Airflow 2.
    """
    parts = split_authorization(header)
    if parts is None or parts[0] != "basic":
        raise MalformedCredentials("not Basic credentials")
    try:
        decoded = base64.b64decode(parts[1], validate=True).decode("utf-8")
    except ValueError:  # not ASCII, not base64 (binascii.Error), or not UTF-8 inside
        raise MalformedCredentials("not base64 of UTF-8 text") from None
    username, colon, password = decoded.partition(":")
    if not colon or not username or not password:
        raise MalformedCredentials("not username:password")
    return username, password
