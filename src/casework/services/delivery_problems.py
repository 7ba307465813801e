"""Who learns that a notice did not arrive: the agency's administrator, by an alert queued in
the same transaction that records the failure (issue 25). A refused or bounced address of a
head, or a notice given up, must not die silently.

The alert names the notice, its addressee as the organisation knows him (an officer) or the
party's role (never a denouncer's name or address), and the reason as stored (already
withheld where it quoted the sender).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from casework.adapters.audit_log import AuditEvent
from casework.adapters.unit_of_work import Transaction
from casework.domain.notice_status import NoticeStatus
from casework.domain.organisation import Organisation, Role
from casework.domain.visibility import alert_reaches
from casework.services.app import Casework
from casework.services.case_access import facts_for
from casework.services.notices import outbox_row

TEMPLATE = "delivery.problem"
ALERTING = frozenset({NoticeStatus.REFUSED, NoticeStatus.BOUNCED, NoticeStatus.DEAD})
"""Outcomes the administrator is told of; a party needing attention is reception's, on the
dashboard."""


def administrators_for(org: Organisation, agency: str | None) -> list[str]:
    """The administrators of `agency`, or, if it has none, every administrator."""
    admins = sorted(code for code, o in org.officers.items() if Role.ADMIN in o.roles)
    own = [code for code in admins if org.officers[code].agency == agency]
    return own or admins


def problem_alerts(
    app: Casework,
    connection: Transaction,
    org: Organisation,
    problems: Iterable[tuple[Any, NoticeStatus, str]],
    references: dict[int | None, str],
    on: date,
    now: datetime,
) -> tuple[list[dict[str, Any]], list[AuditEvent]]:
    """The alerts (outbox rows, and their audit events) for `problems`: (notice row, its new
    status, the reason as stored). An alert about an alert is not sent: its administrator's
    address is what failed, and the dashboard lists it."""
    chosen = [(row, status, why) for row, status, why in problems if status in ALERTING]
    chosen = [(row, status, why) for row, status, why in chosen if row.template != TEMPLATE]
    if not chosen:
        return [], []
    facts = facts_for(connection, {row.case_id for row, _, _ in chosen if row.case_id})
    base = app.settings.public_url.rstrip("/")
    rows: list[dict[str, Any]] = []
    events: list[AuditEvent] = []
    for row, status, why in chosen:
        officer = org.officers.get(row.recipient_officer or "")
        case = facts.get(row.case_id) if row.case_id else None
        agency = case.agency if case else officer.agency if officer else None
        for admin in administrators_for(org, agency):
            if case is not None and not alert_reaches(org, admin, case):
                continue  # a case that excludes him is not named to him
            address = org.officers[admin].email
            if not address:
                continue
            context = {
                "recipient": {"name": org.officers[admin].name},
                "notice": {
                    "id": row.id,
                    "template": row.template,
                    "status": status.value,
                    "reason": why,
                    "queued_on": on.isoformat(),
                    "officer": officer.name if officer else "",
                    "officer_title": officer.title if officer else "",
                    "address": row.to_address if officer else "",
                    "party": row.recipient_party or "",
                },
                "case": {"ref": references.get(row.case_id, "")},
                "on": on.isoformat(),
                "link": f"{base}/dashboard",
            }
            key = f"delivery-problem:{row.id}:{status.value}:{admin}"
            rows.append(outbox_row(app, key, TEMPLATE, admin, address, context, now))
            events.append(
                AuditEvent(
                    action="notice.problem_alerted",
                    actor="casework:delivery",
                    case_ref=references.get(row.case_id),
                    payload={"outbox_id": row.id, "status": status.value, "to": admin},
                )
            )
    return rows, events
