"""What is written when a typed text names the case's sender (ADR 0011).

Every text an officer types about a case — a step's reason and fields, an audit entry, a
recusal's reason — is searched for the sender's identity before it is stored (the scan of
`domain/confidentiality.py`). One that names him is stored withheld, for every reader alike,
and the text as typed is sealed in the case's vault; only the audited identity view opens it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.identity_vault import Sender
from casework.adapters.unit_of_work import Transaction
from casework.domain.confidentiality import withheld
from casework.services.app import Casework

SEALED = "sealed"
"""The key of an audit payload's sealed original."""


def sender_of(app: Casework, connection: Transaction, case_id: int) -> Sender | None:
    """The case's sender, opened (None for an anonymous case)."""
    return app.vault.senders_of(connection, [case_id]).get(case_id)


def sealed_texts(sender: Sender | None, original: Any, place: str) -> tuple[Any, str]:
    """(what to store, the original sealed or ""): `original` itself when it names nobody."""
    if sender is None:
        return original, ""
    hidden = withheld(original, sender.identity)
    if hidden is None:
        return original, ""
    return hidden, sender.case_key.seal(place, original)


def sealed_event(sender: Sender | None, event: AuditEvent) -> AuditEvent:
    """`event` as the trail stores it: its payload withheld where it names the sender, the
    original sealed under `sealed`."""
    stored, sealed = sealed_texts(sender, dict(event.payload), "audit")
    if not sealed:
        return event
    return AuditEvent(event.action, event.actor, event.case_ref, {**stored, SEALED: sealed})


def append_audit(
    app: Casework,
    connection: Transaction,
    events: Iterable[AuditEvent],
    now: datetime,
    senders: Mapping[str, Sender | None] | None = None,
) -> int:
    """Append `events` to the audit trail, each about a case sealed where its payload names
    the case's sender (`sealed_event`). `senders`: case reference → its sender (None: it has
    none), for the cases the caller already opened; the others are opened here, in one
    statement. Every entry about a case goes through here."""
    events = list(events)
    known: dict[str, Sender | None] = dict(senders or {})
    missing = {e.case_ref for e in events if e.case_ref and e.case_ref not in known}
    if missing:
        opened = app.vault.senders_of(connection, refs=missing)
        known.update({sender.ref: sender for sender in opened.values()})
    return audit_log.append(
        connection,
        [sealed_event(known.get(e.case_ref), e) if e.case_ref else e for e in events],
        now,
    )


def opened_payload(sender: Sender, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """An audit payload as recorded, its sealed original opened."""
    token = payload.get(SEALED)
    if not isinstance(token, str) or not token:
        return payload
    opened: Mapping[str, Any] = sender.case_key.open("audit", token)
    return opened
