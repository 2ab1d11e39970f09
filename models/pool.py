"""Pools of task slots."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from expapi.models.base import Base

DEFAULT_POOL_NAME = "default_pool"
DEFAULT_POOL_SLOTS = 128
DEFAULT_POOL_DESCRIPTION = "Default pool"
POOL_NAME_LENGTH = 256


class Pool(Base):
    """Airflow's ``slot_pool`` row; the name is unique, so concurrent upserts make one row."""

    __tablename__ = "slot_pool"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool: Mapped[str] = mapped_column(String(POOL_NAME_LENGTH), unique=True)
    slots: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    include_deferred: Mapped[bool] = mapped_column(Boolean, default=False)
