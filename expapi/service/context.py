"""What every service call needs besides its arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy.orm import Session

from expapi.flavours import Flavour


@dataclass(frozen=True)
class Context:
    """One transaction's session, the behaviour flavour and the default time zone."""

    session: Session
    flavour: Flavour
    timezone: tzinfo
