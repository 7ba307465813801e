"""A case's domain events as audit-trail entries: one entry per event, its action and payload
as the event gives them (domain/case_events.py)."""

from __future__ import annotations

from collections.abc import Iterable

from casework.adapters.audit_log import AuditEvent
from casework.domain.case_events import CaseEvent


def audit_event(event: CaseEvent, case_ref: str) -> AuditEvent:
    """The audit entry of `event` on case `case_ref`."""
    return AuditEvent(
        action=event.action, actor=event.actor, case_ref=case_ref, payload=event.payload()
    )


def audit_events(events: Iterable[CaseEvent], case_ref: str) -> list[AuditEvent]:
    """The audit entries of `events` on case `case_ref`, in order."""
    return [audit_event(event, case_ref) for event in events]
