"""Assign a handler to a case, refusing conflicts of interest (ND31 Art. 10(3))."""

from __future__ import annotations

from datetime import datetime

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore, StoredCase
from casework.domain.errors import InvalidInput, NotAllowed
from casework.domain.organisation import Organisation, Role
from casework.services.app import Casework


def check_handler(
    org: Organisation, case: StoredCase, officer_code: str, by: str | None, reason: str
) -> AuditEvent:
    """Refuse an officer who may not handle `case`; the audit event of the assignment otherwise."""
    officer = org.officer(officer_code)
    if Role.HANDLER not in officer.roles and Role.HEAD not in officer.roles:
        raise InvalidInput(
            f"{officer.code} ({officer.name}) is not a handler (roles: {', '.join(officer.roles)}); "
            "assign an officer with the handler role"
        )
    if officer.agency != case.agency:
        raise NotAllowed(
            f"{officer.code} works at {officer.agency}; {case.ref} is handled by {case.agency}: "
            "assign one of its officers"
        )
    _check_conflict(org, case, officer.code)
    return AuditEvent(
        action="case.assigned",
        actor=by,
        case_ref=case.ref,
        payload={
            "handler": officer.code,
            "previous": case.handler,
            "reason": reason,
            "basis": "LTC Art. 31(1); ND31 Art. 10(3)",
        },
    )


ACTING_ROLES = (Role.HANDLER, Role.HEAD, Role.ADMIN)


def check_actor(org: Organisation, case: StoredCase, officer_code: str) -> None:
    """Refuse an officer who may not decide on `case`: no acting role, another agency's staff
    (unless assigned to it), or barred by the conflict-of-interest rule (ND31 Art. 10(3))."""
    officer = org.officer(officer_code)
    if not any(role in officer.roles for role in ACTING_ROLES):
        raise NotAllowed(
            f"{officer.code} ({officer.name}) may not act on cases (roles: "
            f"{', '.join(officer.roles)}); handlers and heads do"
        )
    if officer.code != case.handler and officer.agency != case.agency:
        raise NotAllowed(
            f"{officer.code} works at {officer.agency}; only officers of {case.agency} or the "
            f"assigned handler may act on {case.ref}"
        )
    _check_conflict(org, case, officer.code)


def _check_conflict(org: Organisation, case: StoredCase, officer_code: str) -> None:
    """The denounced person and their relatives may not handle a denunciation (ND31 Art.
    10(3)). A complaint is different: its first instance belongs by law to whoever made the
    contested decision (LKN Arts. 7(1), 18), so the respondent is not barred."""
    if case.kind == "complaint":
        return
    org.check_no_conflict(officer_code, case.denounced_name, case.denounced_officer)


def assign_case(
    app: Casework, ref: str, officer_code: str, by: str | None, reason: str, now: datetime
) -> str:
    """Make `officer_code` the handler of case `ref`; returns the previous handler, if any."""
    with app.transaction() as connection:
        store = CaseStore(connection)
        case = store.get(ref)
        lifecycle = app.definitions.lifecycle(case.kind)
        if lifecycle.states[case.state].is_final:
            raise InvalidInput(f"{ref} is {case.state} (final): a final case takes no handler")
        org = app.organisation(connection)
        if by:
            org.officer(by)
            _check_conflict(org, case, by)  # the denounced head does not choose the verifier
        previous = case.handler or ""
        event = check_handler(org, case, officer_code, by, reason)
        store.update_case(case, handler=officer_code)
        audit_log.append(connection, [event], now)
        return previous
