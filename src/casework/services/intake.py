"""Log a case the day it arrives (or back-dated to the 'ĐẾN' stamp of a paper letter)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from casework.adapters import case_search
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import (
    CaseStore,
    StoredCase,
    case_ref,
    reference_series,
)
from casework.adapters.identity_vault import CaseKey, Sender
from casework.adapters.party_store import insert_parties
from casework.adapters.reference_counters import take_number
from casework.adapters.repeat_lookup import earlier_case
from casework.adapters.unit_of_work import Transaction
from casework.domain.access import Principal
from casework.domain.citations import cite_vi
from casework.domain.confidentiality import withheld_at_intake
from casework.domain.errors import ConflictOfInterest, InvalidInput, said
from casework.domain.facts import attribute_facts
from casework.domain.free_text import SUMMARY, check_date, check_text
from casework.domain.lifecycle import LifecycleDefinition
from casework.domain.organisation import Organisation, Role
from casework.domain.parties import (
    EXCLUSION_TEXT,
    EXCLUSION_TEXT_VI,
    CaseExclusions,
    Exclusion,
    Party,
    PartyRole,
    excluded_officers,
    resolve_party,
)
from casework.domain.repeats import keyed_subject, repeat_key, sender_key, subject_key
from casework.domain.search import case_words, name_words
from casework.domain.visibility import repeat_shown
from casework.domain.words_vi import (
    CHANNEL_VI,
    KIND_LABEL_VI,
    choices_vi,
    kind_vi,
    letter_of_kind_vi,
    roles_vi,
    vi_day,
)
from casework.services.advance import AdvanceCase, apply_step
from casework.services.app import Casework, legal_date
from casework.services.case_access import facts_by_ref
from casework.services.case_events import audit_events
from casework.services.complaint_intake import ComplaintFacts, ComplaintIntake, complaint_intake
from casework.services.exclusions import record_exclusions
from casework.services.intake_labels import field_vi
from casework.services.letter_intake import from_letter, letter_for
from casework.services.redenunciation_intake import (
    Redenunciation,
    RedenunciationIntake,
    redenunciation_intake,
)
from casework.services.sealing import append_audit

CHANNELS = ("letter", "visit", "phone", "online", "forwarded")


@dataclass(frozen=True)
class Denouncer:
    """The denouncer's identity: confidential, stored apart from the case."""

    full_name: str
    address: str = ""
    contact: str = ""
    id_number: str = ""
    email: str = ""  # notices to the denouncer are emailed here; else printed as letters


@dataclass(frozen=True)
class LogCase:
    """What a reception officer records."""

    kind: str
    agency: str
    received_on: date
    summary: str
    denouncer: Denouncer | None = None
    denounced_name: str = ""
    denounced_officer: str | None = None
    denounced_agency: str | None = None
    denounced_email: str = ""
    channel: str = "letter"
    forwarded_by: str | None = None
    logged_by: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    complaint: ComplaintFacts | None = None  # required for kind "complaint"
    from_letter: str | None = None  # the logged letter this case is classified from
    classified_on: date | None = None  # the day the letter was classified (default: today)
    redenunciation: Redenunciation | None = None  # a denunciation made again to the superior
    # the other parties a denunciation names, beyond the first (denounced_* above)
    more_denounced: tuple[OtherDenounced, ...] = ()
    # the officer says the denunciation gives no identifiable denouncer: it is then recorded
    # as intelligence, with no clock and no notice (LTC Art. 25) — never by a name left out
    anonymous: bool = False
    # why a case no deadline rule covers is logged all the same (an old file imported): it
    # then has no legal clock; without it, such a received date is refused as a likely typo
    historical: str = ""


@dataclass(frozen=True)
class OtherDenounced:
    """One more denounced party of a denunciation that names several: an officer by code, an
    agency by code, or a name as typed (resolved like the first, `domain.parties`)."""

    name: str = ""
    officer: str | None = None
    agency: str | None = None

    @classmethod
    def parse(cls, text: str) -> OtherDenounced:
        """`officer:CODE`, `agency:CODE`, or a name as the letter gives it."""
        kind, sep, value = text.partition(":")
        if sep and kind.strip() == "officer" and value.strip():
            return cls(officer=value.strip())
        if sep and kind.strip() == "agency" and value.strip():
            return cls(agency=value.strip())
        if not text.strip():
            raise said(
                InvalidInput("an empty denounced party: give a name, officer:CODE or agency:CODE"),
                "Có người bị tố cáo để trống: ghi họ tên, tên cơ quan bị tố cáo như trong đơn",
            )
        return cls(name=text.strip())


@dataclass(frozen=True)
class Logged:
    ref: str
    state: str
    clocks: list[dict[str, str | None]]
    repeat_of: str | None = None  # the earlier case this one repeats (same sender and subject)

    # officers a typed denounced name or post may be: excluded until a head clears them
    candidates: list[dict[str, str]] = field(default_factory=list)


def _is_email_address(value: str) -> bool:
    local, at, domain = value.strip().rpartition("@")
    return bool(at and local and "." in domain) and not any(ch in value for ch in " \t\r\n,;<>")


def _check_texts(command: LogCase) -> None:
    check_text(
        "the summary", command.summary, SUMMARY, multiline=True, label_vi=field_vi("summary")
    )
    for label, value, label_vi in (
        ("the denounced party", command.denounced_name, field_vi("denounced_name")),
        ("the denounced party's email", command.denounced_email, field_vi("denounced_email")),
        ("the forwarding body", command.forwarded_by or "", field_vi("forwarded_by")),
        *(
            (f"denounced party {n}", o.name, f"Người bị tố cáo thứ {n}")
            for n, o in enumerate(command.more_denounced, 2)
        ),
    ):
        check_text(label, value, label_vi=label_vi)
    if command.denouncer is not None:
        for field in ("full_name", "address", "contact", "id_number", "email"):
            check_text(
                f"the sender's {field.replace('_', ' ')}",
                getattr(command.denouncer, field),
                label_vi=field_vi(f"denouncer.{field}"),
            )
    if command.complaint is not None:
        check_text(
            "the contested decision",
            command.complaint.contested_decision,
            label_vi=field_vi("complaint.contested_decision"),
        )
        check_text(
            "the remote area's reason",
            command.complaint.remote_area_reason,
            label_vi=field_vi("complaint.remote_area_reason"),
        )
        if command.complaint.decision_known_on is not None:
            check_date(
                "the day the decision was known",
                command.complaint.decision_known_on,
                label_vi=field_vi("complaint.decision_known_on"),
            )


def _validate(command: LogCase, org: Organisation, today: date, kinds: list[str]) -> None:
    if command.kind not in kinds:
        raise said(
            InvalidInput(f"unknown case kind {command.kind!r}; kinds: {', '.join(kinds)}"),
            f"Chưa chọn loại đơn hoặc loại đơn không hợp lệ; chọn một trong: "
            f"{choices_vi(kinds, KIND_LABEL_VI)}",
        )
    org.agency(command.agency)
    _check_texts(command)
    check_date("received date", command.received_on, label_vi=field_vi("received"))
    check_text(
        "the reason for a historical import", command.historical, label_vi=field_vi("historical")
    )
    if command.received_on > today:
        raise said(
            InvalidInput(
                f"received date {command.received_on.isoformat()} is in the future (today is "
                f"{today.isoformat()} in Asia/Ho_Chi_Minh); give the date on the 'ĐẾN' stamp"
            ),
            f"Ngày nhận {command.received_on.strftime('%d/%m/%Y')} ở tương lai: nhập ngày ghi "
            "trên dấu «ĐẾN»",
        )
    if command.channel not in CHANNELS:
        raise said(
            InvalidInput(f"unknown channel {command.channel!r}; channels: {', '.join(CHANNELS)}"),
            f"Hình thức tiếp nhận không hợp lệ; chọn một trong: {choices_vi(CHANNELS, CHANNEL_VI)}",
        )
    if not command.summary.strip():
        raise said(
            InvalidInput("a summary of the content is required (--summary)"),
            "Cần tóm tắt nội dung đơn",
        )
    if not (
        command.denounced_name.strip() or command.denounced_officer or command.denounced_agency
    ):
        if command.kind == "complaint":
            if not (command.complaint and command.complaint.second_instance_of):
                raise said(
                    InvalidInput(
                        "name who made the contested decision or act: --respondent-name, "
                        "--respondent-officer or --respondent-agency (LKN Art. 8(2))"
                    ),
                    "Cần ghi người, cơ quan có quyết định, hành vi bị khiếu nại (khoản 2 Điều 8 "
                    "Luật Khiếu nại)",
                )
        elif command.kind == "denunciation" and command.redenunciation is None:
            raise said(
                InvalidInput(
                    "name who is denounced: --denounced-name, --denounced-officer or "
                    "--denounced-agency (LTC Art. 23(1))"
                ),
                "Cần ghi người, cơ quan bị tố cáo (khoản 1 Điều 23 Luật Tố cáo)",
            )
    named = bool(command.denouncer and command.denouncer.full_name.strip())
    if command.anonymous and named:
        raise said(
            InvalidInput("give either the denouncer's name or --anonymous, not both"),
            "Đơn đã ghi họ tên người tố cáo thì không đánh dấu là đơn nặc danh",
        )
    if command.anonymous and command.kind != "denunciation":
        raise said(
            InvalidInput(
                f"--anonymous describes a denunciation that names no denouncer (LTC Art. 25); a "
                f"{command.kind} without a sender is logged as a letter (`case new letter`)"
            ),
            f"Chỉ đơn tố cáo mới được đánh dấu là đơn nặc danh ({cite_vi('LTC Art. 25')}); "
            f"{letter_of_kind_vi(command.kind)} không rõ người gửi thì vào sổ là đơn chưa phân "
            "loại",
        )
    if (
        command.kind == "denunciation"
        and not named
        and not command.anonymous
        and command.redenunciation is None  # its own rule: the sender is typed, never copied
    ):
        raise said(
            InvalidInput(
                "a denunciation needs the denouncer's name (LTC Art. 23): --denouncer-name; if "
                "the letter names nobody who can be identified, say so with --anonymous: it is "
                "then recorded as intelligence (LTC Art. 25), with no legal clock and no notice"
            ),
            "Cần ghi họ tên người tố cáo (Điều 23 Luật Tố cáo); nếu đơn không rõ người tố cáo, "
            "đánh dấu «đơn nặc danh»: đơn được xử lý như thông tin tố cáo (Điều 25 Luật Tố cáo)",
        )
    if command.kind == "complaint":
        _validate_complaint(command)
    elif command.kind == "petition" and not (
        command.denouncer and command.denouncer.full_name.strip()
    ):
        raise said(
            InvalidInput(
                "a petition must give the sender's name and address (LTCD Art. 25(1)): "
                "--sender-name, --sender-address; an unsigned letter is logged as a letter "
                "(`case new letter`) and classified"
            ),
            "Đơn kiến nghị, phản ánh phải ghi họ tên, địa chỉ người gửi (khoản 1 Điều 25 Luật "
            "Tiếp công dân)",
        )
    if command.classified_on is not None and not command.from_letter:
        raise said(
            InvalidInput("--classified-on goes with --from-letter: it dates the classification"),
            "Ngày phân loại đơn chỉ ghi khi tạo hồ sơ từ một đơn đã vào sổ",
        )
    if command.redenunciation is not None and command.kind != "denunciation":
        raise said(
            InvalidInput(
                f"--redenunciation-of describes a denunciation made again, not a {command.kind}"
            ),
            f"Tố cáo tiếp chỉ ghi cho đơn tố cáo, không ghi cho {letter_of_kind_vi(command.kind)}",
        )
    if command.complaint is not None and command.kind != "complaint":
        raise said(
            InvalidInput(
                f"complaint facts (--decision-known-on, --remote-area, --disciplinary, "
                f"--second-instance-of…) describe a complaint, not a {command.kind}"
            ),
            "Các thông tin của đơn khiếu nại (ngày biết được quyết định bị khiếu nại, vùng sâu, "
            "vùng xa, kỷ luật, khiếu nại lần hai) chỉ ghi cho đơn khiếu nại, không ghi cho "
            f"{letter_of_kind_vi(command.kind)}",
        )
    for label, address, label_vi in (
        (
            "--denouncer-email",
            command.denouncer.email if command.denouncer else "",
            field_vi("denouncer.email"),
        ),
        ("--denounced-email", command.denounced_email, field_vi("denounced_email")),
    ):
        if address and not _is_email_address(address):
            raise said(
                InvalidInput(
                    f"{label} must be one email address such as ten@example.vn; leave it out to "
                    "send notices as printed letters"
                ),
                f"«{label_vi}» phải là một địa chỉ thư điện tử, ví dụ nguyenvana@gmail.com; để "
                "trống thì thông báo được in và gửi qua đường bưu chính",
            )
    if command.denounced_officer:
        org.officer(command.denounced_officer)
    if command.denounced_agency:
        org.agency(command.denounced_agency)
    denouncer_email = (command.denouncer.email if command.denouncer else "").strip().casefold()
    if denouncer_email:
        head = org.head_of(command.denounced_agency) if command.denounced_agency else None
        denounced_addresses = {
            command.denounced_email.strip().casefold(),
            org.officer(command.denounced_officer).email.casefold()
            if command.denounced_officer
            else "",
            head.email.casefold() if head else "",
        }
        if denouncer_email in denounced_addresses:
            raise said(
                InvalidInput(
                    "the denouncer's email is also an address of the denounced person: their own "
                    "notices would reach the denounced (LTC Art. 8(3)); give another address or "
                    "none"
                ),
                "Thư điện tử của người tố cáo trùng với địa chỉ của người bị tố cáo: thông báo "
                "gửi người tố cáo sẽ đến tay người bị tố cáo "
                f"({cite_vi('LTC Art. 8(3)')}); ghi địa chỉ khác hoặc để trống",
            )
    if command.logged_by:
        officer = org.officer(command.logged_by)
        if Role.RECEPTION not in officer.roles and Role.ADMIN not in officer.roles:
            raise said(
                InvalidInput(
                    f"{officer.code} is not a reception officer (roles: "
                    f"{', '.join(officer.roles)}); cases are logged by reception officers"
                ),
                f"Cán bộ {officer.name} không có vai trò tiếp nhận đơn (vai trò hiện có: "
                f"{roles_vi(officer.roles)}): đơn do cán bộ tiếp nhận vào sổ",
            )


def _validate_complaint(command: LogCase) -> None:
    facts = command.complaint
    named = command.denouncer is not None and command.denouncer.full_name.strip()
    if not named and not (facts and facts.second_instance_of):
        raise said(
            InvalidInput(
                "a complaint must give the complainant's name and address (LKN Art. 8(2)): "
                "--complainant-name, --complainant-address; an unsigned letter is not accepted "
                "(LKN Art. 11) and an anonymous report of wrongdoing is logged as a denunciation "
                "with --anonymous"
            ),
            "Đơn khiếu nại phải ghi họ tên, địa chỉ người khiếu nại "
            f"({cite_vi('LKN Art. 8(2)')}); đơn không ký tên không được thụ lý "
            f"({cite_vi('LKN Art. 11')}), còn đơn nặc danh phản ánh sai phạm thì vào sổ là đơn "
            "tố cáo nặc danh",
        )
    if facts is not None and facts.second_instance_of:
        return  # the first case gives the date, or says why it cannot (complaint_intake.py)
    if facts is None or facts.decision_known_on is None:
        raise said(
            InvalidInput(
                "a complaint needs --decision-known-on YYYY-MM-DD: the day the complainant "
                "received or learnt of the contested decision or act (or, for a second "
                "complaint, of the first-instance decision); the limitation period runs from it "
                "(LKN Arts. 9, 33)"
            ),
            "Cần ghi ngày người khiếu nại nhận được hoặc biết được quyết định, hành vi bị khiếu "
            "nại: thời hiệu khiếu nại tính từ ngày đó (Điều 9, Điều 33 Luật Khiếu nại)",
        )


def _refuse_unclocked(app: Casework, lifecycle: LifecycleDefinition, command: LogCase) -> None:
    """A case that starts no legal clock can never be overdue nor escalated: refuse it — a
    received date before every rule is most often a mistyped year — unless the officer said
    why it is logged all the same (an old file imported)."""
    if command.historical.strip():
        return
    firsts = [
        min(rule.effective_from for rule in app.rules.versions(start.code))
        for start in lifecycle.on_log.start
        if app.rules.versions(start.code)
    ]
    covered = (
        f"; the rules cover what was received from {min(firsts).isoformat()}" if firsts else ""
    )
    covered_vi = (
        f"; quy định hiện có áp dụng cho đơn nhận từ ngày {vi_day(min(firsts))}" if firsts else ""
    )
    raise said(
        InvalidInput(
            f"no deadline rule of a {command.kind} is in force on the received date "
            f"{command.received_on.isoformat()}{covered}. Check the date (a mistyped year?), or "
            "log an old file with --historical REASON: it is then recorded without a legal clock"
        ),
        f"Chưa có quy định thời hạn nào cho {letter_of_kind_vi(command.kind)} áp dụng với ngày "
        f"nhận {vi_day(command.received_on)}{covered_vi}. Kiểm tra lại ngày nhận (có thể nhập nhầm "
        "năm); hồ sơ cũ chỉ được nhập kèm lý do nhập hồ sơ cũ, và khi đó không tính thời hạn",
    )


def log_case(app: Casework, command: LogCase, now: datetime) -> Logged:
    """Record a new case with its confidential identity and start the clocks of receipt.

    A denunciation the officer logs as anonymous (no identifiable denouncer) is recorded as
    intelligence (LTC Art. 25): no statutory clock runs and no notice goes to a denouncer. One
    that merely leaves the name out is refused.
    """
    with app.transaction() as connection:
        org = app.organisation(connection)
        lifecycles = app.definitions.lifecycles
        letter = (
            letter_for(connection, command.from_letter, command.kind, lifecycles.get("letter"))
            if command.from_letter
            else None
        )
        if letter is not None:
            command = from_letter(connection, app.vault, command, letter)
        _validate(command, org, legal_date(now), list(app.definitions.lifecycles))
        lifecycle = app.definitions.lifecycle(command.kind)
        complaint = (
            complaint_intake(
                connection,
                app.vault,
                command.complaint,
                command.received_on,
                command.agency,
                org,
                lifecycles.get("complaint"),
            )
            if command.complaint is not None
            else ComplaintIntake({})
        )
        command = _with_second_instance(command, complaint)
        redenunciation = (
            redenunciation_intake(
                connection,
                org,
                command.redenunciation,
                command.agency,
                command.received_on,
                lifecycles.get("denunciation"),
            )
            if command.redenunciation is not None
            else None
        )
        command = _with_original_parties(command, redenunciation)
        parties = _parties(org, command)
        exclusions = excluded_officers(org, command.kind, parties, command.received_on)
        _refuse_excluded_logger(command.logged_by, exclusions, parties)
        is_anonymous = command.anonymous or not (
            command.denouncer is not None and command.denouncer.full_name.strip()
        )
        attributes = {
            **command.attributes,
            **complaint.attributes,
            **(redenunciation.attributes if redenunciation else {}),
            **({"historical_import": command.historical.strip()} if command.historical else {}),
        }
        state = (
            "intelligence"
            if is_anonymous
            and command.kind == "denunciation"
            and "intelligence" in lifecycle.states
            else lifecycle.initial_state(attribute_facts(attributes))
        )
        denounced_name = command.denounced_name.strip()
        if not denounced_name and command.denounced_officer:
            denounced_name = org.officer(command.denounced_officer).name
        # the keys open this database before anything is digested or sealed with them
        app.vault.ready(connection)
        sender = (
            sender_key(
                app.vault.digest,
                command.denouncer.full_name,
                command.denouncer.id_number,
                command.denouncer.address,
            )
            if command.denouncer is not None and not is_anonymous
            else ""
        )
        subject = keyed_subject(
            app.vault.digest,
            subject_key(
                denounced_name,
                command.denounced_officer,
                command.denounced_agency,
                str(attributes.get("contested_decision", "")),
            ),
        )
        repeats = repeat_key(sender, command.kind, command.agency, subject)
        # a second complaint or a re-denunciation is a new step on the same matter, not a repeat
        is_follow_on = "first_instance_ref" in attributes or "redenunciation_of" in attributes
        repeat_of = None if is_follow_on else earlier_case(connection, repeats)
        if repeat_of:
            attributes["repeat_of"] = repeat_of
        series = reference_series(lifecycle.reference_prefix, command.received_on)
        values: dict[str, Any] = {
            # numbered in this transaction: an intake refused below gives its number back
            "reference": case_ref(series, take_number(connection, series)),
            "kind": command.kind,
            "state": state,
            "agency": command.agency,
            "handler": None,
            "received_on": command.received_on,
            "last_event_on": command.received_on,
            "logged_by": command.logged_by,
            "forwarded_by": command.forwarded_by,
            "denounced_name": denounced_name,
            "denounced_officer": command.denounced_officer,
            "complexity": "ordinary",
            "attributes": attributes,
            "version": 1,
        }
        summary = command.summary.strip()
        sender_row = None
        case_key: CaseKey | None = None
        if not is_anonymous and command.denouncer is not None:
            identity = {
                "full_name": command.denouncer.full_name.strip(),
                "address": command.denouncer.address,
                "contact": command.denouncer.contact,
                "id_number": command.denouncer.id_number,
                "email": command.denouncer.email.strip(),
            }
            # what names the sender is stored withheld, and sealed as typed
            summary, forwarder, stored_attributes, typed = withheld_at_intake(
                summary, command.forwarded_by, attributes, identity
            )
            values.update(forwarded_by=forwarder, attributes=stored_attributes)
            case_key = app.vault.new_case_key(connection, values["reference"])
            sender_row = app.vault.sender_row(case_key, identity, typed, sender, repeats)
        store = CaseStore(connection)
        case_id = store.insert_case_with_identity(
            {
                **values,
                "logged_at": now.astimezone(UTC),
                "channel": command.channel,
                "summary": summary,
                "denounced_agency": command.denounced_agency,
                "denounced_email": command.denounced_email.strip(),
                "subject_key": subject,
            },
            sender_row,
        )
        # found by its words as stored (what named the sender withheld), the sender by the
        # digests of his name's words only (adapters/case_search.py)
        case_search.write_case_words(
            connection,
            case_id,
            case_words(
                values["reference"],
                summary,
                values["forwarded_by"],
                denounced_name,
                str(values["attributes"].get("contested_decision") or ""),
            ),
        )
        if sender_row is not None and command.denouncer is not None:
            digests = app.vault.name_word_digests(name_words(command.denouncer.full_name))
            case_search.write_sender_words(connection, case_id, digests)
        insert_parties(connection, case_id, parties)
        record_exclusions(
            connection,
            case_id,
            exclusions,
            letter.id if letter is not None else None,
            original_id=redenunciation.original_id if redenunciation else None,
        )
        steps = app.case_steps(connection)
        case = StoredCase(id=case_id, **values)
        started = steps.adopt(case, history={}).apply_clock_effects(
            lifecycle.on_log, command.received_on, command.logged_by, "log", app.law
        )
        if state != "intelligence" and not any(c.is_active for c in started.clocks):
            _refuse_unclocked(app, lifecycle, command)
        steps.save_clocks(case_id, started.clock_changes)
        events = [
            AuditEvent(
                action="case.logged",
                actor=command.logged_by,
                case_ref=case.ref,
                payload={
                    "kind": case.kind,
                    "state": state,
                    "agency": case.agency,
                    "received_on": case.received_on.isoformat(),
                    "channel": command.channel,
                    "has_identity": not is_anonymous,
                    "basis": _intake_basis(command.kind, state),
                    **{
                        key: attributes[key]
                        for key in (
                            "first_instance_ref",
                            "redenunciation_of",
                            "redenunciation",
                            "from_letter",
                            "repeat_of",
                        )
                        if key in attributes
                    },
                },
            ),
            *audit_events(started.events, case.ref),
        ]
        opened = (
            Sender(case_id, case.ref, identity, case_key, sender_row["typed"])
            if case_key is not None and sender_row is not None
            else None
        )
        append_audit(app, connection, events, now, {case.ref: opened})
        first_ref = attributes.get("first_instance_ref")
        if first_ref and CaseStore(connection).get(str(first_ref)).state == "decided":
            # the first case records the appeal to the superior, same transaction
            apply_step(
                app,
                connection,
                AdvanceCase(
                    ref=str(first_ref),
                    trigger="appeal",
                    on=command.received_on,
                    reason=f"second complaint {case.ref} received by {command.agency}",
                    data={
                        "route": "second_complaint",
                        "to_agency": command.agency,
                        "second_case": case.ref,
                    },
                ),
                now,
            )
        if letter is not None:  # the letter records its classification, same transaction
            apply_step(
                app,
                connection,
                AdvanceCase(
                    ref=letter.ref,
                    trigger="classify",
                    on=command.classified_on,
                    # recorded for the reception officer, who may log but not act on cases;
                    # the case's reference only in the data, which the policy filters (a
                    # letter's case has the letter's sender: domain/visibility.SENDER_LINKS)
                    reason=f"Đã tạo hồ sơ {kind_vi(command.kind)} từ đơn này",
                    data={"as_kind": command.kind, "case_ref": case.ref},
                ),
                now,
                internal=True,
            )
        told = repeat_of
        if repeat_of and not _repeat_shown(connection, org, case, repeat_of, command.logged_by):
            told = None
        return Logged(
            candidates=[
                {"typed": p.name, "officer": code, "name": org.officers[code].name}
                for p in parties
                if p.is_pending and p.role == PartyRole.DENOUNCED
                for code in p.candidates
            ],
            repeat_of=told,
            ref=case.ref,
            state=state,
            clocks=[
                {"code": c.code, "due": c.due.isoformat() if c.due else None}
                for c in started.clocks
            ],
        )


def _repeat_shown(
    connection: Transaction,
    org: Organisation,
    case: StoredCase,
    earlier_ref: str,
    logger: str | None,
) -> bool:
    # one read for both, by reference (as stored: `earlier_case` reads it so)
    facts = facts_by_ref(connection, [case.ref, earlier_ref])
    if earlier_ref not in facts:
        return False  # not a case as stored: say nothing of it (fails closed)
    known = org.officers.get(logger) if logger else None
    viewer = Principal.of_officer(known) if known else None
    return repeat_shown(org, viewer, facts[case.ref], facts[earlier_ref], case.received_on)


def _parties(org: Organisation, command: LogCase) -> list[Party]:
    """The denounced party (a complaint's respondent) as reception described it, resolved."""
    if not (
        command.denounced_name.strip() or command.denounced_officer or command.denounced_agency
    ):
        if command.more_denounced:
            raise said(
                InvalidInput(
                    "give the first denounced party (--denounced-name, --denounced-officer or "
                    "--denounced-agency); --also-denounced adds the others"
                ),
                f"Cần ghi người bị tố cáo thứ nhất ở mục «{field_vi('denounced_name')}»; mục "
                f"«{field_vi('also_denounced')}» chỉ ghi thêm những người còn lại",
            )
        return []
    role = PartyRole.RESPONDENT if command.kind == "complaint" else PartyRole.DENOUNCED
    if command.more_denounced and command.kind != "denunciation":
        raise said(
            InvalidInput(
                f"a {command.kind} names one "
                f"{'respondent' if role == PartyRole.RESPONDENT else 'party'}"
                "; several denounced parties are for a denunciation"
            ),
            f"{letter_of_kind_vi(command.kind).capitalize()} chỉ ghi một "
            + ("người bị khiếu nại" if role == PartyRole.RESPONDENT else "người, cơ quan liên quan")
            + f"; mục «{field_vi('also_denounced')}» chỉ dùng cho đơn tố cáo",
        )
    if any(not (o.name.strip() or o.officer or o.agency) for o in command.more_denounced):
        raise said(
            InvalidInput(
                "an empty denounced party: give each a name, an officer's code or an agency's code"
            ),
            "Có người bị tố cáo để trống: ghi họ tên, mã cán bộ hoặc mã cơ quan của từng người",
        )
    first = resolve_party(
        org,
        role,
        command.received_on,
        name=command.denounced_name,
        officer=command.denounced_officer,
        agency=command.denounced_agency,
    )
    return [first] + [
        resolve_party(
            org, role, command.received_on, name=o.name, officer=o.officer, agency=o.agency
        )
        for o in command.more_denounced
    ]


_LOGGER_BARRED = (Exclusion.DENOUNCED, Exclusion.CANDIDATE, Exclusion.RELATIVE)


def _refuse_excluded_logger(
    logged_by: str | None, exclusions: CaseExclusions, parties: list[Party]
) -> None:
    """The denounced person, an officer the letter may name, or a relative never handles the
    letter that denounces them, not even to log it (LTC Art. 8(3); ND31 Art. 10(3)). Staff of
    a denounced agency may — also of an agency the letter names ("UBND xã Hưng Nguyên"): the
    letter reached their desk and must be logged that day."""
    reason = exclusions.reasons.get(logged_by or "")
    if reason == Exclusion.CANDIDATE and all(
        logged_by in p.as_staff for p in parties if logged_by in p.candidates
    ):
        return
    if reason in _LOGGER_BARRED:
        assert reason is not None
        raise said(
            ConflictOfInterest(
                f"{logged_by} may not log this letter: {EXCLUSION_TEXT[reason]} "
                "(LTC Art. 8(3); ND31 Art. 10(3)); hand it to another reception officer"
            ),
            f"Đồng chí không được vào sổ đơn này vì {EXCLUSION_TEXT_VI[reason]} "
            f"({cite_vi('LTC Art. 8(3); ND31 Art. 10(3)')}): chuyển đơn cho cán bộ tiếp nhận khác",
        )


def _intake_basis(kind: str, state: str) -> str:
    if state == "intelligence":
        return "LTC Art. 25"
    if state == "review":
        return "LTC Art. 37"
    if state == "follow_up":
        return "LTC Art. 38"
    return {"complaint": "LKN Arts. 8, 27, 36", "petition": "LTCD Art. 26"}.get(
        kind, "LTC Arts. 22–24"
    )


def _with_second_instance(command: LogCase, complaint: ComplaintIntake) -> LogCase:
    """A second complaint takes the complainant and respondent of the first case where the
    officer did not give them again."""
    changes: dict[str, Any] = {}
    if complaint.identity and not (command.denouncer and command.denouncer.full_name.strip()):
        changes["denouncer"] = Denouncer(
            full_name=complaint.identity["full_name"],
            address=complaint.identity["address"] or "",
            contact=complaint.identity["contact"] or "",
            id_number=complaint.identity["id_number"] or "",
            email=complaint.identity["email"] or "",
        )
    respondent = complaint.respondent
    if respondent and not (
        command.denounced_name.strip() or command.denounced_officer or command.denounced_agency
    ):
        changes.update(
            denounced_name=respondent["denounced_name"] or "",
            denounced_officer=respondent["denounced_officer"],
            denounced_agency=respondent["denounced_agency"],
            denounced_email=command.denounced_email or respondent["denounced_email"] or "",
        )
    return replace(command, **changes) if changes else command


def _with_original_parties(command: LogCase, intake: RedenunciationIntake | None) -> LogCase:
    """A re-denunciation concerns the same denounced person as the original case, unless the
    officer records it again. Its sender is typed from the letter, never copied from the
    original: copying would hand whoever logs a re-denunciation of any late case the name of
    who wrote it (a red-team review did just that)."""
    if intake is None:
        return command
    if not (command.denouncer and command.denouncer.full_name.strip()):
        raise said(
            InvalidInput(
                "a re-denunciation names its sender, as the letter gives him: --denouncer-name "
                "(and his address or ID number); the earlier case's denouncer is not copied"
            ),
            "Đơn tố cáo tiếp phải ghi họ tên người tố cáo như trong đơn (kèm địa chỉ hoặc số "
            "CCCD); thông tin người tố cáo của vụ việc trước không được tự động sao chép",
        )
    changes: dict[str, Any] = {}
    if not (
        command.denounced_name.strip() or command.denounced_officer or command.denounced_agency
    ):
        changes.update(
            denounced_name=intake.denounced["denounced_name"] or "",
            denounced_officer=intake.denounced["denounced_officer"],
            denounced_agency=intake.denounced["denounced_agency"],
            denounced_email=command.denounced_email or intake.denounced["denounced_email"] or "",
        )
    return replace(command, **changes) if changes else command
