"""The closed backend (Airflow's ``airflow.api.auth.backend.deny_all``): nobody may call."""

from __future__ import annotations

from expapi.auth.base import Backend, Identity, forbidden


class DenyAllBackend(Backend):
    """Refuses every request with 403 ``Forbidden`` and no challenge, as Airflow did."""

    name = "deny_all"

    async def authenticate(self, authorization: str | None, client: str | None = None) -> Identity:
        """Nobody: there are no credentials that would do."""
        raise forbidden()
