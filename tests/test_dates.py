"""Parsing execution dates as Airflow's timezone.parse does, minus its silent midnight."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from expapi.dates import UnreadableDate, parse_execution_date, resolve_timezone
from expapi.errors import BadRequest
from expapi.flavours import AIRFLOW_1_10
from expapi.service import lookups
from expapi.service.context import Context

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-01-07T03:04:05+02:00", datetime(2021, 1, 7, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))),
        ("2021-01-07T03:04:05Z", datetime(2021, 1, 7, 3, 4, 5, tzinfo=UTC)),
        ("2021-01-06T03:04:05", datetime(2021, 1, 6, 3, 4, 5, tzinfo=UTC)),
        ("2021-01-09 03:04:05", datetime(2021, 1, 9, 3, 4, 5, tzinfo=UTC)),
        ("2021-01-04T03:04:05.123456+00:00", datetime(2021, 1, 4, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2021-01-08", datetime(2021, 1, 8, tzinfo=UTC)),
        ("20210110T030405Z", datetime(2021, 1, 10, 3, 4, 5, tzinfo=UTC)),
        # A '+' that arrived as a space is read back as '+', not as midnight.
        ("2022-03-04T05:06:07 00:00", datetime(2022, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2022-03-04T05:06:07 02:00", datetime(2022, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=2)))),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    parsed = parse_execution_date(text, UTC)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_naive_dates_use_the_default_time_zone() -> None:
    parsed = parse_execution_date("2021-06-01T12:00:00", resolve_timezone("Europe/Amsterdam"))
    assert parsed.isoformat() == "2021-06-01T12:00:00+02:00"


@pytest.mark.parametrize("value", ["not_a_datetime", "", "2021-13-01", 12, None, True, ["2021-01-01"]])
def test_unreadable_values_are_refused_with_the_value(value: object) -> None:
    with pytest.raises(UnreadableDate) as caught:
        parse_execution_date(value, UTC)
    assert caught.value.value is value


@pytest.mark.parametrize("value", ["not_a_datetime", "", "2021-13-01", 12, None, True, ["2021-01-01"]])
def test_the_service_answers_unreadable_values_with_airflows_message(value: object) -> None:
    ctx = Context(store=None, flavour=AIRFLOW_1_10, timezone=UTC)  # reading a date asks nothing of the store
    with pytest.raises(BadRequest) as caught:
        lookups.execution_date(ctx, value)
    assert (caught.value.status, caught.value.message) == (
        400,
        f"Given execution date, {value}, could not be identified as a date. "
        "Example date format: 2015-11-16T14:34:15+00:00",
    )


@pytest.mark.parametrize("zone", ["utc", "Europe/Amsterdam", "Pacific/Kiritimati", "America/New_York", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("text", ["0001-01-01", "0001-01-01T00:30:00", "9999-12-31", "9999-12-31T23:59:59.999999"])
def test_every_accepted_date_resolves_to_utc_or_is_refused_in_every_zone(zone: str, text: str) -> None:
    """A date at the edge of datetime's range either converts to UTC or is an unreadable date, never an OverflowError."""
    try:
        parsed = parse_execution_date(text, resolve_timezone(zone))
    except UnreadableDate as refused:
        assert refused.value == text
        return
    assert parsed.astimezone(UTC).tzinfo is UTC


def test_the_first_day_east_of_utc_is_refused_as_a_date() -> None:
    ctx = Context(store=None, flavour=AIRFLOW_1_10, timezone=resolve_timezone("Europe/Amsterdam"))
    with pytest.raises(BadRequest) as caught:
        lookups.execution_date(ctx, "0001-01-01")
    assert caught.value.status == 400 and "0001-01-01" in caught.value.message
