"""Internal notes on a case (issue 27): what a head and a handler write to each other about
it, on the record. Written by those who resolve or oversee the case (`Action.WRITE_NOTE`), read
by whoever the case exists for, like its history. A note that names the sender is stored
withheld for every reader, the text as typed sealed in the case's vault (services/sealing.py);
each note is on the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from casework.adapters import note_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore
from casework.domain.access import Action, Principal
from casework.domain.errors import InvalidInput, said
from casework.domain.free_text import SUMMARY, check_text
from casework.services.app import Casework
from casework.services.authorisation import authorise_case
from casework.services.sealing import append_audit, sealed_texts, sender_of


def write_note(app: Casework, ref: str, author: Principal, text: str, now: datetime) -> int:
    """Keep `text` as `author`'s note on case `ref`; returns the note's id."""
    authorise_case(app, author, Action.WRITE_NOTE, now, ref)
    check_text("the note", text, SUMMARY, multiline=True, label_vi="Ghi chú")
    typed = text.strip()
    if not typed:
        raise said(
            InvalidInput("a note needs its text"),
            "Chưa nhập nội dung ghi chú",
        )
    with app.transaction() as connection:
        case = CaseStore(connection).get(ref)
        sender = sender_of(app, connection, case.id)
        stored, sealed = sealed_texts(sender, typed, "note")
        number = note_store.insert_note(
            connection, case.id, author.username, now.astimezone(UTC), str(stored), sealed
        )
        append_audit(
            app,
            connection,
            [
                AuditEvent(
                    "case.note_written", author.username, case.ref, {"note": number, "text": typed}
                )
            ],
            now,
            senders={case.ref: sender},
        )
    return number
