"""case references: numbered per kind and year by a gapless counter

A case's reference was its kind, its year and its row id (TC-2026-000412), so the numbers of
one register skipped whatever the other kinds took, and a rolled-back intake left a hole.
Registers number each kind from 1 every year without gaps (issue 22), and official documents
and the reception register will take their numbers the same way: a counter row per series,
advanced in the transaction that writes the record.

References already given stay as they are — they are printed on receipts and notices — and
each series' counter starts after the highest number it holds, so no new case takes one.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in adapters/case_store.REF_PREFIX when this migration was written: a migration does not
# follow later code
_PREFIX = {"denunciation": "TC", "complaint": "KN", "petition": "KNPA", "letter": "DON"}


def upgrade() -> None:
    op.create_table(
        "reference_counter",
        sa.Column("series", sa.String(), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )
    # added in place (no batch copy of case_file, which every other table refers to); the
    # empty default only lets SQLite add a NOT NULL column, every row is numbered below
    op.add_column(
        "case_file", sa.Column("reference", sa.String(), nullable=False, server_default="")
    )
    connection = op.get_bind()
    cases = sa.table(
        "case_file",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("received_on", sa.Date()),
        sa.column("reference", sa.String()),
    )
    last: dict[str, int] = {}
    rows = connection.execute(sa.select(cases.c.id, cases.c.kind, cases.c.received_on)).all()
    for case_id, kind, received_on in rows:
        series = f"{_PREFIX.get(kind, kind[:2].upper())}-{received_on.year}"
        connection.execute(
            cases.update().where(cases.c.id == case_id).values(reference=f"{series}-{case_id:06d}")
        )
        last[series] = max(last.get(series, 0), case_id)
    if last:
        counters = sa.table(
            "reference_counter", sa.column("series", sa.String()), sa.column("last_number")
        )
        connection.execute(
            counters.insert(), [{"series": s, "last_number": n} for s, n in sorted(last.items())]
        )
    op.create_index("ix_case_file_reference", "case_file", ["reference"], unique=True)
    if connection.dialect.name == "postgresql":
        op.alter_column("case_file", "reference", server_default=None)


def downgrade() -> None:
    op.drop_index("ix_case_file_reference", table_name="case_file")
    op.drop_column("case_file", "reference")
    op.drop_table("reference_counter")
