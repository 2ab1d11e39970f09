"""What every service call needs besides its arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from expapi.flavours import Flavour, Messages
from expapi.store.protocol import Store


@dataclass(frozen=True)
class Context:
    """One unit of work's store, the behaviour flavour and the default time zone."""

    store: Store
    flavour: Flavour
    timezone: tzinfo

    @property
    def messages(self) -> Messages:
        """The flavour's table of messages."""
        return self.flavour.messages
