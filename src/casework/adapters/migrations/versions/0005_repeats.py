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
    _backfill()


def _backfill() -> None:
    """Give the cases logged before this revision their keys, so later letters find them."""
    import json

    from casework.domain.repeats import sender_key, subject_key

    connection = op.get_bind()
    cases = connection.execute(
        sa.text(
            "SELECT id, denounced_name, denounced_officer, denounced_agency, attributes "
            "FROM case_file"
        )
    ).all()
    updates = []
    for row in cases:
        attributes = (
            json.loads(row.attributes) if isinstance(row.attributes, str) else row.attributes
        )
        key = subject_key(
            row.denounced_name or "",
            row.denounced_officer,
            row.denounced_agency,
            str((attributes or {}).get("contested_decision", "")),
        )
        if key:
            updates.append({"id": row.id, "key": key})
    if updates:
        connection.execute(
            sa.text("UPDATE case_file SET subject_key = :key WHERE id = :id"), updates
        )
    identities = connection.execute(
        sa.text("SELECT case_id, full_name, id_number, address FROM denouncer_identity")
    ).all()
    senders = [
        {
            "id": row.case_id,
            "key": sender_key(row.full_name, row.id_number or "", row.address or ""),
        }
        for row in identities
    ]
    if senders:
        connection.execute(
            sa.text("UPDATE denouncer_identity SET sender_key = :key WHERE case_id = :id"),
            senders,
        )


def downgrade() -> None:
    op.drop_index("ix_denouncer_identity_sender_key", table_name="denouncer_identity")
    op.drop_index("ix_case_file_subject_key", table_name="case_file")
    # in place on SQLite 3.35+ and PostgreSQL (see 0004 on why not batch mode)
    op.execute("ALTER TABLE denouncer_identity DROP COLUMN sender_key")
    op.execute("ALTER TABLE case_file DROP COLUMN subject_key")
