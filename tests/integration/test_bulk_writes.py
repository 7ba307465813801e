"""Bulk writes to SQLite store each value exactly as SQLAlchemy's own insert would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Table, insert, select

from casework.adapters.bulk import insert_ignoring_duplicates, insert_many_sqlite
from casework.adapters.tables import OutboxRow
from casework.services.app import Casework

OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]
HANOI = timezone(timedelta(hours=7))


def _outbox_row(key: str, at: datetime, context: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "dedupe_key": key,
        "message_id": f"<{key}@tinh.gov.vn>",
        "template": "escalation.warn",
        "language": "vi",
        "case_id": None,
        "recipient_officer": "tt-xac-minh-1",
        "to_address": "",
        "context": context,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": at,
        "last_error": "",
        "created_at": at,
        "sent_at": None,
    }


def _stored(app: Casework, prefix: str) -> list[tuple[Any, ...]]:
    """The rows as SQLite holds them (text, not parsed back), without their ids."""
    with app.database.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT dedupe_key, message_id, template, language, case_id, recipient_officer, "
            "recipient_party, to_address, context, status, attempts, next_attempt_at, "
            "last_error, created_at, sent_at FROM outbox_message WHERE dedupe_key LIKE ? "
            "ORDER BY id",
            (f"{prefix}%",),
        )
        return [tuple(row) for row in rows]


def test_rows_written_in_bulk_are_stored_as_sqlalchemy_stores_them(sqlite_app: Casework) -> None:
    # the same instant in two offsets: SQLite keeps no offset, so both are stored as given
    instant = datetime(2026, 11, 26, 1, 0, 0, 123456, tzinfo=UTC)
    values = [
        (instant, {"case": {"ref": "TC-2026-000001", "tên": "Nguyễn Văn A"}, "n": 3}),
        (instant.astimezone(HANOI), {}),
        (instant, None),
        (datetime(2026, 1, 1, 0, 0), {"list": [1, 2, None]}),
    ]
    with sqlite_app.transaction() as connection:
        connection.execute(
            insert(OUTBOX), [_outbox_row(f"orm-{i}", at, c) for i, (at, c) in enumerate(values)]
        )
        insert_many_sqlite(
            connection,
            OUTBOX,
            [_outbox_row(f"bulk-{i}", at, c) for i, (at, c) in enumerate(values)],
        )
    by_orm, in_bulk = _stored(sqlite_app, "orm-"), _stored(sqlite_app, "bulk-")
    assert len(in_bulk) == len(values)
    assert [row[2:] for row in in_bulk] == [row[2:] for row in by_orm]
    assert in_bulk[0][11] != in_bulk[1][11]  # 01:00 UTC and 08:00 +07:00, as SQLAlchemy does
    with sqlite_app.database.connect() as connection:
        read = connection.execute(
            select(OUTBOX.c.context, OUTBOX.c.created_at)
            .where(OUTBOX.c.dedupe_key.like("bulk-%"))
            .order_by(OUTBOX.c.id)
        ).all()
    assert read[0].context["case"]["tên"] == "Nguyễn Văn A"
    assert read[0].created_at == instant.replace(tzinfo=None)


def test_a_bulk_insert_ignoring_duplicates_keeps_the_first_row(sqlite_app: Casework) -> None:
    first = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    with sqlite_app.transaction() as connection:
        insert_ignoring_duplicates(connection, OUTBOX, [_outbox_row("once", first, {"n": 1})])
        insert_ignoring_duplicates(
            connection,
            OUTBOX,
            [
                _outbox_row("once", first + timedelta(hours=1), {"n": 2}),
                _outbox_row("twice", first, {"n": 3}),
            ],
        )
    with sqlite_app.database.connect() as connection:
        rows = connection.execute(
            select(OUTBOX.c.dedupe_key, OUTBOX.c.context).order_by(OUTBOX.c.id)
        ).all()
    assert [(row.dedupe_key, row.context["n"]) for row in rows] == [("once", 1), ("twice", 3)]


def test_a_value_with_keys_that_are_not_text_reads_back_alike_on_each_database(
    app: Casework,
) -> None:
    """The bulk path (PostgreSQL: one JSON document of rows) writes keys that are not strings
    as strings, as a JSON column written row by row does."""
    at = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    with app.transaction() as connection:
        insert_ignoring_duplicates(connection, OUTBOX, [_outbox_row("keys", at, {1: "một"})])
    with app.database.connect() as connection:
        stored = connection.execute(
            select(OUTBOX.c.context).where(OUTBOX.c.dedupe_key == "keys")
        ).scalar_one()
    assert stored == {"1": "một"}
