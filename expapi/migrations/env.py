"""Alembic's entry point: migrate the connection that ``expapi.db_migrations`` hands over."""

from alembic import context

from expapi.models import Base

VERSION_TABLE = "expapi_alembic_version"


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        # expapi takes a lock and picks the connection itself; the bare alembic CLI would skip both.
        raise RuntimeError("run migrations with `expapi db upgrade`, not the alembic command")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # Not Airflow's alembic_version, in case both ever share a database.
        version_table=VERSION_TABLE,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
