"""The SQL store: the store protocol answered from expapi's own database.

One SQLAlchemy session per unit of work. Lists are built from selected columns, not ORM
objects. Every SQLAlchemy failure becomes a store outcome in one place, ``translated``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any, NoReturn

from sqlalchemy import bindparam, delete, func, insert, or_, select, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as SqlTimeoutError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Executable

from expapi.redact import mask_url
from expapi.dags.definition import Dag
from expapi.config import DatabaseConfig
from expapi.db import Database, DatabaseFileReplaced, driver_message, upsert
from expapi.models import DagCode, DagModel, DagRun, Pool, SerializedDag, TaskInstance
from expapi.store.outcomes import (
    DagCodeMissing,
    DagDefinitionMissing,
    DagNotFound,
    DagRunNotFound,
    DuplicateExecutionDate,
    DuplicateRunId,
    PoolNotFound,
    StoreFailure,
    StoreUnavailable,
    TaskInstanceNotFound,
    TaskInstancesStillRunning,
    ValueNotStorable,
)
from expapi.store.records import (
    DagRecord,
    DagRunRecord,
    DagRunSummary,
    NewDagRun,
    NewTaskInstance,
    PoolRecord,
    TaskInstanceRecord,
)

log = logging.getLogger(__name__)

# Tables whose rows belong to one DAG; deleting a DAG counts the rows it removes from each.
DAG_TABLES = (TaskInstance, DagRun, SerializedDag, DagModel)
NAME = "metadata database"
HINT = "run 'expapi db init'?"

_DAG_COLUMNS = (DagModel.dag_id, DagModel.is_paused, DagModel.is_active, DagModel.fileloc, DagModel.owners, DagModel.description)
# In DagRunSummary's order, then DagRunRecord's other fields in theirs.
_SUMMARY_COLUMNS = (DagRun.dag_id, DagRun.run_id, DagRun.execution_date, DagRun.state, DagRun.start_date, DagRun.id)
_RUN_COLUMNS = (*_SUMMARY_COLUMNS, DagRun.end_date, DagRun.external_trigger, DagRun.conf, DagRun.queued_at)
_POOL_COLUMNS = (Pool.pool, Pool.slots, Pool.description, Pool.id, Pool.include_deferred)
_TASK_INSTANCE_COLUMNS = (
    TaskInstance.dag_id, TaskInstance.task_id, TaskInstance.execution_date, TaskInstance.run_id, TaskInstance.state,
    TaskInstance.start_date, TaskInstance.end_date, TaskInstance.duration, TaskInstance.try_number,
    TaskInstance.max_tries, TaskInstance.hostname, TaskInstance.unixname, TaskInstance.job_id, TaskInstance.pool,
    TaskInstance.pool_slots, TaskInstance.queue, TaskInstance.priority_weight, TaskInstance.operator,
    TaskInstance.queued_dttm, TaskInstance.pid, TaskInstance.executor_config, TaskInstance.updated_at,
)


# Statements of every request, built once: building one costs as much as running it
# (the latest-runs query several times more), and their compiled forms are cached by identity.
_GET_DAG = select(*_DAG_COLUMNS).where(DagModel.dag_id == bindparam("dag_id"))
_GET_DAG_DEFINITION = (
    select(DagModel.dag_id, SerializedDag.data)
    .outerjoin(SerializedDag, SerializedDag.dag_id == DagModel.dag_id)
    .where(DagModel.dag_id == bindparam("dag_id"))
)
_GET_DAG_CODE = select(DagCode.source_code).where(DagCode.dag_id == bindparam("dag_id"))
# The run ids at either key of a new run (see _refuse_clash).
_RUN_CLASH = select(DagRun.run_id).where(
    DagRun.dag_id == bindparam("dag_id"),
    or_(DagRun.run_id == bindparam("run_id"), DagRun.execution_date == bindparam("execution_date")),
)
_GET_RUN = select(*_RUN_COLUMNS).where(
    DagRun.dag_id == bindparam("dag_id"), DagRun.execution_date == bindparam("execution_date")
)
_INSERT_RUN = insert(DagRun)
# Where the database can skip a row that clashes with a unique key and say so (RETURNING no
# id), a lost race needs no savepoint to recover from: two round trips fewer per trigger.
# Task instances need no such guard: they are only ever inserted and deleted with their run.
_INSERT_RUN_UNLESS_TAKEN = {
    "postgresql": postgresql_insert(DagRun).on_conflict_do_nothing().returning(DagRun.id),
    "sqlite": sqlite_insert(DagRun).on_conflict_do_nothing().returning(DagRun.id),
}
_INSERT_TASK_INSTANCES = insert(TaskInstance)
_GET_TASK_INSTANCE = select(*_TASK_INSTANCE_COLUMNS).where(
    TaskInstance.dag_id == bindparam("dag_id"),
    TaskInstance.task_id == bindparam("task_id"),
    TaskInstance.execution_date == bindparam("execution_date"),
)
_LIST_POOLS = select(*_POOL_COLUMNS).order_by(Pool.id)
_GET_POOL = select(*_POOL_COLUMNS).where(Pool.pool == bindparam("name"))
_FIND_POOL = select(Pool).where(Pool.pool == bindparam("name"))


def _runs_of_dag(*, of_state: bool):
    # The DAG's row joined to its runs: no row at all says the DAG is unknown, one row
    # without a run that it has none. One statement where a lookup and a listing were two.
    joined = DagRun.dag_id == DagModel.dag_id
    if of_state:
        joined &= DagRun.state == bindparam("state")
    return (
        select(DagModel.dag_id, *_SUMMARY_COLUMNS[1:])
        .outerjoin(DagRun, joined)
        .where(DagModel.dag_id == bindparam("dag_id"))
        .order_by(DagRun.execution_date)
    )


_LIST_RUNS = _runs_of_dag(of_state=False)
_LIST_RUNS_OF_STATE = _runs_of_dag(of_state=True)


def _distinct_dag_ids():
    """The dag_ids that have runs, found one index seek each (a recursive CTE)."""
    following = aliased(DagRun)
    dag_ids = select(func.min(DagRun.dag_id).label("dag_id")).cte("dag_ids", recursive=True)
    return dag_ids.union_all(
        select(select(func.min(following.dag_id)).where(following.dag_id > dag_ids.c.dag_id).scalar_subquery())
        .where(dag_ids.c.dag_id.is_not(None))
    )


def _latest_runs_by_correlated_max():
    # SQLite: the run whose date is the DAG's max(execution_date), both by index seeks.
    dag_ids = _distinct_dag_ids()
    newest = aliased(DagRun)
    latest = select(func.max(newest.execution_date)).where(newest.dag_id == dag_ids.c.dag_id).scalar_subquery()
    return (
        select(*_SUMMARY_COLUMNS)
        .join(dag_ids, DagRun.dag_id == dag_ids.c.dag_id)
        .where(DagRun.execution_date == latest)
        .order_by(DagRun.dag_id)
    )


def _latest_runs_by_lateral_limit():
    # PostgreSQL plans the correlated max as a hash join over every run; LATERAL ... LIMIT 1
    # makes it one backward index seek per DAG.
    dag_ids = _distinct_dag_ids()
    newest = (
        select(*_SUMMARY_COLUMNS)
        .where(DagRun.dag_id == dag_ids.c.dag_id)
        .order_by(DagRun.execution_date.desc())
        .limit(1)
        .lateral("newest")
    )
    run = aliased(DagRun, newest)
    return select(*(getattr(run, column.key) for column in _SUMMARY_COLUMNS)).select_from(dag_ids).join(newest, true()).order_by(run.dag_id)


def _latest_runs_by_group_by():
    # MySQL took ~1 s on the seek form: it keeps the GROUP BY.
    newest = (
        select(DagRun.dag_id, func.max(DagRun.execution_date).label("execution_date"))
        .group_by(DagRun.dag_id)
        .subquery()
    )
    return (
        select(*_SUMMARY_COLUMNS)
        .join(newest, (DagRun.dag_id == newest.c.dag_id) & (DagRun.execution_date == newest.c.execution_date))
        .order_by(DagRun.dag_id)
    )


@cache
def _latest_runs_query(dialect: str):
    # One query of index seeks where the planner follows it: walk the distinct dag_ids
    # one seek at a time (a loose index scan, as a recursive CTE), then take each one's
    # newest run by a seek on the unique (dag_id, execution_date) index. A GROUP BY
    # dag_id reads every run instead (at 10,000 + 100 x 100 runs: SQLite 10.0 -> 0.5 ms,
    # PostgreSQL 31 -> 2.4 ms).
    if dialect == "sqlite":
        return _latest_runs_by_correlated_max()
    if dialect == "postgresql":
        return _latest_runs_by_lateral_limit()
    return _latest_runs_by_group_by()


class SqlStorage:
    """expapi's database as a storage: one transaction per unit of work."""

    def __init__(self, database: Database, *, refuse_delete_while: frozenset[str] = frozenset()) -> None:
        self.database = database
        # Names the database for its operator; the URL's password is hidden.
        self.where = f"the database {mask_url(database.engine.url)}"
        # Task-instance states that stop a DAG's delete (the flavour's; Airflow 2: running).
        self.refuse_delete_while = refuse_delete_while

    @classmethod
    def from_url(
        cls, url: str, limits: DatabaseConfig | None = None, *, refuse_delete_while: frozenset[str] = frozenset()
    ) -> SqlStorage:
        return cls(Database.from_url(url, limits), refuse_delete_while=refuse_delete_while)

    @contextmanager
    def unit_of_work(self) -> Iterator[SqlStore]:
        """A SqlStore on one transaction: committed if the block returns, rolled back if it raises."""
        with self.session() as session:
            yield SqlStore(session, refuse_delete_while=self.refuse_delete_while)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction on the database, its failures translated (also for what only a database holds)."""
        try:
            with translated(self.where):
                with self.database.transaction() as session:
                    yield session
        except StoreUnavailable:
            if self.database.engine.dialect.name == "sqlite":
                # A file made read-only, a full disk or a lost lock can leave a connection
                # unable to write after the cause is gone: the next request gets fresh ones.
                self.database.dispose()
            raise

    def close(self) -> None:
        self.database.dispose()


@contextmanager
def translated(where: str) -> Iterator[None]:
    """The one place SQLAlchemy's failures become store outcomes."""
    try:
        yield
    except (DataError, IntegrityError) as exc:
        # A value the database refuses (e.g. a NUL character on PostgreSQL, a constraint) is the request's.
        raise ValueNotStorable("database", driver_message(exc)) from exc
    except SqlTimeoutError as exc:
        # Every pooled connection stayed busy for [database] pool_timeout.
        raise _failure(StoreUnavailable, where, exc) from exc
    except DatabaseFileReplaced as exc:
        # SQLite: the file at the path is another now; the next request uses that one.
        raise StoreUnavailable(name=NAME, where=where, error=exc.__class__.__name__, detail=str(exc), hint=HINT) from exc
    except (OperationalError, DisconnectionError) as exc:
        if _refused_value(exc):
            raise ValueNotStorable("database", driver_message(exc)) from exc
        # Unreachable, dropped, busy past a lock or statement limit, or (on SQLite) no tables yet.
        raise _failure(StoreUnavailable, where, exc) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise _failure(StoreUnavailable, where, exc) from exc
        if isinstance(exc, (ProgrammingError, InterfaceError)):
            # No tables yet on PostgreSQL and MariaDB, or a driver that cannot go on.
            raise _failure(StoreFailure, where, exc) from exc
        raise


# MySQL/MariaDB errors about a value that its driver reports as OperationalError: a CHECK
# constraint (MariaDB 4025, MySQL 3819, e.g. JSON too deep for JSON_VALID), an invalid JSON
# text (3140), a string the character set cannot hold (1300, 1366), mixed collations (1267).
_MYSQL_VALUE_ERRORS = frozenset({4025, 3819, 3140, 1300, 1366, 1267})


def _refused_value(exc: DBAPIError) -> bool:
    args = getattr(exc.orig, "args", ())
    return bool(args) and isinstance(args[0], int) and args[0] in _MYSQL_VALUE_ERRORS


def _failure(kind: type[StoreFailure], where: str, exc: Exception) -> StoreFailure:
    return kind(name=NAME, where=where, error=exc.__class__.__name__, detail=driver_message(exc), hint=HINT)


class SqlStore:
    """The store protocol over one SQLAlchemy session."""

    def __init__(self, session: Session, *, refuse_delete_while: frozenset[str] = frozenset()) -> None:
        self.session = session
        self.refuse_delete_while = refuse_delete_while

    def _read(self, statement: Executable, **params: Any) -> Result[Any]:
        """Rows of a SELECT, run on the session's connection: the ORM's execution path costs
        as much again, and columns need none of it. Nothing is flushed first: no caller
        reads after an ORM change in the same unit of work."""
        return self.session.connection().execute(statement, params)

    def get_dag(self, dag_id: str) -> DagRecord:
        row = self._read(_GET_DAG, dag_id=dag_id).first()
        if row is None:
            raise DagNotFound(dag_id)
        return DagRecord(*row)

    def get_dag_definition(self, dag_id: str) -> Dag:
        # One query answers both: is the DAG known, and is its definition stored.
        row = self._read(_GET_DAG_DEFINITION, dag_id=dag_id).first()
        if row is None:
            raise DagNotFound(dag_id)
        if row.data is None:
            raise DagDefinitionMissing(dag_id)
        return Dag.from_data(row.data)

    def get_dag_code(self, dag_id: str) -> str:
        source = self._read(_GET_DAG_CODE, dag_id=dag_id).scalar()
        if source is None:
            raise DagCodeMissing(dag_id)
        return source

    def set_dag_paused(self, dag_id: str, paused: bool) -> None:
        model = self.session.get(DagModel, dag_id)
        if model is None:
            raise DagNotFound(dag_id)
        model.is_paused = paused

    def delete_dag(self, dag_id: str) -> int:
        # The lock makes a concurrent delete wait, then find nothing: one of them counts the rows.
        if self.session.get(DagModel, dag_id, with_for_update=True) is None:
            raise DagNotFound(dag_id)
        # A write before the check: on SQLite (whose driver starts no transaction for a SELECT)
        # it takes the database's write lock, so the check sees every commit and no other
        # writer comes between it and the delete. A refusal rolls it back.
        self.session.execute(delete(DagCode).where(DagCode.dag_id == dag_id))
        refused = self.refuse_delete_while
        if refused and self._has_task_instances_in(dag_id, refused):
            raise TaskInstancesStillRunning(dag_id, refused)
        count = 0
        for table in DAG_TABLES:
            count += self.session.execute(delete(table).where(table.dag_id == dag_id)).rowcount
        return count

    def _has_task_instances_in(self, dag_id: str, states: frozenset[str]) -> bool:
        # Every task instance of the DAG is locked, not only the matching ones: a scheduler
        # that would start one now waits for this transaction, and then finds its row gone.
        rows = self.session.execute(
            select(TaskInstance.state).where(TaskInstance.dag_id == dag_id).with_for_update()
        ).scalars()
        return any(state in states for state in rows)

    def create_dag_run(self, run: NewDagRun, task_instances: Sequence[NewTaskInstance]) -> DagRunRecord:
        self._refuse_clash(run)
        insert_unless_taken = _insert_run_unless_taken(self.session.get_bind().dialect)
        if insert_unless_taken is None:
            run_key = self._insert_in_savepoint(run, task_instances)
        else:
            run_key = self.session.connection().execute(insert_unless_taken, _run_values(run)).scalar()
            if run_key is None:
                self._lost_race(run)
            self._insert_task_instances(run, task_instances)
        return _new_run_record(run, run_key)

    def _insert_in_savepoint(self, run: NewDagRun, task_instances: Sequence[NewTaskInstance]) -> int:
        # MySQL and MariaDB: a clash is an IntegrityError, recovered from by the savepoint.
        try:
            with self.session.begin_nested():
                run_key = self.session.connection().execute(_INSERT_RUN, _run_values(run)).inserted_primary_key[0]
                self._insert_task_instances(run, task_instances)
        except IntegrityError:
            self._lost_race(run)
        return run_key

    def _lost_race(self, run: NewDagRun) -> NoReturn:
        # Another request won the race between our check and our insert: its row is visible now.
        self._refuse_clash(run)
        raise DuplicateExecutionDate(run.dag_id, run.run_id, run.execution_date) from None

    def _refuse_clash(self, run: NewDagRun) -> None:
        # One query, so one snapshot: two would let a concurrent trigger commit in between
        # and the same request be told about the date where a later one is told about the run id.
        clash = self._read(_RUN_CLASH, dag_id=run.dag_id, run_id=run.run_id, execution_date=run.execution_date)
        taken = set(clash.scalars())
        if run.run_id in taken:
            raise DuplicateRunId(run.dag_id, run.run_id, run.execution_date)
        if taken:
            raise DuplicateExecutionDate(run.dag_id, run.run_id, run.execution_date)

    def _insert_task_instances(self, run: NewDagRun, task_instances: Sequence[NewTaskInstance]) -> None:
        """One executemany (psycopg pipelines it), not ORM objects: a flush of N objects costs
        more CPU. One INSERT with N rows of VALUES measured 3x slower on PostgreSQL (compiled
        every time)."""
        if task_instances:
            rows = [_task_instance_values(run, instance) for instance in task_instances]
            self.session.connection().execute(_INSERT_TASK_INSTANCES, rows)

    def list_dag_runs(self, dag_id: str, state: str | None = None) -> list[DagRunSummary]:
        if state is None:
            rows = self._read(_LIST_RUNS, dag_id=dag_id).all()
        else:
            rows = self._read(_LIST_RUNS_OF_STATE, dag_id=dag_id, state=state).all()
        if not rows:
            raise DagNotFound(dag_id)
        if rows[0].id is None:
            return []  # the DAG's row alone: no run (of the state)
        return [DagRunSummary(*row) for row in rows]

    def get_dag_run(self, dag_id: str, execution_date: datetime) -> DagRunRecord:
        row = self._read(_GET_RUN, dag_id=dag_id, execution_date=execution_date).first()
        if row is None:
            raise DagRunNotFound(dag_id, execution_date)
        return DagRunRecord(*row)

    def get_latest_dag_runs(self) -> list[DagRunSummary]:
        query = _latest_runs_query(self.session.get_bind().dialect.name)
        return [DagRunSummary(*row) for row in self._read(query).all()]

    def get_task_instance(self, run: DagRunRecord, task_id: str) -> TaskInstanceRecord:
        row = self._read(_GET_TASK_INSTANCE, dag_id=run.dag_id, task_id=task_id, execution_date=run.execution_date).first()
        if row is None:
            raise TaskInstanceNotFound(run.dag_id, task_id, run.execution_date)
        return TaskInstanceRecord(*row)

    def get_lineage(self, dag: Dag, run: DagRunRecord) -> dict[str, dict[str, Any]]:
        # Airflow reports what tasks pushed while running; expapi runs no tasks, so it
        # reports what their DAG file declares.
        lineage: dict[str, dict[str, Any]] = {}
        for task in dag.tasks.values():
            declared = {key: task.attributes[key] for key in ("inlets", "outlets") if task.attributes.get(key)}
            if declared:
                lineage[task.task_id] = declared
        return lineage

    def list_pools(self) -> list[PoolRecord]:
        return [PoolRecord(*row) for row in self._read(_LIST_POOLS).all()]

    def get_pool(self, name: str) -> PoolRecord:
        row = self._read(_GET_POOL, name=name).first()
        if row is None:
            raise PoolNotFound(name)
        return PoolRecord(*row)

    def upsert_pool(self, name: str, slots: int, description: str | None) -> PoolRecord:
        find = select(Pool).where(Pool.pool == name).with_for_update()
        pool = self.session.scalar(find)
        if pool is None:
            # A concurrent request may be creating it too: the upsert waits for it, then updates.
            values = {"pool": name, "slots": slots, "description": description, "include_deferred": False}
            upsert(self.session, Pool, values, key="pool", update=("slots", "description"))
            return _pool_record(self.session.scalar(find.execution_options(populate_existing=True)))
        pool.slots = slots
        pool.description = description
        self.session.flush()
        return _pool_record(pool)

    def delete_pool(self, name: str) -> PoolRecord:
        pool = self._find_pool(name)
        record = _pool_record(pool)
        self.session.delete(pool)
        return record

    def _find_pool(self, name: str) -> Pool:
        pool = self.session.scalar(_FIND_POOL, {"name": name})
        if pool is None:
            raise PoolNotFound(name)
        return pool


def _insert_run_unless_taken(dialect: Dialect) -> Executable | None:
    statement = _INSERT_RUN_UNLESS_TAKEN.get(dialect.name)
    return statement if statement is not None and dialect.insert_returning else None


def _run_values(run: NewDagRun) -> dict[str, Any]:
    return {
        "dag_id": run.dag_id,
        "run_id": run.run_id,
        "execution_date": run.execution_date,
        "start_date": run.start_date,
        "state": run.state,
        "queued_at": run.queued_at,
        "external_trigger": run.external_trigger,
        "conf": dict(run.conf) if run.conf is not None else None,
    }


def _task_instance_values(run: NewDagRun, instance: NewTaskInstance) -> dict[str, Any]:
    return {
        "dag_id": run.dag_id,
        "task_id": instance.task_id,
        "execution_date": run.execution_date,
        "run_id": run.run_id,
        "state": None,
        "try_number": 0,
        "max_tries": instance.max_tries,
        "hostname": "",
        "unixname": instance.unixname,
        "pool": instance.pool,
        "pool_slots": instance.pool_slots,
        "queue": instance.queue,
        "priority_weight": instance.priority_weight,
        "operator": instance.operator,
        "executor_config": dict(instance.executor_config),
    }


def _new_run_record(run: NewDagRun, run_key: int) -> DagRunRecord:
    return DagRunRecord(
        dag_id=run.dag_id, run_id=run.run_id, execution_date=run.execution_date, state=run.state,
        start_date=run.start_date, id=run_key, external_trigger=run.external_trigger,
        conf=dict(run.conf) if run.conf is not None else None, queued_at=run.queued_at,
    )


def _pool_record(pool: Pool) -> PoolRecord:
    return PoolRecord(
        name=pool.pool, slots=pool.slots, description=pool.description, id=pool.id, include_deferred=pool.include_deferred
    )
