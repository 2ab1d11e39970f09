"""dag_run.queued_at and task_instance.updated_at, which Airflow 2's task-instance answer shows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Both are nullable and left empty on existing rows: a run made before this revision was
never recorded as queued, and a task instance's last write is not known (Airflow's own
migrations leave them empty too). SQLite adds a nullable column in place, without a batch copy.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _utc() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.add_column("dag_run", sa.Column("queued_at", _utc(), nullable=True))
    op.add_column("task_instance", sa.Column("updated_at", _utc(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_instance") as batch:
        batch.drop_column("updated_at")
    with op.batch_alter_table("dag_run") as batch:
        batch.drop_column("queued_at")
