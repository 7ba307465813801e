"""Read models of cases for the CLI and, later, the API: show, list, allowed triggers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any, cast

from casework.adapters import audit_log, case_reads, case_search, clock_rows, note_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_lookup import load_case_row, ref_of
from casework.adapters.case_reads import SORTS
from casework.adapters.case_reads import CaseFilter as CaseFilter
from casework.adapters.case_store import CaseStore, StoredCase
from casework.adapters.database import stored_instant
from casework.adapters.identity_vault import Sender
from casework.adapters.tables import CaseRow, ClockRow, TransitionRow
from casework.adapters.unit_of_work import ReadSession, Transaction
from casework.domain.access import Principal
from casework.domain.calendar import add_working_days, working_days_between
from casework.domain.clocks import ClockStatus, compute_due, display_status
from casework.domain.confidentiality import is_withheld
from casework.domain.errors import ConflictOfInterest, InvalidInput, NotAllowed, said
from casework.domain.escalation import NO_LADDER
from casework.domain.guards import Refusal, in_vietnamese
from casework.domain.search import query_words
from casework.domain.visibility import (
    identity_reach,
    require_exists,
    require_identity,
)
from casework.domain.words_vi import KIND_LABEL_VI, choices_vi
from casework.services.app import Casework, legal_date
from casework.services.assignment import check_actor
from casework.services.case_access import access_to, withheld_links_of
from casework.services.case_parties import party_views
from casework.services.clock_gaps import is_unclocked, open_states
from casework.services.read_models import (
    AllowedTriggers,
    AuditEntry,
    CaseEvent,
    CaseListRow,
    CaseView,
    ClockView,
    ExtensionRecord,
    IdentityView,
    PauseRecord,
    TriggerOption,
)
from casework.services.sealing import SEALED, opened_payload
from casework.services.step_preview import preview_steps


def _days_left(app: Casework, today: date, due: date | None) -> int | None:
    """Working days left until `due` (negative once overdue); None without a due date."""
    if due is None:
        return None
    if due >= today:
        return working_days_between(app.calendar, today, due)
    return -working_days_between(app.calendar, due, today)


def clock_view(app: Casework, row: ClockRow, today: date) -> ClockView:
    clock = clock_rows.to_domain(row, app.rules)
    computed = compute_due(clock, app.calendar)
    status = display_status(
        ClockStatus(row.status), row.due, today, is_duty=row.ladder != NO_LADDER
    )
    open_pause = clock.open_pause
    explanation = list(computed.explanation)
    explanation_vi = list(computed.explanation_vi)
    is_stale = row.status != "stopped" and computed.due != row.due
    if is_stale:
        explanation.append(
            f"stored due {row.due} was computed on calendar {row.calendar_version}; the current "
            f"calendar gives {computed.due}: run `casework deadlines recompute`"
        )
        explanation_vi.append(
            "Hạn đã lưu được tính theo lịch nghỉ cũ; lịch hiện hành cho kết quả khác: đề nghị "
            "quản trị hệ thống tính lại thời hạn"
        )
    return {
        "code": row.code,
        "title": clock.rule.title,
        "title_vi": clock.rule.title_in("vi"),
        "stale": is_stale,
        "status": status.value,
        "due": row.due.isoformat() if row.due else None,
        "days_left": _days_left(app, today, row.due) if row.status == "running" else None,
        "start_on": row.start_on.isoformat(),
        "stopped_on": row.stopped_on.isoformat() if row.stopped_on else None,
        "late": bool(row.stopped_on and row.due and row.stopped_on > row.due),
        "paused_since": open_pause.paused_on.isoformat() if open_pause else None,
        "paused_reason": open_pause.reason if open_pause else None,
        # as clock_rows writes them
        "extensions": cast(list[ExtensionRecord], row.extensions),
        "pauses": cast(list[PauseRecord], row.pauses),
        "rule_version": row.rule_version,
        "calendar_version": row.calendar_version,
        "basis": clock.rule.basis,
        "explanation": explanation,
        "explanation_vi": explanation_vi,
    }


def _denouncer_view(case: CaseRow, opened: Sender | None, has_sender: bool) -> IdentityView | None:
    if not has_sender:
        return None
    if opened is None:
        basis = (
            "personal data, shown only on request"
            if case.kind in ("complaint", "petition", "letter")
            else "confidential (LTC Arts. 8(3), 47)"
        )
        return {"identity": f"{basis}: use --reveal-identity --by OFFICER"}
    identity = opened.identity
    return {
        "full_name": identity["full_name"],
        "address": identity["address"],
        "contact": identity["contact"],
        "id_number": identity["id_number"],
        "email": identity["email"],
    }


def _attributes_shown(attributes: dict[str, Any], withheld: list[str]) -> dict[str, Any]:
    """The case's attributes without the links its reader may not follow (linked records
    inherit the policy, domain/visibility.link_shown), counted in `withheld_links`; a repeat
    left out says nothing else ("may repeat" would answer a guessed sender just as well)."""
    shown = dict(attributes)
    for key in withheld:
        shown[key] = None
        if key != "repeat_of":
            shown["withheld_links"] = int(shown.get("withheld_links", 0)) + 1
    return shown


def _step_shown(
    data: dict[str, Any], reason: str, withheld: list[str]
) -> tuple[dict[str, Any], str]:
    """A step's data and reason without the links its reader may not follow: a withheld
    reference is left out of the data and blanked wherever the reason quotes it."""
    shown = dict(data)
    for key in withheld:
        reason = reason.replace(str(shown[key]), "…")
        shown[key] = None
    return shown, reason


TYPED_ENTRIES = 1000
"""The newest audit entries of a case the identity view searches for texts as typed."""


def _attributes_as_typed(
    opened: Sender | None, stored: dict[str, Any], steps: list[TransitionRow]
) -> dict[str, Any]:
    """In the identity view, the attributes stored withheld, as typed: at intake, then by
    each step that set them, the latest last. Only those: every other attribute (a link the
    reader may not follow, say) stays as the case page shows it."""
    if opened is None:
        return {}
    typed = opened.typed_attributes()
    for step in steps:
        if step.sealed:
            by_step = opened.case_key.open("step", step.sealed).get("attributes") or {}
            typed.update({k: v for k, v in by_step.items() if not is_withheld(v)})
    return {key: typed[key] for key, value in stored.items() if is_withheld(value) and key in typed}


def _as_typed(step: TransitionRow, opened: Sender | None) -> TransitionRow:
    """The step with its reason and fields as typed, in the audited identity view."""
    if opened is None or not step.sealed:
        return step
    typed = opened.case_key.open("step", step.sealed)
    return step.model_copy(update={"reason": typed["reason"], "data": typed["data"]})


def _record_identity_read(app: Casework, ref: str, officer: str, now: datetime) -> None:
    """Every read of a denouncer's identity is itself on the audit trail (LTC Arts. 8(3), 47)."""
    with app.transaction() as connection:
        audit_log.append(
            connection,
            [AuditEvent("identity.viewed", officer, ref, {"basis": "LTC Arts. 8(3), 47, 56"})],
            now,
        )


def show_case(
    app: Casework,
    ref: str,
    now: datetime,
    viewer: Principal | None = None,
    reveal_identity: bool = False,
) -> CaseView:
    """Everything about one case, if it exists for `viewer` (domain/visibility.py; else the
    NotFound of a case that does not exist). Without a viewer this is the server operator's
    view (a command naming no officer), which never holds an identity: the API and web UI
    always name their principal. Reading the denouncer's identity is itself recorded."""
    today = legal_date(now)
    with app.reading() as session:
        case = load_case_row(session, ref)
        connection = session.connection()
        org = app.organisation(connection)
        access = None if viewer is None else access_to(org, connection, viewer, case, today)
        if access is not None:
            require_exists(access, ref)  # as typed, like the NotFound of a missing case
        ref = ref_of(case)
        lifecycle = app.definitions.lifecycle(case.kind)
        has_sender = app.vault.has_sender(connection, case.id or 0)
        opened = None
        if reveal_identity and has_sender:
            if access is None:  # fail closed: nobody named, nothing shown
                raise said(
                    NotAllowed(f"reading the identity of {ref} needs the officer who reads it"),
                    "Thông tin người gửi đơn chỉ được mở cho một cán bộ cụ thể (việc xem được "
                    f"ghi nhật ký): đăng nhập bằng tài khoản của đồng chí để xem hồ sơ {ref}",
                )
            require_identity(access, ref)
            # the audited view (recorded below): the identity, and the texts that named
            # him as they were typed
            opened = app.vault.senders_of(connection, [case.id or 0]).get(case.id or 0)
        denouncer = _denouncer_view(case, opened, has_sender)
        summary = (opened.summary() if opened else None) or case.summary
        steps = case_reads.transition_rows(session, case.id or 0)
        history = [_as_typed(t, opened) for t in steps]
        # the links the reader may not follow, in the attributes and in each step's data
        attributes_hidden, *steps_hidden = withheld_links_of(
            connection,
            org,
            viewer,
            case.id or 0,
            [case.attributes, *(t.data or {} for t in history)],
            today,
        )
        shown_steps = [
            _step_shown(dict(t.data or {}), t.reason, hidden)
            for t, hidden in zip(history, steps_hidden, strict=True)
        ]
        typed_attributes = _attributes_as_typed(opened, dict(case.attributes), steps)
        escalations = case_reads.escalation_rows(session, case.id or 0)
        handler = org.officers.get(case.handler) if case.handler else None
        agency = org.agencies.get(case.agency)
        view: CaseView = {
            "ref": ref,
            "kind": case.kind,
            "state": case.state,
            "state_legal_name": lifecycle.states[case.state].legal_name,
            "agency": case.agency,
            "agency_name": agency.name if agency else None,
            "handler": case.handler,
            "handler_name": handler.name if handler else None,
            "received_on": case.received_on.isoformat(),
            "channel": case.channel,
            "summary": summary,
            "forwarded_by": (opened.typed().get("forwarded_by") if opened else None)
            or case.forwarded_by,
            "complexity": case.complexity,
            "attributes": {
                **_attributes_shown(dict(case.attributes), attributes_hidden),
                **typed_attributes,
            },
            "denounced": {
                "name": case.denounced_name,
                "officer": case.denounced_officer,
                "agency": case.denounced_agency,
            },
            "parties": party_views(connection, org, case.id or 0),
            "denouncer": denouncer,
            "version": case.version,
            "allowed_triggers": _unblocked_triggers(app, connection, case.id or 0, today),
            # open, and no legal clock watches it: it can never be overdue (clock_gaps.py)
            "without_clock": is_unclocked(app, connection, case.id or 0),
            "clocks": [
                clock_view(app, row, today)
                for row in case_reads.all_clock_rows(session, case.id or 0)
            ],
            "history": [
                {
                    "on": t.occurred_on.isoformat(),
                    "trigger": t.trigger,
                    "from": t.from_state,
                    "to": t.to_state,
                    "actor": t.actor,
                    # what named the sender was stored withheld, for every reader alike; a
                    # link to a case he may not follow is left out
                    "reason": reason,
                    "data": data,
                    "basis": t.basis,
                }
                for t, (data, reason) in zip(history, shown_steps, strict=True)
            ],
            "events": _events(session, case, ref),
            "notes": [
                {
                    "id": note.id,
                    "author": note.author,
                    "at": stored_instant(note.written_at).isoformat(),
                    "text": note.text,
                }
                for note in note_store.notes_of(connection, case.id or 0)
            ],
            "escalations": [
                {
                    "clock": e.clock_code,
                    "step": e.step,
                    "due": e.due.isoformat(),
                    "fires_on": e.fires_on.isoformat(),
                    "recipients": e.recipients,
                }
                for e in escalations
            ],
        }
    if opened is not None:
        with app.reading() as session:
            view["typed_entries"] = _typed_entries(session, opened)
    if reveal_identity and denouncer is not None and viewer is not None:
        _record_identity_read(app, ref, viewer.username, now)
    return view


def _typed_entries(session: ReadSession, opened: Sender) -> list[AuditEntry]:
    """The case's audit entries that named its sender, oldest first, as they were recorded
    (their sealed originals opened), for the identity view."""
    rows = audit_log.newest_entries(session, TYPED_ENTRIES, opened.ref)
    return [
        {
            "id": row.id or 0,
            "recorded_at": row.recorded_at.isoformat(),
            "actor": row.actor,
            "case": row.case_ref,
            "action": row.action,
            "payload": dict(opened_payload(opened, row.payload)),
        }
        for row in reversed(rows)
        if isinstance(row.payload, dict) and row.payload.get(SEALED)
    ]


MAX_DUE_WITHIN = 260
"""The farthest "due within" a list looks ahead: about a year of working days. Counting
millions of working days cost seconds per request (issue 21)."""


def check_filter_values(app: Casework, filters: CaseFilter) -> None:
    """Raise InvalidInput naming what is allowed for an unknown state or kind."""
    if filters.state:
        known = sorted({s for lc in app.definitions.lifecycles.values() for s in lc.states})
        if filters.state not in known:
            raise said(
                InvalidInput(f"unknown state {filters.state!r}; states: {', '.join(known)}"),
                f"Không có trạng thái hồ sơ «{filters.state}»: chọn một trạng thái trong danh "
                "sách trạng thái của quy trình",
            )
    if filters.kind and filters.kind not in app.definitions.lifecycles:
        raise said(
            InvalidInput(
                f"unknown kind {filters.kind!r}; kinds: {', '.join(app.definitions.lifecycles)}"
            ),
            f"Không có loại đơn «{filters.kind}»; chọn một trong: "
            + choices_vi(app.definitions.lifecycles, KIND_LABEL_VI),
        )
    if filters.due_within is not None and not 0 <= filters.due_within <= MAX_DUE_WITHIN:
        raise said(
            InvalidInput(
                f"--due-within takes a number of working days from 0 to {MAX_DUE_WITHIN} (a year)"
            ),
            f"Số ngày làm việc «đến hạn trong» phải từ 0 đến {MAX_DUE_WITHIN} (khoảng một năm); "
            f"đã nhập {filters.due_within}",
        )
    if filters.clock and filters.clock not in app.rules.codes:
        raise said(
            InvalidInput(f"unknown clock {filters.clock!r}; clocks: {', '.join(app.rules.codes)}"),
            f"Không có thời hạn «{filters.clock}»: chọn một thời hạn trong danh sách",
        )
    if filters.sort not in SORTS:
        raise said(
            InvalidInput(f"unknown order {filters.sort!r}; orders: {', '.join(SORTS)}"),
            f"Không có cách sắp xếp «{filters.sort}»: theo hạn gần nhất, mới nhận trước hoặc "
            "nhận trước",
        )
    if filters.status not in (None, "open", "closed"):
        raise said(
            InvalidInput(f"unknown status {filters.status!r}; statuses: open, closed"),
            f"Không có tình trạng «{filters.status}»: đang giải quyết hoặc đã kết thúc",
        )
    if (
        filters.received_from
        and filters.received_to
        and filters.received_from > filters.received_to
    ):
        raise said(
            InvalidInput(
                f"received from {filters.received_from} is after received to {filters.received_to}"
            ),
            f"Ngày nhận «từ» ({filters.received_from.strftime('%d/%m/%Y')}) sau ngày nhận "
            f"«đến» ({filters.received_to.strftime('%d/%m/%Y')})",
        )


FEW_MATCHES = 20_000
"""Up to this many cases found by a search (or closed), a list takes them as a set of ids and
walks its order testing membership only; beyond, it tests each case against the search
itself, soon finding a page of such common matches."""


def prepared(app: Casework, filters: CaseFilter, today: date) -> CaseFilter:
    """`filters` checked, with what the list's SQL needs worked out: the search's folded
    words and, for a viewer the organisation knows, their digests and the senders he may see
    (a search by a sender's name finds only those); each kind's open and final states."""
    check_filter_values(app, filters)
    words = query_words(filters.search)
    if filters.search.strip() and not words:
        raise said(
            InvalidInput(
                f"nothing in {filters.search!r} can be searched: type letters or digits of a "
                "reference, a name or the summary"
            ),
            f"«{filters.search.strip()}» không có chữ cái hay chữ số nào để tìm: nhập số hồ sơ, "
            "họ tên hoặc vài chữ trong nội dung đơn",
        )
    lifecycles = tuple(open_states(app))
    changes: dict[str, Any] = {"words": words, "lifecycles": lifecycles}
    few: list[set[int]] = []  # the cases a search or the closed tab leaves, when they are few
    with app.reading() as session:
        connection = session.connection()
        org = app.organisation(connection)
        if filters.handler:
            org.officer(filters.handler)  # an unknown code is refused, never sent to SQL
        # a sender's name only for a viewer the organisation knows (fail closed)
        if words and filters.viewer and filters.viewer in org.officers:
            changes["reach"] = identity_reach(org, filters.viewer, today)
            changes["name_digests"] = tuple(app.vault.name_word_digests(words))
        # words of one or two letters no index holds: such a search finds many cases anyway
        if any(len(word) >= case_search.INDEXED_LETTERS for word in words):
            found = case_search.matching_ids(
                connection,
                words,
                changes.get("name_digests", ()),
                changes.get("reach"),
                filters.agencies,
                FEW_MATCHES,
            )
            if found is not None:
                few.append(set(found))
                changes["words"] = ()  # found already: the ids stand for the search
        if filters.status == "closed":
            closed = case_reads.closed_ids(connection, lifecycles, filters.agencies, FEW_MATCHES)
            few += [] if closed is None else [set(closed)]
    if few:
        changes["only_ids"] = tuple(sorted(set.intersection(*few)))
    return replace(filters, **changes)


def _events(session: ReadSession, case: Any, ref: str) -> list[CaseEvent]:
    """The receipt and the assignments of case `case`, in the order they happened."""
    logged = stored_instant(case.logged_at)
    events: list[CaseEvent] = [
        {
            "at": logged.isoformat(),
            "on": case.received_on.isoformat(),
            "what": "received",
            "actor": case.logged_by,
            "handler": None,
        }
    ]
    entries = [
        *audit_log.case_entries(session, ref, "case.assigned"),
        *audit_log.case_entries(session, ref, "case.unassigned"),
    ]
    for entry in sorted(entries, key=lambda e: e.id or 0):
        at = stored_instant(entry.recorded_at)
        events.append(
            {
                "at": at.isoformat(),
                "on": legal_date(at).isoformat(),
                "what": entry.action.removeprefix("case."),
                "actor": entry.actor,
                "handler": str((entry.payload or {}).get("handler") or "") or None,
            }
        )
    return events


def list_cases(app: Casework, filters: CaseFilter, now: datetime) -> list[CaseListRow]:
    """Cases matching `filters`, nearest due date first; indexed queries only.

    The page is a range of the cases' nearest deadlines (`case_file.next_due`, kept with the
    clocks), so its cost is the page's, however deep. Cases with no running duty clock follow,
    oldest first.
    """
    today = legal_date(now)
    filters = prepared(app, filters, today)
    with app.reading() as session:
        horizon = (
            add_working_days(app.calendar, today, filters.due_within)
            if filters.due_within is not None
            else None
        )
        if filters.sort != "due":
            ids = case_reads.cases_by_received(session, filters, today, horizon)
        else:
            page, dated_total = case_reads.cases_by_due(session, filters, today, horizon)
            undated: list[int] = []
            # a window the law leaves to the parties (ladder "none") is nobody's deadline:
            # cases with no running duty clock follow once every dated case has been listed
            if dated_total is not None and not (
                filters.overdue or filters.upcoming or filters.due_within is not None
            ):
                skip = max(0, filters.offset - dated_total)
                take = filters.limit - len(page)
                if take > 0:
                    undated = case_reads.undated_cases(session, filters, skip, take)
            ids = [case_id for case_id, _ in page] + undated
        rows = case_reads.case_rows(session, ids)
        result: list[CaseListRow] = []
        for case_id in ids:
            case = rows[case_id]
            due = case.next_due  # its running duty clocks' nearest (CaseRow.next_due)
            # the list has applied the policy in SQL; a summary that named the sender was
            # stored withheld (services/sealing.py)
            result.append(
                {
                    "ref": ref_of(case),
                    "kind": case.kind,
                    "state": case.state,
                    "agency": case.agency,
                    "handler": case.handler,
                    "received_on": case.received_on.isoformat(),
                    "next_due": due.isoformat() if due else None,
                    "overdue": bool(due and due < today),
                    "summary": case.summary,
                }
            )
        return result


def allowed_triggers(
    app: Casework, ref: str, now: datetime, actor: str | None = None, on: date | None = None
) -> AllowedTriggers:
    """The triggers a case accepts now — or for a step dated `on` — with the fields each
    needs and any guard that blocks it; with an `actor`, also what bars him from acting on
    the case at all (the check an advance makes, services/assignment.check_actor)."""
    with app.reading() as session:
        store = CaseStore(session.connection())
        case = store.get(ref)
        lifecycle = app.definitions.lifecycle(case.kind)
        barred = _actor_barred(app, session.connection(), case, actor) if actor else []
        on = on or legal_date(now)  # a step's date defaults to today (services/advance.py)
        triggers: list[TriggerOption] = []
        for spec, blocked_by in preview_steps(app, session.connection(), case, on, actor):
            triggers.append(
                {
                    "trigger": spec.trigger,
                    "title": spec.title,
                    "title_vi": spec.title_in("vi"),
                    "to": spec.destination(case.state),
                    "to_legal_name": lifecycle.states[spec.destination(case.state)].legal_name,
                    "basis": spec.basis,
                    "fields": [
                        {
                            "name": f.name,
                            "required": f.required,
                            "choices": list(f.choices),
                            "description": f.description,
                            "description_vi": f.description_in("vi"),
                            "choice_labels_vi": {c: f.label(c, "vi") for c in f.choices},
                        }
                        for f in spec.fields
                    ],
                    "blocked_by": barred + blocked_by,
                    "blocked_by_vi": [in_vietnamese(m) for m in barred + blocked_by],
                }
            )
        return {
            "ref": case.ref,
            "state": case.state,
            "state_legal_name": lifecycle.states[case.state].legal_name,
            "triggers": triggers,
            # what bars the actor from every step of the case (each step's blocked_by has it too)
            "barred_vi": [in_vietnamese(m) for m in barred],
        }


def _unblocked_triggers(
    app: Casework, connection: Transaction, case_id: int, today: date
) -> list[str]:
    """The triggers no guard stops today (`allowed_triggers` says why the others are)."""
    case = CaseStore(connection).get_by_id(case_id)
    previews = preview_steps(app, connection, case, today, None)
    return sorted({spec.trigger for spec, blocked_by in previews if not blocked_by})


BARRED_VI = (
    "Đồng chí không thực hiện được bước này trên hồ sơ này: hồ sơ không thuộc đơn vị, không "
    "được giao cho đồng chí, hoặc đồng chí thuộc trường hợp phải tránh"
)
"""Why an officer may not act on a case, as a Vietnamese page says it where the refusal has no
Vietnamese of its own (services/assignment.check_actor gives its own)."""


def _actor_barred(
    app: Casework, connection: Transaction, case: StoredCase, actor: str
) -> list[str]:
    try:
        check_actor(connection, app.organisation(connection), case, actor)
    except (NotAllowed, ConflictOfInterest) as barred:
        return [Refusal(str(barred), barred.vi or BARRED_VI)]
    return []


def show_case_to(
    app: Casework, principal: Principal, ref: str, now: datetime, reveal_identity: bool = False
) -> CaseView:
    """The case as `show_case` gives it to `principal`."""
    return show_case(app, ref, now, viewer=principal, reveal_identity=reveal_identity)
