"""Escalations as their recipients see them: list what reached an officer, acknowledge it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select, update

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CASES, MAX_ID, case_ref
from casework.adapters.tables import EscalationRow
from casework.domain.errors import InvalidInput, NotFound
from casework.services.app import Casework

ESCALATIONS: Table = EscalationRow.__table__  # type: ignore[attr-defined]


def list_escalations(
    app: Casework, officer: str | None = None, unacknowledged: bool = False, limit: int = 100
) -> list[dict[str, Any]]:
    """Newest first; `officer` keeps those addressed to that officer."""
    query = (
        select(ESCALATIONS, CASES.c.kind, CASES.c.received_on)
        .join(CASES, CASES.c.id == ESCALATIONS.c.case_id)
        .order_by(ESCALATIONS.c.id.desc())
    )
    if unacknowledged:
        query = query.where(ESCALATIONS.c.acknowledged_at.is_(None))
    with app.reading() as session:
        if officer:
            app.organisation(session.connection()).officer(officer)
        rows = session.execute(query).all()
    result = []
    for row in rows:
        if officer and officer not in {r["officer"] for r in row.recipients}:
            continue
        result.append(
            {
                "id": row.id,
                "case": case_ref(row.kind, row.received_on, row.case_id),
                "clock": row.clock_code,
                "step": row.step,
                "due": row.due.isoformat(),
                "fires_on": row.fires_on.isoformat(),
                "recipients": [r["officer"] for r in row.recipients],
                "acknowledged_by": row.acknowledged_by,
                "acknowledged_at": row.acknowledged_at.isoformat() if row.acknowledged_at else None,
            }
        )
        if len(result) >= limit:
            break
    return result


def acknowledge(app: Casework, escalation_id: int, officer: str, now: datetime) -> str:
    """Record that a recipient has seen an alert; returns the case reference."""
    if not 1 <= escalation_id <= MAX_ID:
        raise NotFound(f"no escalation {escalation_id}; `casework escalations list` shows them")
    with app.transaction() as connection:
        app.organisation(connection).officer(officer)
        row = connection.execute(
            select(ESCALATIONS, CASES.c.kind, CASES.c.received_on)
            .join(CASES, CASES.c.id == ESCALATIONS.c.case_id)
            .where(ESCALATIONS.c.id == escalation_id)
        ).first()
        if row is None:
            raise NotFound(f"no escalation {escalation_id}; `casework escalations list` shows them")
        recipients = [r["officer"] for r in row.recipients]
        if officer not in recipients:  # answered as a missing one: ids are not to be probed
            raise NotFound(
                f"no escalation {escalation_id} addressed to {officer}; `casework escalations "
                "list --officer` shows yours"
            )
        ref = case_ref(row.kind, row.received_on, row.case_id)
        if row.acknowledged_at is not None:
            raise InvalidInput(
                f"escalation {escalation_id} was already acknowledged by {row.acknowledged_by}"
            )
        updated = connection.execute(
            update(ESCALATIONS)
            .where(ESCALATIONS.c.id == escalation_id, ESCALATIONS.c.acknowledged_at.is_(None))
            .values(acknowledged_at=now.astimezone(UTC), acknowledged_by=officer)
        ).rowcount
        if updated != 1:
            raise InvalidInput(f"escalation {escalation_id} was acknowledged meanwhile")
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "escalation.acknowledged",
                    officer,
                    ref,
                    {"escalation": escalation_id, "step": row.step, "clock": row.clock_code},
                )
            ],
            now,
        )
    return ref
