"""Task instances: one task of one DAG run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from expapi import dates
from expapi.models.base import Base, UtcDateTime
from expapi.models.dag import ID_LENGTH


class TaskInstance(Base):
    """Airflow's ``task_instance`` row, keyed as in 1.10 by dag, task and execution date."""

    __tablename__ = "task_instance"
    # On MySQL the primary key takes 250 x 4 + 250 x 4 + 8 = 2008 bytes in utf8mb4: within
    # InnoDB's 3072-byte limit for DYNAMIC rows (the default since MySQL 5.7 and MariaDB 10.2).
    __table_args__ = (
        # A run's task instances (trigger, lineage, deleting a DAG) are found by dag and date.
        Index(None, "dag_id", "execution_date"),
    )

    dag_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    execution_date: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    state: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration: Mapped[float | None] = mapped_column(Float)
    try_number: Mapped[int] = mapped_column(Integer, default=0)
    max_tries: Mapped[int] = mapped_column(Integer, default=0)
    hostname: Mapped[str] = mapped_column(String(1000), default="")
    unixname: Mapped[str] = mapped_column(String(1000), default="")
    job_id: Mapped[int | None] = mapped_column(Integer)
    pool: Mapped[str] = mapped_column(String(256))
    pool_slots: Mapped[int] = mapped_column(Integer, default=1)
    queue: Mapped[str | None] = mapped_column(String(256))
    priority_weight: Mapped[int | None] = mapped_column(Integer)
    operator: Mapped[str | None] = mapped_column(String(1000))
    queued_dttm: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pid: Mapped[int | None] = mapped_column(Integer)
    executor_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The row's last write, as Airflow 2 keeps it: set on insert and on every ORM update.
    # dates.utcnow is looked up at each write, so a frozen clock (tests) holds here too.
    updated_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, default=lambda: dates.utcnow(), onupdate=lambda: dates.utcnow()
    )
