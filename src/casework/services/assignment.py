"""Assign a handler to a case, refusing conflicts of interest (ND31 Art. 10(3))."""

from __future__ import annotations

from datetime import datetime

from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore, StoredCase
from casework.adapters.case_visibility import exclusion_reason
from casework.adapters.unit_of_work import Transaction
from casework.domain.access import ALLOWED, Action
from casework.domain.errors import ConflictOfInterest, InvalidInput, NotAllowed
from casework.domain.free_text import SUMMARY, check_text
from casework.domain.organisation import Organisation, Role
from casework.domain.parties import EXCLUSION_TEXT, Exclusion
from casework.services.app import Casework
from casework.services.sealing import append_audit


def check_handler(
    connection: Transaction,
    org: Organisation,
    case: StoredCase,
    officer_code: str,
    by: str | None,
    reason: str,
) -> AuditEvent:
    """Refuse an officer who may not handle `case`; the audit event of the assignment otherwise."""
    check_not_excluded(connection, case, officer_code)
    return assignment_event(org, case, officer_code, by, reason)


def assignment_event(
    org: Organisation, case: StoredCase, officer_code: str, by: str | None, reason: str
) -> AuditEvent:
    """`check_handler` for an officer already known not to be excluded from the case (the
    actor of a step, checked by `check_actor`): his roles and agency, then the audit event."""
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


ACTING_ROLES = ALLOWED[Action.ADVANCE_CASE]
"""Who may decide on a case: the same roles the API, web UI and CLI check (domain/access.py)."""


def check_actor(
    connection: Transaction, org: Organisation, case: StoredCase, officer_code: str
) -> None:
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
    check_not_excluded(connection, case, officer.code)


def check_not_excluded(connection: Transaction, case: StoredCase, officer_code: str) -> None:
    """Refuse an officer the case excludes (domain/parties.py): the denounced, a candidate a
    head has not cleared, the staff of a denounced agency or head, a declared relative, one who
    recused himself (ND31 Art. 10(3)). A complaint's respondent is not excluded: its first
    instance belongs by law to whoever made the contested decision (LKN Arts. 7(1), 18)."""
    reason = exclusion_reason(connection, case.id, officer_code)
    if reason is not None:
        raise ConflictOfInterest(
            f"{officer_code} may not handle {case.ref}: {EXCLUSION_TEXT[Exclusion(reason)]} "
            "(LTC Art. 8(3); ND31 Art. 10(3)); assign another officer"
        )


def assignable_handlers(app: Casework, ref: str) -> list[dict[str, str]]:
    """The officers `assign_case` would accept as handler of case `ref` (the form's choices):
    each passes the very checks an assignment makes, so the list offers nobody the case
    excludes."""
    choices = []
    with app.reading() as session:
        connection = session.connection()
        case = CaseStore(connection).get(ref)
        org = app.organisation(connection)
        for officer in sorted(org.officers.values(), key=lambda o: o.code):
            if officer.agency != case.agency:
                continue
            try:
                check_handler(connection, org, case, officer.code, None, "")
            except (ConflictOfInterest, InvalidInput, NotAllowed):
                continue
            choices.append({"code": officer.code, "name": officer.name})
    return choices


def assign_case(
    app: Casework, ref: str, officer_code: str, by: str | None, reason: str, now: datetime
) -> str:
    """Make `officer_code` the handler of case `ref`; returns the previous handler, if any."""
    check_text("the reason", reason, SUMMARY, multiline=True)
    with app.transaction() as connection:
        store = CaseStore(connection)
        case = store.get(ref)
        lifecycle = app.definitions.lifecycle(case.kind)
        if lifecycle.states[case.state].is_final:
            raise InvalidInput(f"{ref} is {case.state} (final): a final case takes no handler")
        org = app.organisation(connection)
        if by:
            org.officer(by)
            check_not_excluded(connection, case, by)  # the denounced head picks no verifier
        previous = case.handler or ""
        event = check_handler(connection, org, case, officer_code, by, reason)
        store.update_case(case, handler=officer_code)
        append_audit(app, connection, [event], now)
        return previous
