"""The client that calls the service in this process, on the configured store; no server needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from expapi.client.base import JSON, Client, ClientError
from expapi.config import Config
from expapi.errors import ApiError
from expapi.runtime import Runtime
from expapi.service import dag_runs, dags, lineage, pools, server, task_instances, tasks
from expapi.store.outcomes import StoreFailure

T = TypeVar("T")


class LocalClient(Client):
    """Every operation as one unit of work through the service the HTTP handlers call."""

    def __init__(self, config: Config) -> None:
        self.runtime = Runtime(config)

    def _call(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return self.runtime.call(operation, *args, **kwargs)
        except ApiError as exc:
            raise ClientError(exc.status, exc.message) from None
        except StoreFailure as failure:
            # No status: the store could not be used at all (a command exits 3, as for an unreachable server).
            raise ClientError(None, f"cannot use {failure.where} ({failure.hint}): {failure.detail}") from None

    def trigger_dag_run(self, dag_id, run_id=None, conf=None, execution_date=None, replace_microseconds=None) -> JSON:
        return self._call(
            dag_runs.trigger_dag_run,
            dag_id,
            run_id=run_id,
            conf=conf,
            execution_date=execution_date,
            replace_microseconds=replace_microseconds,
        )

    def delete_dag(self, dag_id: str) -> JSON:
        return self._call(dags.delete_dag, dag_id)

    def list_dag_runs(self, dag_id: str, state: str | None = None) -> list[JSON]:
        return self._call(dag_runs.list_dag_runs, dag_id, state)

    def get_dag_run_state(self, dag_id: str, execution_date: str) -> JSON:
        return self._call(dag_runs.get_dag_run_state, dag_id, execution_date)

    def get_task(self, dag_id: str, task_id: str) -> dict[str, str]:
        return self._call(tasks.get_task, dag_id, task_id)

    def get_task_instance(self, dag_id: str, execution_date: str, task_id: str) -> dict[str, str]:
        return self._call(task_instances.get_task_instance, dag_id, execution_date, task_id)

    def get_dag_paused(self, dag_id: str) -> JSON:
        return self._call(dags.get_dag_paused, dag_id)

    def set_dag_paused(self, dag_id: str, paused: bool) -> JSON:
        return self._call(dags.set_dag_paused, dag_id, "true" if paused else "false")

    def get_dag_code(self, dag_id: str) -> str:
        return self._call(dags.get_dag_code, dag_id)

    def get_latest_runs(self) -> JSON:
        return self._call(dag_runs.get_latest_runs)

    def get_lineage(self, dag_id: str, execution_date: str) -> JSON:
        return self._call(lineage.get_lineage, dag_id, execution_date)

    def list_pools(self) -> list[JSON]:
        return self._call(pools.list_pools)

    def get_pool(self, name: str) -> JSON:
        return self._call(pools.get_pool, name)

    def create_pool(self, name: str, slots: int | str, description: str | None) -> JSON:
        return self._call(pools.create_pool, name, slots, description)

    def delete_pool(self, name: str) -> JSON:
        return self._call(pools.delete_pool, name)

    def test(self) -> JSON:
        return self._call(server.test)

    def get_info(self) -> JSON:
        return self._call(server.get_info)

    def close(self) -> None:
        self.runtime.close()
