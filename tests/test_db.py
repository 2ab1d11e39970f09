"""SQLite files as expapi's engine opens them: born in WAL mode, so concurrent first connections never race.

Switching a file to WAL takes a write lock after a read lock, and SQLite answers "database
is locked" at once (the busy timeout does not apply) when another connection holds the
write lock meanwhile: one of several processes opening a new file together failed to
connect now and then (the TestConcurrentSync flake). A file that is WAL from birth needs
no switch.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, text

from expapi.db import create_in_wal_mode, make_engine

WAL = 2  # file format bytes 18 and 19 of a WAL database's header


def header_versions(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[18:20]
    return data[0], data[1]


def test_a_new_file_appears_whole_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "expapi.db"
    create_in_wal_mode(path)
    assert header_versions(path) == (WAL, WAL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expapi.db"]  # nothing staged is left behind


def test_an_existing_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "expapi.db"
    path.write_bytes(b"not touched")
    create_in_wal_mode(path)
    assert path.read_bytes() == b"not touched"


def test_a_missing_folder_is_left_for_the_connection_to_report(tmp_path: Path) -> None:
    create_in_wal_mode(tmp_path / "missing" / "expapi.db")
    assert not (tmp_path / "missing").exists()


def test_the_engines_first_connection_finds_the_file_already_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "expapi.db"
    engine = make_engine(f"sqlite:///{path}")
    seen: list[tuple[int, int] | None] = []
    # Runs after expapi's own do_connect listener, just before SQLite opens the file.
    event.listen(engine, "do_connect", lambda *_args: seen.append(header_versions(path) if path.exists() else None))
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
    finally:
        engine.dispose()
    assert seen == [(WAL, WAL)]


def test_why_a_file_switched_to_wal_by_each_connection_raced(tmp_path: Path) -> None:
    # SQLite's behaviour that caused the flake: while one connection holds the write lock of a
    # file not yet in WAL mode, another's switch to WAL fails at once, busy timeout or not.
    path = tmp_path / "legacy.db"
    writer = sqlite3.connect(path, isolation_level=None)
    newcomer = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            newcomer.execute("PRAGMA journal_mode=WAL")
    finally:
        newcomer.close()
        writer.close()


def test_on_a_wal_file_a_newcomer_connects_beside_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "expapi.db"
    engine = make_engine(f"sqlite:///{path}")
    create_in_wal_mode(path)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("CREATE TABLE held (x)")
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT 1")) == 1
    finally:
        writer.close()
        engine.dispose()
