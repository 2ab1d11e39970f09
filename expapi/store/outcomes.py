"""What a store reports instead of a record: typed outcomes, raised as exceptions.

They carry the data of what happened, never a client's message: the service turns each
into the flavour's own words (``Dag id … not found in DagModel``), because the same outcome
reads differently per operation and per Airflow line.
"""

from __future__ import annotations

from datetime import datetime


class StoreOutcome(Exception):
    """Something a store reports instead of answering."""


class DagNotFound(StoreOutcome):
    """No DAG with this id."""

    def __init__(self, dag_id: str) -> None:
        super().__init__(dag_id)
        self.dag_id = dag_id


class TaskInstancesStillRunning(StoreOutcome):
    """The DAG was not deleted: some of its task instances are in a state the caller refused to delete."""

    def __init__(self, dag_id: str, states: frozenset[str]) -> None:
        super().__init__(dag_id, states)
        self.dag_id = dag_id
        self.states = states


class DagDefinitionMissing(StoreOutcome):
    """The DAG is known, but its definition is not (its file is gone or was never parsed)."""

    def __init__(self, dag_id: str) -> None:
        super().__init__(dag_id)
        self.dag_id = dag_id


class DagCodeMissing(StoreOutcome):
    """The DAG is known, but the text of its file is not."""

    def __init__(self, dag_id: str) -> None:
        super().__init__(dag_id)
        self.dag_id = dag_id


class DagRunNotFound(StoreOutcome):
    """No run of the DAG at exactly this instant."""

    def __init__(self, dag_id: str, execution_date: datetime) -> None:
        super().__init__(dag_id, execution_date)
        self.dag_id = dag_id
        self.execution_date = execution_date


class TaskInstanceNotFound(StoreOutcome):
    """The run has no instance of this task."""

    def __init__(self, dag_id: str, task_id: str, execution_date: datetime) -> None:
        super().__init__(dag_id, task_id, execution_date)
        self.dag_id = dag_id
        self.task_id = task_id
        self.execution_date = execution_date


class PoolNotFound(StoreOutcome):
    """No pool with this name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class DuplicateRun(StoreOutcome):
    """A run of the DAG already has the new run's id or date; nothing was created."""

    def __init__(self, dag_id: str, run_id: str, execution_date: datetime) -> None:
        super().__init__(dag_id, run_id, execution_date)
        self.dag_id = dag_id
        self.run_id = run_id
        self.execution_date = execution_date


class DuplicateRunId(DuplicateRun):
    """A run of the DAG has this run id (whatever its date)."""


class DuplicateExecutionDate(DuplicateRun):
    """A run of the DAG is at this date, under another run id."""


class RunRefused(StoreOutcome):
    """The store refused to create the run for a reason of its own, given in its words.

    Airflow behind the gateway checks what expapi cannot see, e.g. ``conf`` against the DAG's
    params; a client's request it refuses is a 400 there, so it is one here.
    """

    def __init__(self, dag_id: str, reason: str) -> None:
        super().__init__(dag_id, reason)
        self.dag_id = dag_id
        self.reason = reason


class ValueNotStorable(StoreOutcome):
    """A value from the request that the store refuses to keep (e.g. a NUL character on PostgreSQL).

    ``store`` is what a client may be told refused it ("database").
    """

    def __init__(self, store: str, detail: str) -> None:
        super().__init__(store, detail)
        self.store = store
        self.detail = detail


class NotKept(StoreOutcome):
    """The store keeps nothing of this kind (e.g. ``lineage`` on an Airflow 3 behind the gateway).

    ``what`` names the kind; ``where`` names the store as a client may be told it.
    """

    def __init__(self, what: str, where: str) -> None:
        super().__init__(what, where)
        self.what = what
        self.where = where


class StoreFailure(StoreOutcome):
    """The store itself failed: no fault of the request.

    ``name`` is what clients may be told it is ("metadata database"); ``where`` names it for
    its operator without secrets ("the database 'postgresql://…'"); ``error`` and ``detail``
    are the kind and first line of the underlying error; ``hint`` says what may set it right.
    """

    def __init__(self, *, name: str, where: str, error: str, detail: str, hint: str = "") -> None:
        super().__init__(f"{where}: {error}: {detail}")
        self.name = name
        self.where = where
        self.error = error
        self.detail = detail
        self.hint = hint


class StoreUnavailable(StoreFailure):
    """The store cannot be reached or used right now (down, disconnected, not set up); retrying may work."""
