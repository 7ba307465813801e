"""Assign a handler to a case, refusing conflicts of interest (ND31 Art. 10(3))."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.tables import CaseRow
from casework.domain.errors import InvalidInput
from casework.domain.organisation import Organisation, Role
from casework.services.app import Casework
from casework.services.lookup import load_case


def assign_handler(
    session: Session,
    org: Organisation,
    case: CaseRow,
    officer_code: str,
    by: str | None,
    reason: str,
) -> list[AuditEvent]:
    """Check and set the handler on `case` inside the caller's transaction."""
    officer = org.officer(officer_code)
    if Role.HANDLER not in officer.roles and Role.HEAD not in officer.roles:
        raise InvalidInput(
            f"{officer.code} ({officer.name}) is not a handler (roles: {', '.join(officer.roles)}); "
            "assign an officer with the handler role"
        )
    org.check_no_conflict(officer.code, case.denounced_name, case.denounced_officer)
    previous = case.handler
    case.handler = officer.code
    session.add(case)
    return [
        AuditEvent(
            action="case.assigned",
            actor=by,
            case_ref=case.ref,
            payload={
                "handler": officer.code,
                "previous": previous,
                "reason": reason,
                "basis": "LTC Art. 31(1); ND31 Art. 10(3)",
            },
        )
    ]


def assign_case(
    app: Casework, ref: str, officer_code: str, by: str | None, reason: str, now: datetime
) -> str:
    """Make `officer_code` the handler of case `ref`; returns the previous handler, if any."""
    with app.transaction() as session:
        case = load_case(session, ref)
        lifecycle = app.definitions.lifecycle(case.kind)
        if lifecycle.states[case.state].is_final:
            raise InvalidInput(f"{ref} is {case.state} (final): a final case takes no handler")
        org = app.organisation(session)
        if by:
            org.officer(by)
        previous = case.handler or ""
        events = assign_handler(session, org, case, officer_code, by, reason)
        audit_log.append(session, events, now)
        return previous
