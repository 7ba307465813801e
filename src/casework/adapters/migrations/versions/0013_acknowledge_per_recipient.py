"""acknowledge per recipient: one row per officer who acknowledged an alert

An escalation kept one acknowledgement, so the first recipient to acknowledge silenced the
alert for every other (a denounced head could silence the chief inspector's). Each recipient's
acknowledgement becomes a row of its own; the existing one is kept as its officer's.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalation_ack",
        sa.Column("escalation_id", sa.Integer(), sa.ForeignKey("escalation.id"), primary_key=True),
        sa.Column("officer", sa.String(), primary_key=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO escalation_ack (escalation_id, officer, acknowledged_at) "
        "SELECT id, acknowledged_by, acknowledged_at FROM escalation "
        "WHERE acknowledged_by IS NOT NULL AND acknowledged_at IS NOT NULL"
    )
    with op.batch_alter_table("escalation") as batch_op:
        batch_op.drop_column("acknowledged_by")
        batch_op.drop_column("acknowledged_at")


def downgrade() -> None:
    with op.batch_alter_table("escalation") as batch_op:
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(), nullable=True))
    op.drop_table("escalation_ack")
