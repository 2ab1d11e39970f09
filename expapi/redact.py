"""What may be printed of a secret-bearing URL or a client's value: masks and length bounds."""

from __future__ import annotations

from urllib.parse import urlsplit

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
    if parts.username is None and parts.password is None and not parts.query and not parts.fragment:
        return text  # nothing secret in it: shown as given, as a mistyped URL must be
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        netloc = f"{MASK}:{MASK}@" if parts.password is not None else f"{MASK}@"
        netloc += f"[{host}]" if host and ":" in host else (host or "")
        netloc += f":{port}" if port is not None else ""
    # Each value masked; a piece without "=" may itself be a secret, so it goes whole.
    query = "&".join(f"{piece.split('=', 1)[0]}={MASK}" if "=" in piece else MASK for piece in parts.query.split("&") if piece)
    # Built by hand: urlunsplit drops the empty host of sqlite:////path.
    head = f"{parts.scheme}:" if parts.scheme else ""
    if text[len(head) :].startswith("//"):
        head += "//"
    shown = f"{head}{netloc}{parts.path}"
    return shown + (f"?{query}" if query else "") + (f"#{MASK}" if parts.fragment else "")


def clip(value: object, limit: int = CLIP_LENGTH) -> str:
    """``value`` as text, cut to ``limit`` characters with its full size stated, for logs."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"
