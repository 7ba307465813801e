"""Settle who a case concerns after intake, and who steps aside (domain/parties.py).

- **identify**: reception or a head records that a party typed by name is a given officer of
  the organisation: he becomes the denounced officer, excluded with his relatives;
- **confirm outside**: a head who is not a candidate confirms, with a reason on the record, that
  a typed name is nobody in the organisation; until then every candidate stays excluded (fail
  closed);
- **recuse**: an officer steps aside from a case (ND31 Art. 10(3)), with his reason.

Each rewrites the case's stored exclusions at once. A handler the case now excludes is
unassigned, and the first head up the chain who is not excluded is told by a notice
(`handler.unassigned`), so that the case gets another handler; the same happens when a newly
loaded organisation excludes a handler (services/organisation.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from casework.adapters import outbox_store, party_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore, StoredCase
from casework.adapters.case_visibility import excluded_handlers, exclusions_of
from casework.adapters.unit_of_work import Transaction
from casework.domain.access import Principal
from casework.domain.citations import cite_vi
from casework.domain.errors import ConflictOfInterest, InvalidInput, NotAllowed, said
from casework.domain.free_text import SUMMARY, check_text
from casework.domain.organisation import Organisation, Role
from casework.domain.parties import PARTY_KIND_VI, PartyKind, PartyRole
from casework.domain.visibility import CaseAccess
from casework.services.app import Casework, legal_date
from casework.services.exclusions import party_of, refresh_exclusions
from casework.services.notices import outbox_row
from casework.services.read_models import PartyView
from casework.services.sealing import append_audit, sealed_texts, sender_of
from casework.services.sweep import first_head_up_the_chain


def parties_of(app: Casework, ref: str, access: CaseAccess) -> list[PartyView]:
    """The parties of case `ref`, numbered from 1 as the commands take them, each with the
    officers its typed name may be (the caller has checked that the case exists for the
    reader)."""
    with app.reading() as session:
        connection = session.connection()
        case = CaseStore(connection).get(ref)
        return party_views(connection, app.organisation(connection), case.id)


def party_views(connection: Transaction, org: Organisation, case_id: int) -> list[PartyView]:
    """The parties of case `case_id` as `parties_of` shows them: a head's recorded reason
    that named the sender was stored withheld, like any typed text (services/sealing.py)."""
    return [_party_view(org, number, row) for number, row in _numbered(connection, case_id)]


def _numbered(connection: Transaction, case_id: int) -> list[tuple[int, Any]]:
    return list(enumerate(party_store.parties_of_case(connection, case_id), start=1))


def _party_view(org: Organisation, number: int, row: Any) -> PartyView:
    party = party_of(row)
    return {
        "number": number,
        "role": party.role.value,
        "kind": party.kind.value,
        "name": party.name,
        "officer": party.officer,
        "agency": party.agency,
        "candidates": [
            {"officer": code, "name": org.officers[code].name if code in org.officers else code}
            for code in party.candidates
        ],
        "pending": party.is_pending,
        "outside_confirmed_by": party.outside_confirmed_by,
        "outside_confirmed_at": row.outside_confirmed_at.isoformat()
        if row.outside_confirmed_at
        else None,
        "outside_reason": row.outside_reason,
    }


def _party_row(connection: Transaction, case: StoredCase, number: int) -> Any:
    rows = _numbered(connection, case.id)
    for found, row in rows:
        if found == number:
            return row
    numbers = ", ".join(str(n) for n, _ in rows) or "none"
    raise said(
        InvalidInput(f"{case.ref} has no party {number}; its parties: {numbers}"),
        f"Hồ sơ {case.ref} không có người bị tố cáo, bị khiếu nại thứ {number}"
        + (
            f"; các số thứ tự hiện có: {', '.join(str(n) for n, _ in rows)}"
            if rows
            else ": hồ sơ chưa ghi người nào"
        ),
    )


def _reason(reason: str, what: str, what_vi: str) -> str:
    """The reason typed for `what` (`what_vi` on a Vietnamese page), required."""
    check_text(f"the reason for {what}", reason, SUMMARY, multiline=True, label_vi="Lý do")
    text = reason.strip()
    if not text:
        raise said(
            InvalidInput(f"{what} needs a reason, recorded on the case (--reason)"),
            f"Cần ghi lý do {what_vi}; lý do được lưu vào hồ sơ",
        )
    return text


def _officer_name(org: Organisation, code: str) -> str:
    return org.officers[code].name if code in org.officers else code


def confirm_outside(
    app: Casework, head: Principal, ref: str, number: int, reason: str, now: datetime
) -> PartyView:
    """Record that party `number` of case `ref` is an outside person, not one of the officers
    its name may be; `head` must not be one of them (the caller has checked his role and that
    the case exists for him)."""
    text = _reason(
        reason,
        "confirming that a party is an outside person",
        "xác nhận người bị tố cáo là người ngoài cơ quan",
    )
    with app.transaction() as connection:
        store = CaseStore(connection)
        case = store.get(ref)
        org = app.organisation(connection)
        row = _party_row(connection, case, number)
        party = party_of(row)
        if party.role != PartyRole.DENOUNCED or party.kind != PartyKind.PERSON:
            raise said(
                InvalidInput(
                    f"party {number} of {case.ref} is recorded as {party.kind.value}: only a "
                    "name typed at reception is confirmed as an outside person"
                ),
                f"Người thứ {number} của hồ sơ {case.ref} được ghi là "
                f"{PARTY_KIND_VI[party.kind]}: chỉ người bị tố cáo được ghi bằng họ tên khi "
                "tiếp nhận mới cần xác nhận là người ngoài cơ quan",
            )
        if not party.candidates:
            raise said(
                InvalidInput(
                    f"party {number} of {case.ref} ({party.name!r}) matches no officer: there is "
                    "nothing to confirm"
                ),
                f"Người thứ {number} của hồ sơ {case.ref} («{party.name}») không trùng với cán "
                "bộ nào: không cần xác nhận",
            )
        if party.outside_confirmed_by:
            raise said(
                InvalidInput(
                    f"party {number} of {case.ref} was already confirmed an outside person by "
                    f"{party.outside_confirmed_by}"
                ),
                f"Người thứ {number} của hồ sơ {case.ref} đã được "
                f"{_officer_name(org, party.outside_confirmed_by)} xác nhận là người ngoài cơ quan",
            )
        _require_clearing_head(org, head, party.candidates, number)
        # a reason naming the sender is stored withheld; the audit entry seals it as typed
        sender = sender_of(app, connection, case.id)
        stored, _ = sealed_texts(sender, text, "party")
        party_store.confirm_outside(connection, row.id, head.username, now.astimezone(UTC), stored)
        refresh_exclusions(connection, org, [case.id])
        append_audit(
            app,
            connection,
            [
                AuditEvent(
                    "party.confirmed_outside",
                    head.username,
                    case.ref,
                    {"party": number, "candidates": list(party.candidates), "reason": text},
                )
            ],
            now,
        )
        unassign_excluded_handlers(app, connection, org, now, [case.id], head.username)
        return _party_view(org, number, _party_row(connection, case, number))


def identify(
    app: Casework,
    officer: Principal,
    ref: str,
    number: int,
    denounced: str,
    reason: str,
    now: datetime,
) -> PartyView:
    """Record that party `number` of case `ref` is the officer `denounced`: he, his relatives
    and, if he heads an agency, its staff are excluded from the case from now on. A party
    whose name may be other officers (candidates) is settled only as `confirm_outside` is: by
    a head who is not one of them, since it clears the others."""
    text = _reason(reason, "identifying a party", "xác định cán bộ bị tố cáo")
    with app.transaction() as connection:
        store = CaseStore(connection)
        case = store.get(ref)
        org = app.organisation(connection)
        record = org.officer(denounced)  # an unknown code is an error naming the known ones
        row = _party_row(connection, case, number)
        party = party_of(row)
        if party.kind == PartyKind.OFFICER:
            raise said(
                InvalidInput(
                    f"party {number} of {case.ref} is already the officer {party.officer}"
                ),
                f"Người thứ {number} của hồ sơ {case.ref} đã được xác định là cán bộ "
                f"{_officer_name(org, party.officer or '')}",
            )
        if party.kind == PartyKind.AGENCY:
            agency = party.agency or ""
            raise said(
                InvalidInput(
                    f"party {number} of {case.ref} is the agency {party.agency}: its staff stay "
                    "excluded; an officer also denounced is another party (--also-denounced "
                    "officer:CODE at intake)"
                ),
                f"Người thứ {number} của hồ sơ {case.ref} là cơ quan "
                f"{org.agencies[agency].name if agency in org.agencies else agency}: cán bộ của "
                "cơ quan này vẫn phải tránh; nếu một cán bộ cũng bị tố cáo thì cán bộ đó được "
                "ghi là một người bị tố cáo khác khi tiếp nhận đơn",
            )
        if party.is_pending:
            _require_clearing_head(org, officer, party.candidates, number)
        party_store.identify_officer(connection, row.id, record.code)
        if party.role == PartyRole.DENOUNCED and case.denounced_officer is None:
            # the column the notices to the denounced read (services/party_notices.py)
            store.update_case(case, denounced_officer=record.code)
        refresh_exclusions(connection, org, [case.id])
        append_audit(
            app,
            connection,
            [
                AuditEvent(
                    "party.identified",
                    officer.username,
                    case.ref,
                    {
                        "party": number,
                        "officer": record.code,
                        "cleared": [c for c in party.candidates if c != record.code],
                        "reason": text,
                    },
                )
            ],
            now,
        )
        unassign_excluded_handlers(app, connection, org, now, [case.id], officer.username)
        return _party_view(org, number, _party_row(connection, case, number))


def _require_clearing_head(
    org: Organisation, officer: Principal, candidates: tuple[str, ...], number: int
) -> None:
    """Refuse anyone but a head who is not one of `candidates` to settle a party."""
    if Role.HEAD not in officer.roles:
        raise said(
            NotAllowed(
                f"party {number} may be one of several officers ({', '.join(candidates)}): a "
                "head who is not one of them settles who it is (LTC Art. 8(3))"
            ),
            f"Người thứ {number} có thể là một trong các cán bộ "
            f"{', '.join(_officer_name(org, code) for code in candidates)}: chỉ người đứng đầu "
            f"không thuộc các cán bộ này mới xác định được ({cite_vi('LTC Art. 8(3)')})",
        )
    if officer.username in candidates:
        raise said(
            ConflictOfInterest(
                f"{officer.username} may be the person party {number} names: a head who is not "
                "a candidate must settle it (LTC Art. 8(3); ND31 Art. 10(3))"
            ),
            f"Đồng chí có thể chính là người thứ {number} nêu trong đơn: việc xác định do người "
            "đứng đầu khác, không thuộc diện này, thực hiện "
            f"({cite_vi('LTC Art. 8(3); ND31 Art. 10(3)')})",
        )


def recuse(app: Casework, officer: Principal, ref: str, reason: str, now: datetime) -> str:
    """Record that `officer` steps aside from case `ref` (ND31 Art. 10(3)); from now on the
    case does not exist for him. Returns the case reference."""
    text = _reason(reason, "a recusal", "từ chối tham gia giải quyết hồ sơ")
    with app.transaction() as connection:
        case = CaseStore(connection).get(ref)
        org = app.organisation(connection)
        # a reason naming the sender is stored withheld; the audit entry seals it as typed
        sender = sender_of(app, connection, case.id)
        stored, _ = sealed_texts(sender, text, "recusal")
        if not party_store.record_recusal(
            connection, case.id, officer.username, stored, now.astimezone(UTC)
        ):
            raise said(
                InvalidInput(f"{officer.username} already recused himself from {case.ref}"),
                f"Đồng chí đã từ chối tham gia giải quyết hồ sơ {case.ref} trước đó",
            )
        refresh_exclusions(connection, org, [case.id])
        append_audit(
            app,
            connection,
            [AuditEvent("case.recused", officer.username, case.ref, {"reason": text})],
            now,
        )
        unassign_excluded_handlers(app, connection, org, now, [case.id], officer.username)
        return case.ref


def unassign_excluded_handlers(
    app: Casework,
    connection: Transaction,
    org: Organisation,
    now: datetime,
    case_ids: list[int] | None = None,
    by: str | None = None,
) -> list[str]:
    """Unassign every handler his case now excludes (of `case_ids`, or of every case), and
    tell the first head up the chain who is not excluded; returns the cases' references. `by`
    is the officer whose action excluded him (a recusal, an identification, a new
    organisation), on the audit trail."""
    why_of = excluded_handlers(connection, case_ids)
    ids = list(why_of)
    if not ids:
        return []
    store = CaseStore(connection)
    excluded = exclusions_of(connection, ids)
    refs, events, notices = [], [], []
    for case_id in ids:
        case = store.get_by_id(case_id)
        handler = case.handler
        assert handler is not None
        why = why_of[case_id]
        store.update_case(case, handler=None)
        refs.append(case.ref)
        events.append(
            AuditEvent(
                "case.unassigned",
                by,
                case.ref,
                {"handler": handler, "why": why, "basis": "LTC Art. 8(3); ND31 Art. 10(3)"},
            )
        )
        head = first_head_up_the_chain(
            org, case.agency, frozenset(excluded[case_id]), legal_date(now)
        )
        if head is None or not head.email:
            continue
        agency = org.agencies.get(case.agency)
        notices.append(
            outbox_row(
                app,
                f"unassigned:{case_id}:{handler}:{case.version}",
                "handler.unassigned",
                head.officer,
                head.email,
                {
                    "recipient": {"name": head.name, "post": head.post},
                    "case": {
                        "ref": case.ref,
                        "kind": case.kind,
                        "agency_name": agency.name if agency else case.agency,
                    },
                    "handler": {
                        "code": handler,
                        "name": org.officers[handler].name if handler in org.officers else handler,
                    },
                    "why": why,
                    "on": legal_date(now).isoformat(),
                    "link": f"{app.settings.public_url.rstrip('/')}/cases/{case.ref}",
                },
                now,
                case_id,
            )
        )
    append_audit(app, connection, events, now)
    outbox_store.queue(connection, notices)
    return refs
