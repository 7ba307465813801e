"""notice statuses: what became of each notice, told honestly

A notice was "pending", "sent" or "dead", and a letter written for a party whose address was
refused counted as sent (issue 25). Each notice now has one of queued, deferred, sent,
printed, refused, bounced, dead or needs_attention (domain/notice_status.py). Pending
notices become queued (never tried) or deferred (tried); a notice that went out as a letter
becomes printed. Message-IDs get an index: a bounce names its notice by it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUTBOX = sa.table(
    "outbox_message",
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("channel", sa.String()),
)


def upgrade() -> None:
    op.execute(
        _OUTBOX.update()
        .where(_OUTBOX.c.status == "pending", _OUTBOX.c.attempts == 0)
        .values(status="queued")
    )
    op.execute(_OUTBOX.update().where(_OUTBOX.c.status == "pending").values(status="deferred"))
    op.execute(
        _OUTBOX.update()
        .where(_OUTBOX.c.status == "sent", _OUTBOX.c.channel == "letter")
        .values(status="printed")
    )
    op.create_index("ix_outbox_message_message_id", "outbox_message", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_message_message_id", "outbox_message")
    op.execute(
        _OUTBOX.update()
        .where(_OUTBOX.c.status.in_(["queued", "deferred"]))
        .values(status="pending")
    )
    op.execute(
        _OUTBOX.update()
        .where(_OUTBOX.c.status.in_(["printed", "needs_attention"]))
        .values(status="sent", channel="letter")
    )
    op.execute(
        _OUTBOX.update().where(_OUTBOX.c.status.in_(["refused", "bounced"])).values(status="dead")
    )
