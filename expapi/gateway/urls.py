"""The Airflow base URL: checked once for the configuration, and masked wherever it is printed."""

from __future__ import annotations

from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"


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


def mask_url(url: str) -> str:
    """``url`` with its user, password, query values and fragment replaced by ***, for logs and messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return MASK  # not a URL at all: nothing in it can be shown safely
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        netloc = f"{MASK}:{MASK}@" if parts.password is not None else f"{MASK}@"
        netloc += f"[{host}]" if host and ":" in host else (host or "")
        netloc += f":{port}" if port is not None else ""
    query = urlencode([(key, MASK) for key, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, MASK if parts.fragment else ""))
