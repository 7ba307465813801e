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

from casework.adapters import outbox_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.database import stored_instant
from casework.adapters.unit_of_work import Transaction
from casework.domain.notice_status import NoticeStatus
from casework.domain.organisation import Organisation, Role
from casework.domain.visibility import CaseFacts, alert_reaches
from casework.services.app import Casework, legal_date
from casework.services.case_access import facts_for
from casework.services.notices import outbox_row

TEMPLATE = "delivery.problem"
ALERTING = frozenset({NoticeStatus.REFUSED, NoticeStatus.BOUNCED, NoticeStatus.DEAD})
"""Outcomes the administrator is told of; a party needing attention is reception's, on the
dashboard."""


def administrators_for(
    org: Organisation, agency: str | None, case: CaseFacts | None = None
) -> list[str]:
    """Who is told: the administrators of `agency` the case does not exclude and who have
    an address; if there are none, every other administrator who qualifies. Nobody only when
    no administrator qualifies at all."""
    admins = sorted(code for code, o in org.officers.items() if Role.ADMIN in o.roles)
    able = [
        code
        for code in admins
        if org.officers[code].email and (case is None or alert_reaches(org, code, case))
    ]
    own = [code for code in able if org.officers[code].agency == agency]
    return own or able


def queue_problem_alerts(
    app: Casework,
    connection: Transaction,
    problems: list[tuple[Any, NoticeStatus, str]],
    references: dict[int | None, str],
    now: datetime,
) -> list[AuditEvent]:
    """Queue the alerts for `problems` in the caller's transaction; their audit events."""
    if not problems:
        return []
    org = app.organisation(connection)
    alerts, events = problem_alerts(
        app, connection, org, problems, references, legal_date(now), now
    )
    outbox_store.queue(connection, alerts)
    return events


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
        admins = administrators_for(org, agency, case)
        if not admins:  # on the record, and counted on the dashboard
            events.append(
                AuditEvent(
                    action="notice.problem_unalerted",
                    actor="casework:delivery",
                    case_ref=references.get(row.case_id),
                    payload={
                        "outbox_id": row.id,
                        "status": status.value,
                        "why": "no administrator with an e-mail address whom the case does "
                        "not exclude",
                    },
                )
            )
        for admin in admins:
            address = org.officers[admin].email
            context = {
                "recipient": {"name": org.officers[admin].name},
                "notice": {
                    "id": row.id,
                    "template": row.template,
                    "status": status.value,
                    "reason": why,
                    "queued_on": legal_date(stored_instant(row.created_at)).isoformat(),
                    "officer": officer.name if officer else "",
                    "officer_title": officer.title if officer else "",
                    "address": row.to_address if officer else "",
                    "party": row.recipient_party or "",
                },
                "case": {"ref": references.get(row.case_id, "")},
                "on": on.isoformat(),
                "link": f"{base}/dashboard",
            }
            # once per failure of each attempt generation (`outbox retry` starts another)
            generation = row.retry_until.isoformat() if row.retry_until else ""
            key = f"delivery-problem:{row.id}:{status.value}:{generation}:{admin}"
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
