"""Prove the audit trail intact, or name the first entry that was tampered with."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from casework.adapters import audit_log
from casework.adapters.audit_log import VerifyResult
from casework.adapters.tables import AuditRow
from casework.services.app import Casework


def verify_audit_trail(app: Casework) -> VerifyResult:
    with app.reading() as session:
        return audit_log.verify(session)


def audit_entries(
    app: Casework, case_ref: str | None = None, limit: int = 100, before_id: int | None = None
) -> list[dict[str, Any]]:
    """The newest entries first, of one case or of all; `before_id` pages back."""
    query = select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit)
    if case_ref:
        query = query.where(AuditRow.case_ref == case_ref.strip().upper())
    if before_id is not None:
        query = query.where(col(AuditRow.id) < before_id)
    with app.reading() as session:
        return [
            {
                "id": row.id,
                "recorded_at": row.recorded_at.isoformat(),
                "actor": row.actor,
                "case": row.case_ref,
                "action": row.action,
                "payload": row.payload,
            }
            for row in session.exec(query).all()
        ]
