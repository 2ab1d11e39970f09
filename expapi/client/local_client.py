"""The client that works on the database directly, through the code the HTTP handlers use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError

from expapi.client.base import JSON, Client, ClientError
from expapi.config import Config
from expapi.db import driver_message
from expapi.errors import ApiError
from expapi.runtime import Runtime
from expapi.service import dag_runs, dags, lineage, pools, task_instances, tasks
from expapi.service.context import Context

T = TypeVar("T")


class LocalClient(Client):
    """Every operation as one transaction on ``[core] sql_alchemy_conn``; no server needed."""

    def __init__(self, config: Config) -> None:
        self.runtime = Runtime(config)

    def _call(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            with self.runtime.open().transaction() as session:
                ctx = Context(session=session, flavour=self.runtime.flavour, timezone=self.runtime.timezone)
                return operation(ctx, *args, **kwargs)
        except ApiError as exc:
            raise ClientError(exc.status, exc.message) from None
        except (OperationalError, ProgrammingError, InterfaceError) as exc:
            # Unreachable, or not initialised (a missing table is a ProgrammingError on
            # PostgreSQL and MariaDB, an OperationalError on SQLite).
            url = self.runtime.config.core.sql_alchemy_conn
            raise ClientError(
                None, f"cannot use the database {make_url(url)!r} (run 'expapi db init'?): {driver_message(exc)}"
            ) from None

    def trigger_dag(self, dag_id, run_id=None, conf=None, execution_date=None, replace_microseconds=None) -> JSON:
        return self._call(
            dag_runs.trigger_dag,
            dag_id,
            run_id=run_id,
            conf=conf,
            execution_date=execution_date,
            replace_microseconds=replace_microseconds,
        )

    def delete_dag(self, dag_id: str) -> JSON:
        return self._call(dags.delete_dag, dag_id)

    def get_dag_runs(self, dag_id: str, state: str | None = None) -> list[JSON]:
        try:
            return self._call(dag_runs.list_dag_runs, dag_id, state)
        except ClientError as exc:
            # As the endpoint does: every error of the run listing is a 400.
            raise ClientError(400, exc.message) from None

    def get_dag_run_state(self, dag_id: str, execution_date: str) -> JSON:
        return self._call(dag_runs.get_dag_run_state, dag_id, execution_date)

    def get_task(self, dag_id: str, task_id: str) -> dict[str, str]:
        return self._call(tasks.get_task, dag_id, task_id)

    def get_task_instance(self, dag_id: str, execution_date: str, task_id: str) -> dict[str, str]:
        return self._call(task_instances.get_task_instance, dag_id, execution_date, task_id)

    def get_dag_paused(self, dag_id: str) -> JSON:
        return self._call(dags.get_paused, dag_id)

    def set_dag_paused(self, dag_id: str, paused: bool) -> JSON:
        return self._call(dags.set_paused, dag_id, "true" if paused else "false")

    def get_dag_code(self, dag_id: str) -> str:
        return self._call(dags.get_code, dag_id)

    def get_latest_runs(self) -> JSON:
        return self._call(dag_runs.latest_runs)

    def get_lineage(self, dag_id: str, execution_date: str) -> JSON:
        return self._call(lineage.get_lineage, dag_id, execution_date)

    def get_pools(self) -> list[JSON]:
        return self._call(pools.list_pools)

    def get_pool(self, name: str) -> JSON:
        return self._call(pools.get_pool, name)

    def create_pool(self, name: str, slots: int | str, description: str | None) -> JSON:
        return self._call(pools.create_pool, name, slots, description)

    def delete_pool(self, name: str) -> JSON:
        return self._call(pools.delete_pool, name)

    def test(self) -> JSON:
        return {"status": "OK"}

    def get_info(self) -> JSON:
        return {"version": self.runtime.flavour.airflow_version}

    def close(self) -> None:
        self.runtime.close()
