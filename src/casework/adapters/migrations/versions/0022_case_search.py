"""case search: the words each case is found by, and the sender's name words as digests

Officers search cases by reference, names typed with or without diacritics, and part of the
summary (issue 27). Each case's folded words are kept in `case_search` (domain/search.py),
indexed per store: SQLite an FTS5 table with the trigram tokenizer over it, kept by triggers
(where SQLite has FTS5); PostgreSQL a GIN index with pg_trgm (where the extension can be
created: without it a search reads every row, with the same answer). The words of each
sender's name are kept only as keyed digests (`sender_word`), computed here with the
installation's keys for the cases that have a sender.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 04:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000
_log = logging.getLogger("casework.migrations")

_FTS = "case_search_fts"
_TRIGGERS = (
    f"""CREATE TRIGGER case_search_ai AFTER INSERT ON case_search BEGIN
  INSERT INTO {_FTS}(rowid, words) VALUES (new.case_id, new.words);
END""",
    f"""CREATE TRIGGER case_search_ad AFTER DELETE ON case_search BEGIN
  INSERT INTO {_FTS}({_FTS}, rowid, words) VALUES ('delete', old.case_id, old.words);
END""",
    f"""CREATE TRIGGER case_search_au AFTER UPDATE ON case_search BEGIN
  INSERT INTO {_FTS}({_FTS}, rowid, words) VALUES ('delete', old.case_id, old.words);
  INSERT INTO {_FTS}(rowid, words) VALUES (new.case_id, new.words);
END""",
)


def upgrade() -> None:
    op.create_table(
        "case_search",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), primary_key=True),
        sa.Column("words", sa.String(), nullable=False),
    )
    op.create_table(
        "sender_word",
        sa.Column("digest", sa.String(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), primary_key=True),
    )
    op.create_index("ix_sender_word_case_id", "sender_word", ["case_id"])
    op.create_index("ix_case_file_agency_received_on", "case_file", ["agency", "received_on", "id"])
    # a tab (open, unassigned) filters the list's walk by nearest deadline: with what it
    # filters on in the index, page 1,001 reads no row
    op.drop_index("ix_case_file_agency_next_due", "case_file")
    op.create_index(
        "ix_case_file_agency_next_due",
        "case_file",
        ["agency", "next_due", "id", "kind", "state", "handler"],
    )
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        _sqlite_index(connection)
    else:
        _postgres_index(connection)
    _fill(connection)


def _sqlite_index(connection: sa.Connection) -> None:
    options = {row[0] for row in connection.exec_driver_sql("PRAGMA compile_options")}
    if "ENABLE_FTS5" not in options:
        _log.warning("SQLite without FTS5: searches will read every case's words")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {_FTS} USING fts5(words, content='case_search', "
        "content_rowid='case_id', tokenize='trigram')"
    )
    for trigger in _TRIGGERS:
        op.execute(trigger)


def _postgres_index(connection: sa.Connection) -> None:
    try:
        with connection.begin_nested():
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as refused:
        _log.warning("no pg_trgm (%s): searches will read every case's words", refused.orig)
        return
    op.execute(
        "CREATE INDEX ix_case_search_words_trgm ON case_search USING gin (words gin_trgm_ops)"
    )


def _fill(connection: sa.Connection) -> None:
    """The words of the cases already logged, and their senders' name words."""
    from casework.domain.search import case_words, name_words

    cases = sa.table(
        "case_file",
        sa.column("id"),
        sa.column("reference"),
        sa.column("summary"),
        sa.column("forwarded_by"),
        sa.column("denounced_name"),
        sa.column("attributes", sa.JSON()),
    )
    search = sa.table("case_search", sa.column("case_id"), sa.column("words"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(cases).where(cases.c.id > last).order_by(cases.c.id).limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            sa.insert(search),
            [
                {
                    "case_id": row.id,
                    "words": case_words(
                        row.reference,
                        row.summary,
                        row.forwarded_by,
                        row.denounced_name,
                        str((row.attributes or {}).get("contested_decision") or ""),
                    ),
                }
                for row in rows
            ],
        )
        last = rows[-1].id
    has_senders = connection.execute(sa.text("SELECT 1 FROM denouncer_identity LIMIT 1")).first()
    if has_senders is None:
        return
    vault = context.config.attributes.get("vault")
    if vault is None:
        raise RuntimeError(
            "migration 0022 digests the senders' names this database holds and needs the "
            "installation key: run `casework init` (not `alembic upgrade`)"
        )
    words = sa.table("sender_word", sa.column("digest"), sa.column("case_id"))
    last = 0
    while True:
        ids = list(
            connection.execute(
                sa.text(
                    "SELECT case_id FROM denouncer_identity WHERE case_id > :last "
                    "ORDER BY case_id LIMIT :batch"
                ),
                {"last": last, "batch": _BATCH},
            ).scalars()
        )
        if not ids:
            break
        digested = [
            {"digest": digest, "case_id": case_id}
            for case_id, sender in vault.senders_of(connection, ids).items()
            for digest in vault.name_word_digests(name_words(sender.identity["full_name"]))
        ]
        if digested:
            connection.execute(sa.insert(words), digested)
        last = ids[-1]


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for trigger in ("case_search_ai", "case_search_ad", "case_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute(f"DROP TABLE IF EXISTS {_FTS}")
    else:
        op.execute("DROP INDEX IF EXISTS ix_case_search_words_trgm")
    op.drop_index("ix_case_file_agency_received_on", "case_file")
    op.drop_index("ix_case_file_agency_next_due", "case_file")
    op.create_index("ix_case_file_agency_next_due", "case_file", ["agency", "next_due", "id"])
    op.drop_index("ix_sender_word_case_id", "sender_word")
    op.drop_table("sender_word")
    op.drop_table("case_search")
