"""What may be printed of a secret-bearing URL or a client's value: masks and length bounds."""

from __future__ import annotations

from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
# How much of a client's value a log line or message repeats; the rest is only counted.
CLIP_LENGTH = 200


def mask_url(url: object) -> str:
    """``url`` with its user, password, every query value and fragment replaced by ***.

    For database and Airflow URLs alike, in errors, logs and ``--help``: a password may sit
    in the userinfo or in the query (``?password=...``), so neither is shown. A SQLAlchemy
    ``URL`` is accepted too (its ``str`` hides only the userinfo password).
    """
    text = str(url)
    try:
        parts = urlsplit(text)
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
    if parts.query and not query:  # a query that is not key=value pairs: hide it whole
        query = MASK
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, MASK if parts.fragment else ""))


def clip(value: object, limit: int = CLIP_LENGTH) -> str:
    """``value`` as text, cut to ``limit`` characters with its full size stated, for logs."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"
