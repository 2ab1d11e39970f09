"""Times keep their instant and microseconds on every backend, and come back in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from expapi.db import Database
from expapi.models import DagRun

PLUS_TWO = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    "written",
    [
        datetime(2030, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc),
        datetime(2030, 1, 2, 3, 4, 5, 1, tzinfo=PLUS_TWO),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
    ],
    ids=["utc", "plus-two", "minus-nine-thirty"],
)
def test_a_stored_time_reads_back_as_the_same_instant_in_utc(database: Database, written: datetime) -> None:
    with database.transaction() as session:
        session.add(DagRun(dag_id="d", run_id="r", execution_date=written, state="running", external_trigger=True))
    with database.transaction() as session:
        read = session.scalar(select(DagRun.execution_date).where(DagRun.run_id == "r"))
        found = session.scalar(select(DagRun.run_id).where(DagRun.execution_date == written))
    assert read == written
    assert read.tzinfo is timezone.utc
    assert read.microsecond == written.microsecond
    assert found == "r"  # an aware value in a query finds the row too


def test_a_microsecond_apart_is_another_time(database: Database) -> None:
    first = datetime(2030, 1, 2, 3, 4, 5, 1, tzinfo=timezone.utc)
    with database.transaction() as session:
        session.add_all([
            DagRun(dag_id="d", run_id="a", execution_date=first, external_trigger=True),
            DagRun(dag_id="d", run_id="b", execution_date=first + timedelta(microseconds=1), external_trigger=True),
        ])
    with database.transaction() as session:
        assert session.scalars(select(DagRun.run_id).where(DagRun.execution_date == first)).all() == ["a"]


def test_a_naive_time_is_refused_rather_than_guessed(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        with database.transaction() as session:
            session.add(DagRun(dag_id="d", run_id="n", execution_date=datetime(2030, 1, 1), external_trigger=True))
            session.flush()
