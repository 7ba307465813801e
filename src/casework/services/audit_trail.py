"""Prove the audit trail intact, or name the first entry that was tampered with."""

from __future__ import annotations

from datetime import datetime

from casework.adapters import audit_log
from casework.adapters.audit_log import VerifyResult
from casework.adapters.case_store import as_reference, case_ids_of
from casework.domain.access import Principal
from casework.domain.visibility import case_access
from casework.services.app import Casework, legal_date
from casework.services.case_access import (
    facts_for,
    linked_refs,
    withheld_links,
)
from casework.services.read_models import AuditEntry
from casework.services.sealing import SEALED


def verify_audit_trail(app: Casework) -> VerifyResult:
    with app.reading() as session:
        return audit_log.verify(session)


SEALED_SHOWN = "(the text as typed names the sender: sealed, opened only in the identity view)"
"""What an entry's sealed original reads as in the trail."""


def audit_entries(
    app: Casework,
    reader: Principal,
    now: datetime,
    case_ref: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEntry]:
    """The newest entries first, of one case or of all; `before_id` pages back. An entry about
    a case that does not exist for `reader` is left out (a page may then be shorter than
    `limit`); one whose payload names the sender to a reader who may not see him is kept with
    its payload withheld."""
    # as stored, typed however (tc-2024-1); a text that is no reference matches nothing
    stored_ref = (as_reference(case_ref) or case_ref) if case_ref else None
    with app.reading() as session:
        rows = audit_log.newest_entries(session, limit, stored_ref, before_id)
        connection = session.connection()
        by_ref = case_ids_of(connection, {row.case_ref for row in rows if row.case_ref})
        ids = {row.id: by_ref.get(as_reference(row.case_ref) or "") for row in rows}
        case_ids = {case_id for case_id in ids.values() if case_id is not None}
        linked_to = {
            ref
            for row in rows
            if isinstance(row.payload, dict)
            for ref in linked_refs(row.payload).values()
        }
        linked = set(case_ids_of(connection, linked_to).values())
        org = app.organisation(connection)
        facts = facts_for(connection, case_ids | linked)
    today = legal_date(now)
    entries: list[AuditEntry] = []
    for row in rows:
        case_id = ids[row.id]
        payload = row.payload
        if case_id is not None:
            case = facts.get(case_id)
            seen = case_access(org, reader, case, today) if case is not None else None
            if case is None or seen is None or not seen.exists:
                continue
            if isinstance(payload, dict):
                # what named the sender was stored withheld, for every reader alike
                if SEALED in payload:
                    payload = {**payload, SEALED: SEALED_SHOWN}
                # the links the case page leaves out, left out here too
                hidden = withheld_links(org, reader, case, payload, facts, today)
                payload = {k: None if k in hidden else v for k, v in payload.items()}
        entries.append(
            {
                "id": row.id or 0,  # a stored entry always has one
                "recorded_at": row.recorded_at.isoformat(),
                "actor": row.actor,
                "case": row.case_ref,
                "action": row.action,
                "payload": payload,
            }
        )
    return entries
