"""Assign a handler to a case, refusing conflicts of interest (ND31 Art. 10(3))."""

from __future__ import annotations

from datetime import datetime

from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore, StoredCase
from casework.adapters.case_visibility import exclusion_reason
from casework.adapters.unit_of_work import Transaction
from casework.domain.access import ALLOWED, Action
from casework.domain.citations import cite_vi
from casework.domain.errors import ConflictOfInterest, InvalidInput, NotAllowed, said
from casework.domain.free_text import SUMMARY, check_text
from casework.domain.organisation import Organisation, Role
from casework.domain.parties import EXCLUSION_TEXT, EXCLUSION_TEXT_VI, Exclusion
from casework.domain.words_vi import roles_vi, state_vi
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
    known = org.officers.get(officer_code)
    check_not_excluded(
        connection, case, officer_code, f"Cán bộ {known.name if known else officer_code}"
    )
    return assignment_event(org, case, officer_code, by, reason)


def _agency_name(org: Organisation, code: str) -> str:
    return org.agencies[code].name if code in org.agencies else code


def assignment_event(
    org: Organisation, case: StoredCase, officer_code: str, by: str | None, reason: str
) -> AuditEvent:
    """`check_handler` for an officer already known not to be excluded from the case (the
    actor of a step, checked by `check_actor`): his roles and agency, then the audit event."""
    officer = org.officer(officer_code)
    if Role.HANDLER not in officer.roles and Role.HEAD not in officer.roles:
        raise said(
            InvalidInput(
                f"{officer.code} ({officer.name}) is not a handler (roles: "
                f"{', '.join(officer.roles)}); assign an officer with the handler role"
            ),
            f"Cán bộ {officer.name} không có vai trò xử lý hồ sơ (vai trò hiện có: "
            f"{roles_vi(officer.roles)}): giao cho cán bộ có vai trò xử lý, xác minh",
        )
    if officer.agency != case.agency:
        raise said(
            NotAllowed(
                f"{officer.code} works at {officer.agency}; {case.ref} is handled by "
                f"{case.agency}: assign one of its officers"
            ),
            f"Cán bộ {officer.name} công tác tại {_agency_name(org, officer.agency)}; hồ sơ "
            f"{case.ref} do {_agency_name(org, case.agency)} giải quyết: giao cho cán bộ của "
            f"{_agency_name(org, case.agency)}",
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
        raise said(
            NotAllowed(
                f"{officer.code} ({officer.name}) may not act on cases (roles: "
                f"{', '.join(officer.roles)}); handlers and heads do"
            ),
            "Đồng chí không có quyền thực hiện các bước xử lý hồ sơ (vai trò hiện có: "
            f"{roles_vi(officer.roles)}): việc này do cán bộ xử lý, xác minh và lãnh đạo cơ "
            "quan thực hiện",
        )
    if officer.code != case.handler and officer.agency != case.agency:
        raise said(
            NotAllowed(
                f"{officer.code} works at {officer.agency}; only officers of {case.agency} or "
                f"the assigned handler may act on {case.ref}"
            ),
            f"Đồng chí công tác tại {_agency_name(org, officer.agency)}: chỉ cán bộ của "
            f"{_agency_name(org, case.agency)} hoặc người được giao xử lý mới thực hiện được "
            f"các bước của hồ sơ {case.ref}",
        )
    check_not_excluded(connection, case, officer.code)


def check_not_excluded(
    connection: Transaction, case: StoredCase, officer_code: str, who_vi: str = "Đồng chí"
) -> None:
    """Refuse an officer the case excludes (domain/parties.py): the denounced, a candidate a
    head has not cleared, the staff of a denounced agency or head, a declared relative, one who
    recused himself (ND31 Art. 10(3)). A complaint's respondent is not excluded: its first
    instance belongs by law to whoever made the contested decision (LKN Arts. 7(1), 18).
    `who_vi` is who the officer is on a Vietnamese page: the reader himself, or "Cán bộ X"."""
    reason = exclusion_reason(connection, case.id, officer_code)
    if reason is not None:
        raise said(
            ConflictOfInterest(
                f"{officer_code} may not handle {case.ref}: {EXCLUSION_TEXT[Exclusion(reason)]} "
                "(LTC Art. 8(3); ND31 Art. 10(3)); assign another officer"
            ),
            f"{who_vi} không được giải quyết hồ sơ {case.ref} vì "
            f"{EXCLUSION_TEXT_VI[Exclusion(reason)]} "
            f"({cite_vi('LTC Art. 8(3); ND31 Art. 10(3)')})"
            # another officer is assigned instead; the reader himself just may not act
            + ("" if who_vi == "Đồng chí" else ": phân công cán bộ khác"),
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
    check_text("the reason", reason, SUMMARY, multiline=True, label_vi="Lý do")
    with app.transaction() as connection:
        store = CaseStore(connection)
        case = store.get(ref)
        lifecycle = app.definitions.lifecycle(case.kind)
        if lifecycle.states[case.state].is_final:
            raise said(
                InvalidInput(f"{ref} is {case.state} (final): a final case takes no handler"),
                f"Hồ sơ {case.ref} đã ở trạng thái «{state_vi(lifecycle, case.state)}», đã kết "
                "thúc: không giao người xử lý cho hồ sơ đã kết thúc",
            )
        org = app.organisation(connection)
        if by:
            org.officer(by)
            check_not_excluded(connection, case, by)  # the denounced head picks no verifier
        previous = case.handler or ""
        event = check_handler(connection, org, case, officer_code, by, reason)
        store.update_case(case, handler=officer_code)
        append_audit(app, connection, [event], now)
        return previous
