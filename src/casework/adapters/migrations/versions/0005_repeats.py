"""repeats: who or what a case is about, and a digest of its sender, both indexed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "case_file", sa.Column("subject_key", sa.String(), nullable=False, server_default="")
    )
    op.create_index("ix_case_file_subject_key", "case_file", ["subject_key"])
    op.add_column(
        "denouncer_identity",
        sa.Column("sender_key", sa.String(), nullable=False, server_default=""),
    )
    op.create_index("ix_denouncer_identity_sender_key", "denouncer_identity", ["sender_key"])


def downgrade() -> None:
    op.drop_index("ix_denouncer_identity_sender_key", table_name="denouncer_identity")
    op.drop_index("ix_case_file_subject_key", table_name="case_file")
    # in place on SQLite 3.35+ and PostgreSQL (see 0004 on why not batch mode)
    op.execute("ALTER TABLE denouncer_identity DROP COLUMN sender_key")
    op.execute("ALTER TABLE case_file DROP COLUMN subject_key")
