"""The seam below the service: where DAGs, runs and pools are kept, behind one protocol.

``protocol`` says what the service may ask (``Store``, ``Storage``); ``records`` and
``outcomes`` are what comes back; ``sql`` answers from expapi's own database.
``open_storage`` picks the storage the configuration names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from expapi.config import Config
    from expapi.store.protocol import Storage


def open_storage(config: Config) -> Storage:
    """The storage the configuration names: today always the database of ``[core] sql_alchemy_conn``."""
    from expapi.store.sql import SqlStorage  # SQLAlchemy only where a database is used

    return SqlStorage.from_url(config.core.sql_alchemy_conn, config.database)
