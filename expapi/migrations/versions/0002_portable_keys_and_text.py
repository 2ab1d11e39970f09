"""Index task instances by run; on MySQL/MariaDB, 4-byte UTF-8, exact ids and 16 MiB DAG code.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("dag", "dag_code", "dag_run", "serialized_dag", "slot_pool", "task_instance", "users")


def mysql_collation() -> str | None:
    """The binary, NO PAD collation of this MySQL-family server; None elsewhere.

    Binary: ids are case-sensitive, as on SQLite and PostgreSQL. NO PAD: 'hello ' is not
    'hello' (the older utf8mb4_bin ignores trailing spaces). The two products name it
    differently; MySQL has it from 8.0.
    """
    bind = op.get_bind()
    if bind.dialect.name not in ("mysql", "mariadb"):
        return None
    return "utf8mb4_nopad_bin" if bind.dialect.is_mariadb else "utf8mb4_0900_bin"


def upgrade() -> None:
    collation = mysql_collation()
    if collation:
        # 0001 took the database's default character set: maybe latin1, or 3-byte utf8.
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation}")
        op.alter_column("dag_code", "source_code", type_=mysql.MEDIUMTEXT(), existing_nullable=False)
        # From a 1-byte character set, CONVERT widens TEXT to MEDIUMTEXT; keep the models' TEXT.
        op.alter_column("dag", "description", type_=sa.Text(), existing_nullable=True)
        op.alter_column("slot_pool", "description", type_=sa.Text(), existing_nullable=True)
    op.create_index("idx_task_instance_dag_id_execution_date", "task_instance", ["dag_id", "execution_date"])


def downgrade() -> None:
    op.drop_index("idx_task_instance_dag_id_execution_date", table_name="task_instance")
    if mysql_collation():
        op.alter_column("dag_code", "source_code", type_=sa.Text(), existing_nullable=False)
