"""Prove the audit trail intact, or name the first entry that was tampered with."""

from __future__ import annotations

from casework.adapters import audit_log
from casework.adapters.audit_log import VerifyResult
from casework.services.app import Casework


def verify_audit_trail(app: Casework) -> VerifyResult:
    with app.reading() as session:
        return audit_log.verify(session)
