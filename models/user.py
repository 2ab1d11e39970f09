"""API users of the password backend."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from expapi.models.base import Base, UtcDateTime

USERNAME_LENGTH = 256


def _now() -> datetime:
    return datetime.now(timezone.utc)


class User(Base):
    """A user who may call the API with HTTP Basic credentials; only a slow salted hash is kept."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), unique=True)
    # bcrypt's output is 60 characters; the room left allows a stronger scheme later.
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=_now)
