"""The job table: scheduler processes and their heartbeats.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _utc() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    options = {}
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        # The collation 0002 gave every other table.
        collation = "utf8mb4_nopad_bin" if op.get_bind().dialect.is_mariadb else "utf8mb4_0900_bin"
        options = {"mysql_charset": "utf8mb4", "mysql_collate": collation}
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job_type", sa.String(30), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("hostname", sa.String(500), nullable=False),
        sa.Column("unixname", sa.String(1000), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("start_date", _utc(), nullable=False),
        sa.Column("end_date", _utc(), nullable=True),
        sa.Column("latest_heartbeat", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="job_pkey"),
        **options,
    )
    op.create_index("idx_job_job_type_state", "job", ["job_type", "state"])


def downgrade() -> None:
    op.drop_index("idx_job_job_type_state", table_name="job")
    op.drop_table("job")
