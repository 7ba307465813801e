"""dashboard indexes: open cases per agency, clocks stopped in a period

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_case_file_agency_kind_state",
        "case_file",
        ["agency", "kind", "state", "denounced_officer"],
    )
    op.create_index("ix_clock_status_stopped_on", "clock", ["status", "stopped_on"])


def downgrade() -> None:
    op.drop_index("ix_clock_status_stopped_on", table_name="clock")
    op.drop_index("ix_case_file_agency_kind_state", table_name="case_file")
