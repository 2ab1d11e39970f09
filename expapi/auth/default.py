"""The open backend (Airflow's ``airflow.api.auth.backend.default``): everyone may call."""

from __future__ import annotations

from expapi.auth.base import ANONYMOUS, Backend, Identity


class OpenBackend(Backend):
    """Lets every request through, credentials or not, as Airflow's default backend did."""

    name = "default"

    async def authenticate(self, authorization: str | None, client: str | None = None) -> Identity:
        """Anyone: credentials, if sent, are not read."""
        return ANONYMOUS
