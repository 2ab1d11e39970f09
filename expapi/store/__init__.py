"""The seam below the service: where DAGs, runs and pools are kept, behind one protocol.

``protocol`` says what the service may ask (``Store``, ``Storage``); ``records`` and
``outcomes`` are what comes back; ``sql`` answers from expapi's own database.
``open_storage`` picks the storage the configuration names: the database, or (gateway
mode) the Airflow behind ``expapi.gateway.store``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from expapi.config import Config
    from expapi.gateway.client import Upstream
    from expapi.store.protocol import Storage


def open_storage(config: Config, upstream: Upstream | None = None) -> Storage:
    """The storage the configuration names.

    With ``[gateway] airflow_url`` set, the Airflow there, through ``upstream`` (the server's
    shared client) or a blocking client of its own (the CLI); else the database of
    ``[core] sql_alchemy_conn``.
    """
    if config.gateway.enabled:
        from expapi.gateway.store import AirflowStorage

        if upstream is not None:
            return AirflowStorage(upstream)
        from expapi.gateway.client import SyncUpstream

        return AirflowStorage(SyncUpstream(config.gateway), owns_upstream=True)
    from expapi.flavours import FLAVOURS
    from expapi.store.sql import SqlStorage  # SQLAlchemy only where a database is used

    # The flavour's rule for deleting a DAG whose tasks run, applied where rows are locked.
    refused = FLAVOURS[config.api.compat].dag_delete_refused_while
    return SqlStorage.from_url(config.core.sql_alchemy_conn, config.database, refuse_delete_while=refused)
