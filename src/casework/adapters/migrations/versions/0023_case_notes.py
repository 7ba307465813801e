"""case notes: internal notes between a case's head and its handler

Issue 27: a head and a handler write to each other on the case, on the record. A note is
stored withheld where it names the sender, its text as typed sealed beside it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("sealed", sa.String(), nullable=False),
    )
    op.create_index("ix_case_note_case_id", "case_note", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_note_case_id", "case_note")
    op.drop_table("case_note")
