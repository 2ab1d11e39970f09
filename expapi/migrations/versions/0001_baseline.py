"""The schema expapi created before it had migrations (``Base.metadata.create_all``).

A database made that way has these tables but no version table; ``expapi.db_migrations``
stamps it with this revision before upgrading it.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def utc_datetime() -> sa.types.TypeEngine:
    """expapi's UtcDateTime as stored: naive UTC, DATETIME(6) on MySQL for microseconds."""
    return sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "dag",
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("is_paused", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("fileloc", sa.String(2000), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owners", sa.String(2000), nullable=True),
        sa.Column("schedule_interval", sa.String(1000), nullable=True),
        sa.Column("last_parsed_time", utc_datetime(), nullable=True),
        sa.PrimaryKeyConstraint("dag_id", name="dag_pkey"),
    )
    op.create_table(
        "dag_code",
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("fileloc", sa.String(2000), nullable=False),
        sa.Column("source_code", sa.Text(), nullable=False),
        sa.Column("last_updated", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("dag_id", name="dag_code_pkey"),
    )
    op.create_table(
        "dag_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("execution_date", utc_datetime(), nullable=False),
        sa.Column("start_date", utc_datetime(), nullable=True),
        sa.Column("end_date", utc_datetime(), nullable=True),
        sa.Column("state", sa.String(50), nullable=True),
        sa.Column("external_trigger", sa.Boolean(), nullable=False),
        sa.Column("conf", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="dag_run_pkey"),
        sa.UniqueConstraint("dag_id", "execution_date", name="dag_run_dag_id_execution_date_key"),
        sa.UniqueConstraint("dag_id", "run_id", name="dag_run_dag_id_run_id_key"),
    )
    op.create_index("idx_dag_run_dag_id_state", "dag_run", ["dag_id", "state"])
    op.create_table(
        "serialized_dag",
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("fileloc", sa.String(2000), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("last_updated", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("dag_id", name="serialized_dag_pkey"),
    )
    op.create_table(
        "slot_pool",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pool", sa.String(256), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("include_deferred", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="slot_pool_pkey"),
        sa.UniqueConstraint("pool", name="slot_pool_pool_key"),
    )
    op.create_table(
        "task_instance",
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("task_id", sa.String(250), nullable=False),
        sa.Column("execution_date", utc_datetime(), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("state", sa.String(20), nullable=True),
        sa.Column("start_date", utc_datetime(), nullable=True),
        sa.Column("end_date", utc_datetime(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("try_number", sa.Integer(), nullable=False),
        sa.Column("max_tries", sa.Integer(), nullable=False),
        sa.Column("hostname", sa.String(1000), nullable=False),
        sa.Column("unixname", sa.String(1000), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("pool", sa.String(256), nullable=False),
        sa.Column("pool_slots", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(256), nullable=True),
        sa.Column("priority_weight", sa.Integer(), nullable=True),
        sa.Column("operator", sa.String(1000), nullable=True),
        sa.Column("queued_dttm", utc_datetime(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("executor_config", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("dag_id", "task_id", "execution_date", name="task_instance_pkey"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(256), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="users_pkey"),
        sa.UniqueConstraint("username", name="users_username_key"),
    )


def downgrade() -> None:
    for table in ("users", "task_instance", "slot_pool", "serialized_dag", "dag_run", "dag_code", "dag"):
        op.drop_table(table)
