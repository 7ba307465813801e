"""Escalations as their recipients see them: list the alerts on the cases an officer may see,
and acknowledge one addressed to him.

Acknowledgement is per recipient: each officer an alert reached answers for himself, and one
head's acknowledgement never silences the alert for another. An alert on a case that does not
exist for an officer (domain/visibility.py: he is denounced in it, a relative, recused…) is
neither listed for him nor acknowledgeable by him, whatever its recipients say.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, exists, select
from sqlalchemy.exc import IntegrityError

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CASES, MAX_ID, case_ref
from casework.adapters.case_visibility import excluded_clause
from casework.adapters.tables import EscalationAckRow, EscalationRow
from casework.domain.access import Principal, visible_agencies
from casework.domain.errors import InvalidInput, NotFound
from casework.domain.visibility import alert_reaches
from casework.services.app import Casework
from casework.services.case_access import facts_for

ESCALATIONS: Table = EscalationRow.__table__  # type: ignore[attr-defined]
ACKS: Table = EscalationAckRow.__table__  # type: ignore[attr-defined]


def acknowledged_by(escalation_id: Any, officer: Any) -> Any:
    """True where `officer` acknowledged escalation `escalation_id` (SQL)."""
    return exists().where(and_(ACKS.c.escalation_id == escalation_id, ACKS.c.officer == officer))


def list_escalations(
    app: Casework,
    viewer: Principal,
    officer: str | None = None,
    unacknowledged: bool = False,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The alerts on cases that exist for `viewer`, newest first. `officer` keeps those
    addressed to that officer; `unacknowledged` those still waiting for `officer` (or, without
    one, for any of their recipients)."""
    query = (
        select(ESCALATIONS, CASES.c.kind, CASES.c.received_on, CASES.c.agency)
        .join(CASES, CASES.c.id == ESCALATIONS.c.case_id)
        .where(~excluded_clause(viewer.username))
        .order_by(ESCALATIONS.c.id.desc())
    )
    with app.reading() as session:
        connection = session.connection()
        org = app.organisation(connection)
        if officer:
            org.officer(officer)
            if unacknowledged:
                query = query.where(~acknowledged_by(ESCALATIONS.c.id, officer))
        scope = visible_agencies(org, viewer)
        if viewer.username not in org.officers:
            return []  # fail closed: an officer the organisation does not know sees nothing
        candidates = []
        for row in connection.execute(query).all():
            recipients = [r["officer"] for r in row.recipients]
            if officer and officer not in recipients:
                continue
            # his own alerts reach him wherever the ladder found him (domain/visibility.py:
            # alert_reaches, the exclusions applied in SQL above); others' within his agencies
            if viewer.username not in recipients and scope is not None and row.agency not in scope:
                continue
            candidates.append((row, recipients))
        acks_of: dict[int, dict[str, datetime]] = {}
        for ack in connection.execute(
            select(ACKS).where(ACKS.c.escalation_id.in_([row.id for row, _ in candidates]))
        ).all():
            acks_of.setdefault(ack.escalation_id, {})[ack.officer] = ack.acknowledged_at
        result: list[dict[str, Any]] = []
        for row, recipients in candidates:
            acks = acks_of.get(row.id, {})
            waiting = [r for r in recipients if r not in acks]
            if unacknowledged and not officer and not waiting:
                continue
            result.append(
                {
                    "id": row.id,
                    "case": case_ref(row.kind, row.received_on, row.case_id),
                    "clock": row.clock_code,
                    "step": row.step,
                    "due": row.due.isoformat(),
                    "fires_on": row.fires_on.isoformat(),
                    "recipients": recipients,
                    "acknowledged": [
                        {"officer": code, "at": at.isoformat()} for code, at in acks.items()
                    ],
                    "waiting_for": waiting,
                }
            )
            if len(result) >= limit:
                break
    return result


def acknowledge(app: Casework, escalation_id: int, officer: Principal, now: datetime) -> str:
    """Record that `officer`, a recipient, has seen the alert; returns the case reference. An
    alert not addressed to him, or on a case that does not exist for him, is answered as a
    missing one: ids are not to be probed."""
    missing = NotFound(
        f"no escalation {escalation_id} addressed to {officer.username}; `casework escalations "
        "list --officer` shows yours"
    )
    if not 1 <= escalation_id <= MAX_ID:
        raise missing
    with app.transaction() as connection:
        org = app.organisation(connection)
        row = connection.execute(
            select(ESCALATIONS, CASES.c.kind, CASES.c.received_on)
            .join(CASES, CASES.c.id == ESCALATIONS.c.case_id)
            .where(ESCALATIONS.c.id == escalation_id)
        ).first()
        if row is None or officer.username not in {r["officer"] for r in row.recipients}:
            raise missing
        case = facts_for(connection, [row.case_id])[row.case_id]
        if not alert_reaches(org, officer.username, case):
            raise missing
        ref = case_ref(row.kind, row.received_on, row.case_id)
        earlier = connection.execute(
            select(ACKS.c.acknowledged_at).where(
                ACKS.c.escalation_id == escalation_id, ACKS.c.officer == officer.username
            )
        ).scalar_one_or_none()
        if earlier is not None:
            raise InvalidInput(
                f"you already acknowledged escalation {escalation_id} on {ref} "
                f"({earlier.astimezone(UTC).isoformat()})"
            )
        try:
            with connection.begin_nested():
                connection.execute(
                    ACKS.insert().values(
                        escalation_id=escalation_id,
                        officer=officer.username,
                        acknowledged_at=now.astimezone(UTC),
                    )
                )
        except IntegrityError:
            raise InvalidInput(
                f"you already acknowledged escalation {escalation_id} on {ref}"
            ) from None
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "escalation.acknowledged",
                    officer.username,
                    ref,
                    {"escalation": escalation_id, "step": row.step, "clock": row.clock_code},
                )
            ],
            now,
        )
    return ref
