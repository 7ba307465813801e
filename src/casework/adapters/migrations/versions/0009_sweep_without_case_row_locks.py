"""sweep without case row locks: the escalation and outbox rows keep their case id without a
foreign key to case_file, and the escalation's clock index that duplicated uq_escalation_once
is gone

On PostgreSQL every foreign key check locks the referenced row (FOR KEY SHARE); a sweep that
records ten thousand escalations and their notices locked ten thousand case rows for nothing:
cases are never deleted, and an escalation's clock key already ties it to its case.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite keeps its foreign keys unnamed; batch mode names them by this convention to drop them
_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_CASE_KEYS = (
    ("escalation", "escalation_case_id_fkey"),
    ("outbox_message", "outbox_message_case_id_fkey"),
)


def _key_name(table: str, postgres_name: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return postgres_name
    return f"fk_{table}_case_id_case_file"  # as _NAMING names SQLite's unnamed key


def upgrade() -> None:
    with op.batch_alter_table("escalation") as batch_op:
        batch_op.drop_index("ix_escalation_clock_id")
    for table, postgres_name in _CASE_KEYS:
        with op.batch_alter_table(table, naming_convention=_NAMING) as batch_op:
            batch_op.drop_constraint(_key_name(table, postgres_name), type_="foreignkey")


def downgrade() -> None:
    for table, postgres_name in _CASE_KEYS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_foreign_key(
                _key_name(table, postgres_name), "case_file", ["case_id"], ["id"]
            )
    with op.batch_alter_table("escalation") as batch_op:
        batch_op.create_index("ix_escalation_clock_id", ["clock_id"], unique=False)
