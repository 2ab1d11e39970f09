"""The client interface: one method per operation of the experimental API."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

JSON = dict[str, Any]


class ClientError(Exception):
    """An operation the server refused (or could not be asked), with its status and message."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return self.message


class Client(ABC):
    """Every operation of the experimental API, each method named after its operationId; results are the API's JSON bodies."""

    @abstractmethod
    def trigger_dag_run(
        self,
        dag_id: str,
        run_id: str | None = None,
        conf: dict[str, Any] | str | None = None,
        execution_date: str | None = None,
        replace_microseconds: bool | None = None,
    ) -> JSON:
        """Trigger a run; returns ``{"execution_date", "message", "run_id"}``."""

    @abstractmethod
    def delete_dag(self, dag_id: str) -> JSON:
        """Delete the DAG's records; returns ``{"count", "message"}``."""

    @abstractmethod
    def list_dag_runs(self, dag_id: str, state: str | None = None) -> list[JSON]:
        """The DAG's runs, oldest first."""

    @abstractmethod
    def get_dag_run_state(self, dag_id: str, execution_date: str) -> JSON:
        """``{"state": ...}`` of the run at that date."""

    @abstractmethod
    def get_task(self, dag_id: str, task_id: str) -> dict[str, str]:
        """The task's attributes, as strings."""

    @abstractmethod
    def get_task_instance(self, dag_id: str, execution_date: str, task_id: str) -> dict[str, str]:
        """The task instance's attributes, as strings."""

    @abstractmethod
    def get_dag_paused(self, dag_id: str) -> JSON:
        """``{"is_paused": bool}``."""

    @abstractmethod
    def set_dag_paused(self, dag_id: str, paused: bool) -> JSON:
        """Pause or unpause; ``{"response": "ok"}``."""

    @abstractmethod
    def get_dag_code(self, dag_id: str) -> str:
        """The DAG file's text."""

    @abstractmethod
    def get_latest_runs(self) -> JSON:
        """``{"items": [...]}``: the newest run of each DAG."""

    @abstractmethod
    def get_lineage(self, dag_id: str, execution_date: str) -> JSON:
        """``{"task_ids": {...}}`` of the run at that date."""

    @abstractmethod
    def list_pools(self) -> list[JSON]:
        """Every pool."""

    @abstractmethod
    def get_pool(self, name: str) -> JSON:
        """One pool."""

    @abstractmethod
    def create_pool(self, name: str, slots: int | str, description: str | None) -> JSON:
        """Create or update a pool."""

    @abstractmethod
    def delete_pool(self, name: str) -> JSON:
        """Delete a pool; returns it as it was."""

    @abstractmethod
    def test(self) -> JSON:
        """``{"status": "OK"}`` when the API answers."""

    @abstractmethod
    def get_info(self) -> JSON:
        """``{"version": ...}``: the Airflow version the server follows."""

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
