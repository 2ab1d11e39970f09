"""Scheduler processes (Airflow's ``job`` table): who is scheduling, and whether it is alive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from expapi.models.base import Base, UtcDateTime


class Job(Base):
    """One ``expapi scheduler`` process; task instances it ran carry its id as ``job_id``."""

    __tablename__ = "job"
    __table_args__ = (Index(None, "job_type", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_type: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20))
    hostname: Mapped[str] = mapped_column(String(500))
    unixname: Mapped[str] = mapped_column(String(1000))
    pid: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[datetime] = mapped_column(UtcDateTime)
    end_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    latest_heartbeat: Mapped[datetime] = mapped_column(UtcDateTime)
