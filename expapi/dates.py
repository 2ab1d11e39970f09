"""Execution dates: parsing what clients send, and the time zone they are read in."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EXAMPLE_DATE = "2015-11-16T14:34:15+00:00"

# A '+' sent unencoded in a query string, or form-encoded, arrives as a space.
# Airflow then silently reads midnight of that day; expapi reads the '+' back.
_LOST_PLUS = re.compile(r"^(.*\d) (\d{2}(?::?\d{2})?)$")


def resolve_timezone(name: str) -> tzinfo:
    """The tzinfo for ``[core] default_timezone``: 'utc', 'system' or an IANA name."""
    lowered = name.strip().lower()
    if lowered in ("utc", "z", ""):
        return timezone.utc
    if lowered == "system":
        return datetime.now().astimezone().tzinfo or timezone.utc
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(timezone.utc)


class UnreadableDate(ValueError):
    """A value that is not an execution date (the service says so in the flavour's words)."""

    def __init__(self, value: object) -> None:
        super().__init__(value)
        self.value = value


def parse_execution_date(value: object, default_tz: tzinfo) -> datetime:
    """Read an execution date as Airflow's timezone.parse does, or raise UnreadableDate.

    Accepts ISO 8601 in its extended and basic forms, with 'T' or a space, with or
    without fractions and offset; a naive value is read in ``default_tz``; a bare
    date means midnight.
    """
    parsed = _parse(value) if isinstance(value, str) else None
    if parsed is None:
        raise UnreadableDate(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
        # 0001-01-01 in a zone east of UTC is before year 1 in UTC: not a date anyone can store.
        if not _representable(parsed):
            raise UnreadableDate(value)
    return parsed


def _parse(text: str) -> datetime | None:
    text = text.strip()
    lost_plus = _LOST_PLUS.match(text)
    candidates = [text]
    if lost_plus and ("T" in text or text.count(" ") > 1):
        candidates.insert(0, f"{lost_plus.group(1)}+{lost_plus.group(2)}")
    for candidate in candidates:
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if parsed.year < 1 or (parsed.utcoffset() and not _representable(parsed)):
            continue
        return parsed
    return None


def _representable(value: datetime) -> bool:
    # Conversion to UTC must stay within datetime's range (year 1..9999).
    try:
        value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return False
    return True


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC."""
    return value.astimezone(timezone.utc)


def midnight_days_ago(days: int, now: datetime | None = None) -> datetime:
    """Midnight UTC ``days`` days before today, as Airflow's days_ago(n)."""
    today = (now or utcnow()).astimezone(timezone.utc).date()
    return datetime.combine(today - timedelta(days=days), datetime.min.time(), timezone.utc)


def to_utc_datetime(value: date | datetime) -> datetime:
    """A YAML date or datetime as an aware UTC datetime (naive means UTC, as in Airflow)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
