"""case next due: each case keeps its nearest deadline

A case list walked the running clocks in due order from the first to find a page, so page
1,001 of 10^5 open cases took 0.6 s (issue 26). Each case now keeps the nearest due date of
its running duty clocks (`case_file.next_due`, NULL when none runs), written with its clocks
(adapters/case_store.CaseStore.save_clock); lists page on an index of it. The clocks' index
on status and due also covers the code, ladder and case, and the cases' index on agency,
kind and state their handler: the dashboard's counts read no table row.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEAREST = """
UPDATE case_file SET next_due = (
    SELECT min(clock.due) FROM clock
    WHERE clock.case_id = case_file.id AND clock.status = 'running'
      AND clock.ladder != 'none' AND clock.due IS NOT NULL
)
"""


def upgrade() -> None:
    # plain ALTER TABLE on both stores (SQLite 3.35+ drops a column in place): a batch copy
    # of case_file would trip the foreign keys that point at it
    op.add_column("case_file", sa.Column("next_due", sa.Date(), nullable=True))
    op.execute(_NEAREST)
    op.create_index("ix_case_file_agency_next_due", "case_file", ["agency", "next_due", "id"])
    op.create_index("ix_case_file_next_due", "case_file", ["next_due", "id"])
    op.drop_index("ix_clock_status_due", "clock")
    op.create_index("ix_clock_status_due", "clock", ["status", "due", "code", "ladder", "case_id"])
    op.drop_index("ix_case_file_agency_kind_state", "case_file")
    op.create_index(
        "ix_case_file_agency_kind_state",
        "case_file",
        ["agency", "kind", "state", "handler", "denounced_officer"],
    )


def downgrade() -> None:
    op.drop_index("ix_case_file_agency_kind_state", "case_file")
    op.create_index(
        "ix_case_file_agency_kind_state",
        "case_file",
        ["agency", "kind", "state", "denounced_officer"],
    )
    op.drop_index("ix_clock_status_due", "clock")
    op.create_index("ix_clock_status_due", "clock", ["status", "due"])
    op.drop_index("ix_case_file_next_due", "case_file")
    op.drop_index("ix_case_file_agency_next_due", "case_file")
    op.drop_column("case_file", "next_due")
