"""DAGs as loaded from DAG files: the row the API looks up, its definition and its source."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from expapi.models.base import Base, UtcDateTime

ID_LENGTH = 250  # Airflow's limit for dag and task ids


class DagModel(Base):
    """One DAG known to the server (Airflow's ``dag`` table)."""

    __tablename__ = "dag"

    dag_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    is_paused: Mapped[bool] = mapped_column(Boolean, default=True)
    # False once the DAG's file is gone; its runs stay, but it can no longer be used.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    fileloc: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(Text)
    owners: Mapped[str | None] = mapped_column(String(2000))
    schedule_interval: Mapped[str | None] = mapped_column(String(1000))
    last_parsed_time: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SerializedDag(Base):
    """The parsed definition of a DAG, so every worker reads the same tasks."""

    __tablename__ = "serialized_dag"

    dag_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    fileloc: Mapped[str] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime)


class DagCode(Base):
    """The text of a DAG file, served by ``/dags/<dag_id>/code``."""

    __tablename__ = "dag_code"

    dag_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    fileloc: Mapped[str] = mapped_column(String(2000))
    # MySQL's TEXT stops at 64 KiB; MEDIUMTEXT holds 16 MiB, as Airflow stores DAG code.
    source_code: Mapped[str] = mapped_column(Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"))
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime)
