"""Runs of a DAG."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from expapi.models.base import Base, UtcDateTime
from expapi.models.dag import ID_LENGTH


class DagRun(Base):
    """One run of a DAG (Airflow's ``dag_run`` table).

    Both unique constraints are real, so concurrent triggers cannot create twins.
    """

    __tablename__ = "dag_run"
    __table_args__ = (
        UniqueConstraint("dag_id", "execution_date"),
        UniqueConstraint("dag_id", "run_id"),
        Index(None, "dag_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dag_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    run_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    execution_date: Mapped[datetime] = mapped_column(UtcDateTime)
    start_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    state: Mapped[str | None] = mapped_column(String(50))
    # When the run was made queued (Airflow 2.1+); None for runs created running, as 1.10 made them.
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    external_trigger: Mapped[bool] = mapped_column(Boolean, default=True)
    conf: Mapped[dict[str, Any] | None] = mapped_column(JSON)
