"""notices to the parties: email addresses of the parties, the party and channel of a notice

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("denounced_email", sa.String(), nullable=False, server_default="")
        )
    with op.batch_alter_table("denouncer_identity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_party", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    # SQLite (3.35+) and PostgreSQL both drop a column in place. Alembic's batch mode would
    # rebuild case_file instead, which the foreign keys of the tables that point at it refuse.
    for table, column in (
        ("outbox_message", "channel"),
        ("outbox_message", "recipient_party"),
        ("denouncer_identity", "email"),
        ("case_file", "denounced_email"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
