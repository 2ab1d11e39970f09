"""Schedule intervals: cron strings (through croniter), Airflow's presets and durations.

A run's execution date is the start of its interval; the run is due once the interval
has ended, as in Airflow.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from croniter import croniter

# Airflow's cron presets; "@once" and None are handled apart.
PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
ONCE = "@once"


class UnknownSchedule(ValueError):
    """A schedule_interval that is neither a cron expression, a preset nor a duration."""


def _cron(schedule: str) -> str:
    expression = PRESETS.get(schedule, schedule)
    if not croniter.is_valid(expression):
        raise UnknownSchedule(f"schedule_interval {schedule!r} is not a cron expression, a preset or a duration")
    return expression


def _aware(value: datetime) -> datetime:
    # croniter may tag a date fold=1; it is the same UTC instant, and equal dates should look equal.
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).replace(fold=0)


def is_periodic(schedule: Any) -> bool:
    """Whether the schedule makes a run every interval (not None, not @once)."""
    return schedule is not None and schedule != ONCE


def following(schedule: Any, when: datetime) -> datetime:
    """The first schedule point after ``when``."""
    if isinstance(schedule, timedelta):
        return when + schedule
    return _aware(croniter(_cron(schedule), when).get_next(datetime))


def previous(schedule: Any, when: datetime) -> datetime:
    """The last schedule point before ``when``."""
    if isinstance(schedule, timedelta):
        return when - schedule
    return _aware(croniter(_cron(schedule), when).get_prev(datetime))


def first_date(schedule: Any, start: datetime) -> datetime:
    """The first execution date at or after a start date (a cron schedule aligns it)."""
    if isinstance(schedule, timedelta) or not is_periodic(schedule):
        return start
    expression = _cron(schedule)
    if croniter.match(expression, start):
        return start
    return following(schedule, start)


def latest_complete(schedule: Any, start: datetime, now: datetime) -> datetime | None:
    """The execution date of the newest interval that has ended by ``now`` (None if none has)."""
    first = first_date(schedule, start)
    if following(schedule, first) > now:
        return None
    if isinstance(schedule, timedelta):
        intervals = int((now - first) / schedule)
        return first + (intervals - 1) * schedule
    candidate = previous(schedule, now)
    while following(schedule, candidate) > now:
        candidate = previous(schedule, candidate)
    return max(candidate, first)


def due_dates(
    schedule: Any,
    *,
    start: datetime,
    end: datetime | None,
    last: datetime | None,
    catchup: bool,
    now: datetime,
    limit: int,
    has_any_run: bool,
) -> list[datetime]:
    """Execution dates the scheduler should create runs for now, oldest first, at most ``limit``.

    ``last`` is the newest scheduled run's execution date. Without catchup, intervals older
    than the newest complete one are never filled, as Airflow's ``catchup=False`` does.
    """
    if limit <= 0 or schedule is None:
        return []
    if schedule == ONCE:
        return [start] if not has_any_run and start <= now and (end is None or start <= end) else []
    candidate = following(schedule, last) if last is not None else first_date(schedule, start)
    if not catchup:
        newest = latest_complete(schedule, start, now)
        if newest is not None and newest > candidate:
            candidate = newest
    dates = []
    while len(dates) < limit and following(schedule, candidate) <= now and (end is None or candidate <= end):
        dates.append(candidate)
        candidate = following(schedule, candidate)
    return dates


def is_latest(schedule: Any, execution_date: datetime, now: datetime) -> bool:
    """LatestOnlyOperator's test: ``now`` falls in the interval after the run's own."""
    if not is_periodic(schedule):
        return True
    left = following(schedule, execution_date)
    right = following(schedule, left)
    return left < now <= right
