"""case parties: the parties each case concerns, resolved against the organisation, the
officers each case excludes, and recusals

The denounced person was kept as free text and an optional officer code on the case, and four
places compared it with the viewer in four ways (issue 20). The parties move to a table of
their own; the exclusions are derived from them by `domain.parties.excluded_officers` and
stored, so that lists leave a viewer's excluded cases out in SQL. This migration copies each
case's denounced (or respondent) columns into one party; the exclusions, and the candidates a
typed name may be, are worked out by the engine on its next start (services/exclusions.py:
`ensure_exclusions_current`), because they need the organisation and the current rule.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = """
INSERT INTO case_party (case_id, role, kind, name, officer, agency, candidates, outside_reason)
SELECT id,
       CASE WHEN kind = 'complaint' THEN 'respondent' ELSE 'denounced' END,
       CASE WHEN denounced_officer IS NOT NULL THEN 'officer'
            WHEN denounced_agency IS NOT NULL AND denounced_name = '' THEN 'agency'
            ELSE 'person' END,
       denounced_name, denounced_officer, denounced_agency, '[]', ''
FROM case_file
WHERE denounced_name <> '' OR denounced_officer IS NOT NULL OR denounced_agency IS NOT NULL
"""


def upgrade() -> None:
    op.create_table(
        "case_party",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False, server_default=""),
        sa.Column("officer", sa.String(), nullable=True),
        sa.Column("agency", sa.String(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("outside_confirmed_by", sa.String(), nullable=True),
        sa.Column("outside_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outside_reason", sa.String(), nullable=False, server_default=""),
    )
    op.create_index("ix_case_party_case_id", "case_party", ["case_id"])
    op.create_table(
        "case_exclusion",
        sa.Column("case_id", sa.Integer(), primary_key=True),
        sa.Column("officer", sa.String(), primary_key=True),
        sa.Column("reason", sa.String(), nullable=False),
    )
    op.create_table(
        "case_recusal",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), primary_key=True),
        sa.Column("officer", sa.String(), primary_key=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(_BACKFILL)


def downgrade() -> None:
    op.drop_table("case_recusal")
    op.drop_table("case_exclusion")
    op.drop_index("ix_case_party_case_id", table_name="case_party")
    op.drop_table("case_party")
