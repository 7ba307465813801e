"""Prove the audit trail intact, or name the first entry that was tampered with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from casework.adapters import audit_log
from casework.adapters.audit_log import VerifyResult
from casework.adapters.case_store import case_id_of
from casework.adapters.case_visibility import exclusions_of
from casework.adapters.tables import AuditRow
from casework.domain.access import Principal
from casework.domain.errors import NotFound
from casework.domain.visibility import CaseAccess
from casework.services.app import Casework, legal_date
from casework.services.case_access import accesses, identities_of, names_sender
from casework.services.case_views import LINKS


def verify_audit_trail(app: Casework) -> VerifyResult:
    with app.reading() as session:
        return audit_log.verify(session)


WITHHELD = {"withheld": "names the sender, whom this reader may not see (LTC Art. 8(3))"}


def audit_entries(
    app: Casework,
    reader: Principal,
    now: datetime,
    case_ref: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """The newest entries first, of one case or of all; `before_id` pages back. An entry about
    a case that does not exist for `reader` is left out (a page may then be shorter than
    `limit`); one whose payload names the sender to a reader who may not see him is kept with
    its payload withheld."""
    query = select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit)
    if case_ref:
        query = query.where(AuditRow.case_ref == case_ref.strip().upper())
    if before_id is not None:
        query = query.where(col(AuditRow.id) < before_id)
    with app.reading() as session:
        rows = session.exec(query).all()
        connection = session.connection()
        ids = {row.id: _case_id(row.case_ref) for row in rows}
        case_ids = {case_id for case_id in ids.values() if case_id is not None}
        linked = {
            linked_id
            for row in rows
            for key in LINKED_KEYS
            if (linked_id := _case_id(_text((row.payload or {}).get(key)))) is not None
        }
        access = accesses(
            app.organisation(connection), connection, reader, case_ids | linked, legal_date(now)
        )
        identity = identities_of(connection, case_ids)
        excluded = exclusions_of(connection, linked)
    entries = []
    for row in rows:
        case_id = ids[row.id]
        payload = row.payload
        if case_id is not None:
            seen = access.get(case_id)
            if seen is None or not seen.exists:
                continue
            if names_sender(seen, identity.get(case_id), payload):
                payload = WITHHELD
            else:
                payload = _links_shown(payload, reader.username, seen, access, excluded)
        entries.append(
            {
                "id": row.id,
                "recorded_at": row.recorded_at.isoformat(),
                "actor": row.actor,
                "case": row.case_ref,
                "action": row.action,
                "payload": payload,
            }
        )
    return entries


LINKED_KEYS = (*LINKS, "repeat_of")


def _links_shown(
    payload: Any,
    reader: str,
    seen: CaseAccess,
    access: dict[int, CaseAccess],
    excluded: dict[int, set[str]],
) -> Any:
    """`payload` without the links the reader may not follow, as the case page leaves them
    out (services/case_views.py): a case that excludes him, a repeat unless he may see both
    senders."""
    if not isinstance(payload, dict):
        return payload
    shown = dict(payload)
    for key in LINKED_KEYS:
        linked_id = _case_id(_text(shown.get(key)))
        if linked_id is None:
            continue
        other = access.get(linked_id)
        if key == "repeat_of":
            allowed = seen.identity and other is not None and other.identity
        else:
            allowed = reader not in excluded.get(linked_id, set())
        if not allowed:
            shown[key] = None
    return shown


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _case_id(ref: str | None) -> int | None:
    if not ref:
        return None
    try:
        return case_id_of(ref)
    except NotFound:
        return None
