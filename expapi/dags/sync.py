"""Loading DAG files into the database, as Airflow's scheduler and ``reserialize`` do."""

from __future__ import annotations

import os

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from expapi.config import Config
from expapi.dags.definition import Dag
from expapi.dags.files import DagFileError, find_dag_files, read_dag_file
from expapi.dates import utcnow
from expapi.db import Database, upsert
from expapi.flavours import FLAVOURS
from expapi.models import DagCode, DagModel, SerializedDag


@dataclass
class SyncReport:
    """What one sync loaded, and the files it could not."""

    loaded: list[str] = field(default_factory=list)
    errors: list[DagFileError] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


def example_dags_folder(flavour_name: str) -> Path:
    """The folder of example DAG files shipped for one Airflow line."""
    folder = FLAVOURS[flavour_name].examples
    return Path(str(resources.files("expapi.example_dags").joinpath(folder)))


def dag_folders(config: Config) -> list[Path]:
    """Where DAG files are read from: the examples (if enabled), then ``dags_folder``."""
    folders = [example_dags_folder(config.api.compat)] if config.core.load_examples else []
    return folders + [config.core.dags_folder]


def collect_dags(folders: list[Path]) -> tuple[list[tuple[Dag, str]], list[DagFileError]]:
    """Parse every DAG file in ``folders``; a bad file is reported and skipped."""
    dags: dict[str, tuple[Dag, str]] = {}
    errors: list[DagFileError] = []
    for folder in folders:
        for path in find_dag_files(folder):
            try:
                dag, text = read_dag_file(path)
            except DagFileError as exc:
                errors.append(exc)
                continue
            if dag.dag_id in dags:
                errors.append(DagFileError(str(path), None, f"dag_id {dag.dag_id!r} is already defined in {dags[dag.dag_id][0].fileloc}"))
                continue
            dags[dag.dag_id] = (dag, text)
    return list(dags.values()), errors


def sync_dags(database: Database, config: Config) -> SyncReport:
    """Store every readable DAG file's DAG; new DAGs start paused as configured.

    A DAG whose file is gone is deactivated, as Airflow does: its row and runs stay,
    its definition goes, so using it answers ``Dag id <id> not found``. A DAG whose
    file is present but broken keeps its last good definition.
    """
    parsed, errors = collect_dags(dag_folders(config))
    report = SyncReport(loaded=[dag.dag_id for dag, _ in parsed], errors=errors)
    operator_defaults = FLAVOURS[config.api.compat].base_operator_defaults
    with database.transaction() as session:
        for dag, text in parsed:
            store_dag(
                session, dag, text, paused_at_creation=config.core.dags_are_paused_at_creation, operator_defaults=operator_defaults
            )
        report.deactivated = _deactivate_missing(session, set(report.loaded), {e.path for e in errors})
    return report


def _deactivate_missing(session: Session, loaded: set[str], broken_files: set[str]) -> list[str]:
    gone = session.scalars(select(DagModel).where(DagModel.is_active.is_(True), DagModel.dag_id.not_in(loaded))).all()
    # Compared resolved: a sync with dags_folder spelled another way ('sub/../dags', a
    # symlink) names the same broken file differently, and must keep its DAG all the same.
    broken = {os.path.realpath(path) for path in broken_files}
    deactivated = []
    for model in gone:
        if model.fileloc and os.path.realpath(model.fileloc) in broken:
            continue
        model.is_active = False
        session.execute(delete(SerializedDag).where(SerializedDag.dag_id == model.dag_id))
        session.execute(delete(DagCode).where(DagCode.dag_id == model.dag_id))
        deactivated.append(model.dag_id)
    return sorted(deactivated)


def store_dag(
    session: Session, dag: Dag, source: str, *, paused_at_creation: bool, operator_defaults: Mapping[str, Any]
) -> None:
    """Insert or update one DAG's rows; the paused flag of a known DAG is kept.

    Two syncs may store the same new DAG at once: each row is inserted only if missing
    (the second waits for the first), then locked and updated, so neither fails.
    """
    now = utcnow()
    paused = dag.attributes.get("is_paused_upon_creation")
    fields = {
        "fileloc": dag.fileloc,
        "is_active": True,
        "description": dag.description,
        "owners": dag.owners(operator_defaults),
        "schedule_interval": None if dag.schedule_interval is None else str(dag.schedule_interval),
        "last_parsed_time": now,
    }
    _save(session, DagModel, dag.dag_id, fields, on_create={"is_paused": paused_at_creation if paused is None else bool(paused)})
    _save(session, SerializedDag, dag.dag_id, {"fileloc": dag.fileloc, "data": dag.to_data(), "last_updated": now})
    _save(session, DagCode, dag.dag_id, {"fileloc": dag.fileloc, "source_code": source, "last_updated": now})
    session.flush()


def _save(session: Session, model, dag_id: str, values: dict, on_create: dict | None = None) -> None:
    row = session.get(model, dag_id, with_for_update=True)
    if row is None:
        upsert(session, model, {"dag_id": dag_id, **(on_create or {}), **values}, key="dag_id")
        row = session.get(model, dag_id, with_for_update=True)
    for name, value in values.items():
        setattr(row, name, value)
