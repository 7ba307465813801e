"""web sessions: browser sessions kept server-side

A web session lived only in its signed cookie: signing out cleared the browser's copy, but a
copied cookie went on working until it expired, and nobody could end another's session
(issue 21). Each session is now a row; the cookie carries a random identifier whose digest is
stored, and signing out, a new password, a role change, idleness or an administrator ends it.
The login's session version (0008), which only voided sessions on a change, goes with it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_digest", sa.String(), nullable=False, unique=True),
        sa.Column("username", sa.String(), sa.ForeignKey("app_user.username"), nullable=False),
        sa.Column("client", sa.String(), nullable=False, server_default=""),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(), nullable=False, server_default=""),
    )
    op.create_index("ix_web_session_username", "web_session", ["username"])
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("session_version")


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")
        )
    op.drop_index("ix_web_session_username", table_name="web_session")
    op.drop_table("web_session")
