"""The Airflow base URL: checked once for the configuration, and masked wherever it is printed."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from expapi.redact import MASK, mask_url  # noqa: F401  (masked wherever it is printed)


def parse_airflow_url(text: str) -> str:
    """The base URL of an Airflow web/API server, without a trailing slash ("" = gateway off).

    ValueError (its message safe to print) when it is not an http(s) URL with a host, or
    carries credentials, a query or a fragment.
    """
    text = text.strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        parts.port  # a port that is not a number raises here
    except ValueError as exc:
        raise ValueError(f"not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL with a host, e.g. http://airflow.example.com:8080")
    if parts.username is not None or parts.password is not None:
        raise ValueError("credentials in the URL are not used: set [gateway] username and password")
    if parts.query or parts.fragment:
        raise ValueError("expected a base URL without a query or fragment")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
