"""login failures: failed sign-ins kept in the database

The lock after five failed sign-ins was counted in each web process's memory, so a second
process (or a restart) let a guesser go on, and an administrator's reset did not lift it
(issue 21). Each failure becomes a row, counted per login and per client address.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("client", sa.String(), nullable=False, server_default=""),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_failure_username", "login_failure", ["username"])
    op.create_index("ix_login_failure_client", "login_failure", ["client"])


def downgrade() -> None:
    op.drop_index("ix_login_failure_client", table_name="login_failure")
    op.drop_index("ix_login_failure_username", table_name="login_failure")
    op.drop_table("login_failure")
