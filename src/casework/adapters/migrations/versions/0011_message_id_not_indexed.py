"""message id not indexed: the outbox's Message-ID loses its unique index, which
`dedupe_key`'s already implies

A Message-ID is a name-based UUID of the message's dedupe key (services/notices.py), so two
rows with one Message-ID would share a dedupe key, which its own unique index refuses. Nothing
looks a message up by its Message-ID. The second index cost every notice an insert into a
B-tree of random keys: about a tenth of the PostgreSQL writes of a sweep over 10^6 open cases.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite keeps the constraint unnamed; batch mode names it by this convention to drop it
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _constraint_name() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "outbox_message_message_id_key"
    return "uq_outbox_message_message_id"


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint(_constraint_name(), type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.create_unique_constraint(_constraint_name(), ["message_id"])
