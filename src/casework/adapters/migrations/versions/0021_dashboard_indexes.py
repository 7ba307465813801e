"""dashboard indexes: a viewer's exclusions by officer; open cases without a deadline

The dashboard's counts probed `case_exclusion` once for every case they counted, to leave out
the cases that exclude the viewer: 10^5 probes, about half the dashboard's time at 10^5 open
cases (issue 26). They now count the scope's cases and take away the counts of the viewer's
excluded cases, which an index on the officer finds directly.

Open cases are now found by naming their states (services/clock_gaps.open_states); with the
nearest due date next in the cases' index on agency, kind and state, the open cases no clock
watches (next_due NULL) are one seek of it, not a walk of every case without a deadline,
closed ones included.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ["agency", "kind", "state", "handler", "denounced_officer"]
_AFTER = ["agency", "kind", "state", "next_due", "handler", "denounced_officer"]


def upgrade() -> None:
    op.create_index("ix_case_exclusion_officer", "case_exclusion", ["officer", "case_id"])
    op.drop_index("ix_case_file_agency_kind_state", "case_file")
    op.create_index("ix_case_file_agency_kind_state", "case_file", _AFTER)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite knows nothing of a new index until ANALYZE: until the next sweep refreshes
        # its statistics (adapters/database.refresh_planner_statistics), it walked 10^5 cases
        # through this one to find the dashboard's 50 overdue clocks (0.14 s instead of 1 ms)
        op.execute("PRAGMA analysis_limit=400")
        op.execute("ANALYZE")


def downgrade() -> None:
    op.drop_index("ix_case_file_agency_kind_state", "case_file")
    op.create_index("ix_case_file_agency_kind_state", "case_file", _BEFORE)
    op.drop_index("ix_case_exclusion_officer", "case_exclusion")
