"""identity vault: senders, and every text naming them, sealed per case

A sender's name, address, contact, ID number and email were stored in clear, and the repeat
digests were unkeyed SHA-256 of a name and a number: a copy of the database or a dump gave
every denouncer away (issue 24). Each case with a sender now has a data key, wrapped by the
installation key kept outside the database, and everything naming the sender is sealed under
it (adapters/identity_vault.py, ADR 0011).

Sealing needs the keys, which plain SQL has not: this migration runs from casework (`casework
init`), which hands it the vault; on a database with senders it refuses to run without it.
The clear columns are dropped once sealed; SQLite is vacuumed afterwards by the caller, and on
PostgreSQL the README says to VACUUM FULL and to discard the dumps taken before.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 19:30:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("denouncer_identity") as batch:
        batch.add_column(sa.Column("key_id", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("wrapped_key", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("identity", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("typed", sa.String(), nullable=False, server_default=""))
    # added in place (no batch copy of these large tables)
    op.add_column("transition", sa.Column("sealed", sa.String(), nullable=False, server_default=""))
    op.add_column(
        "outbox_message",
        sa.Column("sealed_context", sa.String(), nullable=False, server_default=""),
    )
    op.add_column(
        "outbox_message",
        sa.Column("sealed_error", sa.String(), nullable=False, server_default=""),
    )
    # issue 25: a notice is given up by age, not by its number of attempts
    op.add_column(
        "outbox_message", sa.Column("retry_until", sa.DateTime(timezone=True), nullable=True)
    )
    connection = op.get_bind()
    has_senders = connection.execute(sa.text("SELECT 1 FROM denouncer_identity LIMIT 1")).first()
    if has_senders is not None:
        vault = context.config.attributes.get("vault")
        if vault is None:
            raise RuntimeError(
                "migration 0018 seals the identities this database holds and needs the "
                "installation key: run `casework init` (not `alembic upgrade`)"
            )
        from casework.adapters.vault_migration import seal_clear_identities

        context.config.attributes["vault_sealed"] = seal_clear_identities(connection, vault)
    with op.batch_alter_table("denouncer_identity") as batch:
        for name in ("full_name", "address", "contact", "id_number", "email"):
            batch.drop_column(name)
    op.create_index("ix_denouncer_identity_key_id", "denouncer_identity", ["key_id"])
    # the installation's own id: Message-IDs of two installations never meet (issue 25)
    connection.execute(
        sa.text("INSERT INTO engine_state (key, value) VALUES ('installation_id', :value)"),
        {"value": str(uuid.uuid4())},
    )


def downgrade() -> None:
    raise NotImplementedError(
        "the identities are sealed; going back would write them in clear again. Restore the "
        "backup taken before the upgrade instead"
    )
