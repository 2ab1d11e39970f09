"""Migrations: they build exactly the models' schema, and the commands report and apply them."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from expapi import db_migrations
from expapi.cli import main
from expapi.db import Database
from expapi.models import Base, Pool
from databases import scratch_database, server_url
from live_server import EXPAPI, clean_environment

HEAD = "0004"
OUTDATED = (
    "expapi: The database is at revision 0001; pending: 0002, 0003, 0004. "
    "Run `expapi db upgrade` (or start the server with `expapi serve --upgrade-db`)\n"
)


def test_the_head_known_without_alembic_is_alembics_head() -> None:
    assert db_migrations.HEAD == db_migrations.head() == HEAD


def differences(database: Database) -> list:
    """What alembic's autogenerate would change to make the database match the models."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "version_table": db_migrations.VERSION_TABLE})
        return compare_metadata(context, Base.metadata)


@pytest.fixture
def empty(empty_database_url: str):
    database = Database.from_url(empty_database_url)
    yield database
    database.dispose()


@pytest.fixture
def command(empty_database_url: str, home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run ``expapi ...`` in this process on the empty database; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("EXPAPI_HOME", str(home))
    monkeypatch.setenv("EXPAPI__CORE__SQL_ALCHEMY_CONN", empty_database_url)
    monkeypatch.setattr("expapi.cli.supervisor.serve", lambda *args, **kwargs: None)

    def command(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return command


class TestMigrations:
    def test_build_exactly_the_models_schema(self, empty: Database) -> None:
        db_migrations.upgrade(empty.engine)
        assert differences(empty) == []
        assert db_migrations.state(empty.engine).current == HEAD

    def test_the_hot_queries_have_their_keys_and_indexes(self, empty: Database) -> None:
        db_migrations.upgrade(empty.engine)
        found = inspect(empty.engine)
        unique = {tuple(u["column_names"]) for u in found.get_unique_constraints("dag_run")}
        assert {("dag_id", "execution_date"), ("dag_id", "run_id")} <= unique
        assert ("dag_id", "state") in {tuple(i["column_names"]) for i in found.get_indexes("dag_run")}
        assert ("dag_id", "execution_date") in {tuple(i["column_names"]) for i in found.get_indexes("task_instance")}
        assert found.get_pk_constraint("task_instance")["constrained_columns"] == ["dag_id", "task_id", "execution_date"]

    def test_upgrade_a_database_made_before_migrations(self, empty: Database) -> None:
        # What create_all made: revision 0001's tables, with no version table.
        db_migrations.upgrade(empty.engine, "0001")
        with empty.engine.begin() as connection:
            connection.execute(text(f"DROP TABLE {db_migrations.VERSION_TABLE}"))
            connection.execute(Pool.__table__.insert().values(pool="kept", slots=3, include_deferred=False))
        assert db_migrations.state(empty.engine).legacy
        db_migrations.upgrade(empty.engine)
        assert differences(empty) == []
        with empty.transaction() as session:
            assert session.scalar(select(Pool.slots).where(Pool.pool == "kept")) == 3

    def test_0004_leaves_the_new_dates_empty_on_existing_rows(self, empty: Database) -> None:
        # A run made before 0004 was never recorded as queued; its instances' last write is unknown.
        db_migrations.upgrade(empty.engine, "0003")
        with empty.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO dag_run (dag_id, run_id, execution_date, state, external_trigger)"
                " VALUES ('d', 'r', '2030-01-02 03:04:05', 'running', true)"
            ))
            connection.execute(text(
                "INSERT INTO task_instance (dag_id, task_id, execution_date, run_id, try_number, max_tries,"
                " hostname, unixname, pool, pool_slots) VALUES ('d', 't', '2030-01-02 03:04:05', 'r', 0, 0, '', '', 'p', 1)"
            ))
        db_migrations.upgrade(empty.engine)
        with empty.engine.connect() as connection:
            assert connection.execute(text("SELECT run_id, queued_at FROM dag_run")).all() == [("r", None)]
            assert connection.execute(text("SELECT task_id, updated_at FROM task_instance")).all() == [("t", None)]

    def test_several_processes_may_init_at_once(self, home: Path, empty_database_url: str, empty: Database) -> None:
        env = clean_environment(home, EXPAPI__CORE__SQL_ALCHEMY_CONN=empty_database_url)
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(
                lambda _: subprocess.run([EXPAPI, "db", "init"], env=env, capture_output=True, text=True, timeout=120), range(4)
            ))
        assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
        assert differences(empty) == []
        with empty.transaction() as session:
            assert session.scalar(select(func.count()).select_from(Pool)) == 1


def test_mysql_tables_are_utf8mb4_with_exact_comparison_whatever_the_database_default() -> None:
    # A database created latin1, as an old server's default would make it.
    with scratch_database(server_url("mysql"), prefix="expapi_latin1") as url:
        database = Database.from_url(url)
        try:
            with database.engine.connect() as connection:
                connection.execute(text("ALTER DATABASE CHARACTER SET latin1"))
            db_migrations.upgrade(database.engine, "0001")
            db_migrations.upgrade(database.engine)
            assert differences(database) == []
            with database.engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT table_name, table_collation FROM information_schema.tables WHERE table_schema = DATABASE()")
                ).all()
                columns = connection.execute(text(
                    "SELECT column_type FROM information_schema.columns"
                    " WHERE table_schema = DATABASE() AND table_name = 'dag_code' AND column_name = 'source_code'"
                )).scalar()
        finally:
            database.dispose()
    collations = {name.lower(): collation for name, collation in rows if name != db_migrations.VERSION_TABLE}
    assert set(collations.values()) <= {"utf8mb4_nopad_bin", "utf8mb4_0900_bin"}, collations
    assert len(collations) == 8  # the seven of 0001 and 0003's job
    assert columns.lower() == "mediumtext"


class TestDbCommands:
    def test_check_upgrade_check(self, command) -> None:
        assert command("db", "check") == (1, "The database has no expapi schema yet (the head is 0004)\n", "")
        assert command("db", "upgrade") == (0, "Upgraded the schema to revision 0004 (applied 0001, 0002, 0003, 0004)\n", "")
        assert command("db", "check") == (0, "The database is at revision 0004, the head\n", "")
        assert command("db", "upgrade") == (0, "The schema is current: revision 0004\n", "")

    def test_check_names_the_pending_revisions(self, command, empty: Database) -> None:
        db_migrations.upgrade(empty.engine, "0001")
        assert command("db", "check") == (1, "The database is at revision 0001; pending: 0002, 0003, 0004\n", "")
        code, out, _ = command("db", "init")
        assert (code, out.splitlines()[0]) == (0, "Upgraded the schema to revision 0004 (applied 0002, 0003, 0004)")
        with empty.transaction() as session:
            assert session.scalar(select(Pool.pool)) == "default_pool"

    def test_a_revision_from_a_newer_expapi_is_refused(self, command, empty: Database) -> None:
        db_migrations.upgrade(empty.engine)
        with empty.engine.begin() as connection:
            connection.execute(text(f"UPDATE {db_migrations.VERSION_TABLE} SET version_num = '9999'"))
        message = "The database is at revision 9999, which this expapi does not know (its head is 0004): upgrade expapi"
        assert command("db", "check") == (1, message + "\n", "")
        assert command("db", "upgrade") == (1, "", f"expapi: {message}\n")
        assert command("serve") == (1, "", f"expapi: {message}\n")


class TestServeOnAnOutdatedSchema:
    def test_refuses_in_one_line_naming_the_upgrade(self, command, empty: Database) -> None:
        db_migrations.upgrade(empty.engine, "0001")
        assert command("serve") == (1, "", OUTDATED)
        assert command("dags", "sync") == (1, "", OUTDATED)
        assert db_migrations.state(empty.engine).current == "0001"

    def test_upgrades_when_told_to(self, command, empty: Database) -> None:
        db_migrations.upgrade(empty.engine, "0001")
        code, _, err = command("serve", "--upgrade-db")
        assert code == 0
        assert "upgraded the schema to revision 0004 (applied 0002, 0003, 0004)" in err
        assert db_migrations.state(empty.engine).current == HEAD

    def test_an_empty_database_gets_the_schema_without_asking(self, command, empty: Database) -> None:
        assert command("serve")[0] == 0
        assert db_migrations.state(empty.engine).current == HEAD
