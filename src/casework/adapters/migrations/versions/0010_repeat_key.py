"""repeat key: the identity row carries what a repeat shares with its first case (sender,
kind, agency, subject) under one index, which replaces the separate sender and subject indexes

The repeat lookup joined case_file to the sender's identities; a planner that had no
statistics yet (a new database, or a burst of letters on one much-denounced subject) started
from case_file and walked every case on that subject, once per letter logged.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as casework.domain.repeats.repeat_key builds it; one statement on both stores
_BACKFILL = """
UPDATE denouncer_identity
SET repeat_key = (
    SELECT denouncer_identity.sender_key || '|' || case_file.kind || '|' || case_file.agency
        || '|' || case_file.subject_key
    FROM case_file
    WHERE case_file.id = denouncer_identity.case_id
)
WHERE sender_key <> ''
  AND EXISTS (
    SELECT 1 FROM case_file
    WHERE case_file.id = denouncer_identity.case_id AND case_file.subject_key <> ''
  )
"""


def upgrade() -> None:
    with op.batch_alter_table("denouncer_identity") as batch_op:
        batch_op.add_column(sa.Column("repeat_key", sa.String(), nullable=False, server_default=""))
    op.execute(_BACKFILL)
    op.create_index(
        "ix_denouncer_identity_repeat_key", "denouncer_identity", ["repeat_key", "case_id"]
    )
    op.drop_index("ix_denouncer_identity_sender_key", table_name="denouncer_identity")
    op.drop_index("ix_case_file_subject_key", table_name="case_file")


def downgrade() -> None:
    op.create_index("ix_case_file_subject_key", "case_file", ["subject_key"])
    op.create_index("ix_denouncer_identity_sender_key", "denouncer_identity", ["sender_key"])
    op.drop_index("ix_denouncer_identity_repeat_key", table_name="denouncer_identity")
    with op.batch_alter_table("denouncer_identity") as batch_op:
        batch_op.drop_column("repeat_key")
