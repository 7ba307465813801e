"""The internal notes of cases (CaseNoteRow): written, and read in the order written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from casework.adapters.tables import CaseNoteRow

NOTES = CaseNoteRow.__table__  # type: ignore[attr-defined]


def insert_note(
    connection: Connection, case_id: int, author: str, at: datetime, text: str, sealed: str
) -> int:
    """Keep a note on case `case_id`; returns its id."""
    return int(
        connection.execute(
            insert(NOTES)
            .values(case_id=case_id, author=author, written_at=at, text=text, sealed=sealed)
            .returning(NOTES.c.id)
        ).scalar_one()
    )


def notes_of(connection: Connection, case_id: int) -> list[Any]:
    """The notes on case `case_id`, oldest first: id, author, written_at, text (as stored)."""
    return list(
        connection.execute(
            select(NOTES.c.id, NOTES.c.author, NOTES.c.written_at, NOTES.c.text)
            .where(NOTES.c.case_id == case_id)
            .order_by(NOTES.c.id)
        ).all()
    )
