"""The notices the law sends to the parties of a case: acceptance (Mẫu 05), the content notice
to the denounced (Mẫu 06), non-acceptance, forwarding, extension, suspension, continuation,
termination and the conclusion.

A lifecycle transition declares its notices (`notices:` in `state_machines/<kind>.yaml`); this
module builds their outbox rows inside the transition's transaction. Two rules hold here:

- **The denounced person never learns who denounced them** (LTC Arts. 8(3), 56). Their notice's
  data is built from case facts that hold no identity, then searched for every part of the
  identity (`casework.domain.confidentiality`); a hit refuses the whole transition.
- **No copy of the denouncer's identity goes into the outbox in clear.** A notice to the
  denouncer is built from the texts as typed (a summary or a reason may name him) and sealed
  whole in the case's vault (`sealed_context`); delivery opens it, and looks up his name and
  address, only when it sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore, StoredCase
from casework.adapters.identity_vault import Sender
from casework.adapters.notice_templates import NoticeRenderer
from casework.adapters.outbox_store import notice_stub
from casework.adapters.party_store import parties_of_case
from casework.adapters.unit_of_work import Transaction
from casework.domain.access import Principal
from casework.domain.citations import cite_vi
from casework.domain.confidentiality import (
    IdentityDisclosure,
    ensure_no_identity,
    is_withheld,
    withheld,
)
from casework.domain.errors import said
from casework.domain.lifecycle import FieldSpec, NoticeSpec, TransitionSpec
from casework.domain.organisation import Organisation
from casework.domain.parties import PartyKind, PartyRole
from casework.resources import notifications_dir
from casework.services.app import Casework
from casework.services.case_access import access_to
from casework.services.notices import outbox_row

CONTENT_FOR_DENOUNCED = "content_for_denounced"
"""Case attribute: the denounced content as it may be told to the denounced person (Mẫu 06)."""


@dataclass(frozen=True)
class Decision:
    """The decision a notice communicates: a recorded trigger with its date and fields."""

    trigger: str
    title: str
    on: date
    basis: str
    data: dict[str, str]


@dataclass(frozen=True)
class Addressee:
    """Where a notice to a party goes; `email` empty means a printed letter."""

    party: str
    name: str
    email: str
    officer: str | None = None


def _decisions_since_last_send(
    app: Casework,
    connection: Transaction,
    case: StoredCase,
    spec: TransitionSpec,
    sender: Sender | None,
) -> list[Decision]:
    """Every decision among the notices' `about` triggers recorded since this "send" step was
    last applied, oldest first: a suspension then a termination are both sent, in order."""
    about = {n.about for n in spec.notices if n.about}
    if not about:
        return []
    rows = CaseStore(connection).steps_of(case.id, {*about, spec.trigger})
    decisions: list[Decision] = []
    for row in rows[:-1]:  # the last row is this very step
        if row.trigger == spec.trigger:
            decisions.clear()  # already sent by an earlier send step
            continue
        lifecycle = app.definitions.lifecycle(case.kind)
        title = lifecycle.transition_for(row.trigger, row.from_state).title
        data = dict(row.data or {})
        if row.sealed and sender is not None:  # the fields as typed: the notices check them
            data = dict(sender.case_key.open("step", row.sealed)["data"])
        decisions.append(Decision(row.trigger, title, row.occurred_on, row.basis, data))
    return decisions


def _clock_context(
    app: Casework, connection: Transaction, case_id: int, codes: tuple[str, ...]
) -> dict[str, Any] | None:
    """The newest clock of the first listed code the case has, as the notice states it."""
    for code in codes:
        row = CaseStore(connection).newest_clock(case_id, code)
        if row is None:
            continue
        rule = app.rules.version(code, row.rule_version)
        return {
            "code": code,
            "title": rule.title_in(app.settings.notice_language),
            "basis": rule.basis,
            "started_on": row.start_on.isoformat(),
            "due": row.due.isoformat() if row.due else None,
            "status": row.status,
            "stopped_on": row.stopped_on.isoformat() if row.stopped_on else None,
            "extensions": len(row.extensions or []),
        }
    return None


def _denounced_addressee(org: Organisation, case_row: Any, on: date) -> Addressee:
    if case_row.denounced_officer and case_row.denounced_officer in org.officers:
        officer = org.officers[case_row.denounced_officer]
        return Addressee("denounced", officer.name, officer.email, officer.code)
    if case_row.denounced_name:
        return Addressee("denounced", case_row.denounced_name, case_row.denounced_email)
    agency = org.agencies.get(case_row.denounced_agency or "")
    if agency is not None:
        head = org.head_of(agency.code, on)
        return Addressee(
            "denounced",
            agency.name,
            head.email if head else "",
            head.code if head else None,
        )
    return Addressee("denounced", "", case_row.denounced_email)


def _denounced_addressees(
    connection: Transaction, org: Organisation, case_row: Any, on: date
) -> list[Addressee]:
    """Everyone a notice to "the denounced" goes to: the first party as the case records it,
    then each further party a denunciation names (an officer at his address, an agency through
    its head, a person by a printed letter: reception records no address for him)."""
    addressees = [_denounced_addressee(org, case_row, on)]
    rows = [
        row
        for row in parties_of_case(connection, case_row.id)
        if row.role == PartyRole.DENOUNCED.value
    ]
    for row in rows[1:]:
        officer = org.officers.get(row.officer or "")
        agency = org.agencies.get(row.agency or "") if row.kind == PartyKind.AGENCY else None
        if officer is not None:
            addressees.append(Addressee("denounced", officer.name, officer.email, officer.code))
        elif agency is not None:
            head = org.head_of(agency.code, on)
            addressees.append(
                Addressee(
                    "denounced",
                    agency.name,
                    head.email if head else "",
                    head.code if head else None,
                )
            )
        else:
            addressees.append(Addressee("denounced", row.name, ""))
    return addressees


def party_notice_rows(
    app: Casework,
    connection: Transaction,
    case: StoredCase,
    spec: TransitionSpec,
    data: dict[str, str],
    on: date,
    transition_id: int,
    org: Organisation,
    now: datetime,
    sender: Sender | None,
    actor: str | None = None,
) -> tuple[list[dict[str, Any]], list[AuditEvent]]:
    """The outbox rows (and their audit events) of the notices `spec` sends to the parties.

    `sender` is the case's, opened (None: anonymous). Raises IdentityDisclosure, before
    anything is written, if a notice to the denounced
    person would contain any part of the denouncer's identity; the message names the part only
    if `actor` may see the identity.
    """
    if not spec.notices:
        return [], []
    current = Decision(spec.trigger, spec.title, on, spec.basis, dict(data))
    chosen: list[tuple[NoticeSpec, Decision]] = [
        (notice, current) for notice in spec.notices if notice.about is None
    ]
    for decision in _decisions_since_last_send(app, connection, case, spec, sender):
        chosen.extend((n, decision) for n in spec.notices if n.about == decision.trigger)
    if not chosen:
        return [], []
    renderer = NoticeRenderer(notifications_dir())
    # the refusal names the identity's parts only to who may see them (domain/visibility.py)
    acting = org.officers.get(actor or "")
    may_name = (
        acting is not None
        and access_to(org, connection, Principal.of_officer(acting), case, on).identity
    )
    case_row = CaseStore(connection).case_row(case.id)
    identity = sender.identity if sender is not None else None
    # the summary as reception typed it: told to the denouncer, and searched before the
    # denounced is told anything of it
    summary = (sender.summary() if sender is not None else None) or case_row.summary
    agency = org.agencies.get(case.agency)
    head = org.head_of(case.agency, on)
    content = data.get("content") or case.attributes.get(CONTENT_FOR_DENOUNCED) or ""
    # the facts reception typed, as typed where they were stored withheld (a contested
    # decision naming the complainant's household): the notice is then sealed below
    typed = sender.typed_attributes() if sender is not None else {}
    attributes = {
        key: typed[key] if is_withheld(value) and key in typed else value
        for key, value in case.attributes.items()
    }
    base_case = {
        "ref": case.ref,
        "kind": case.kind,
        "received_on": case.received_on.isoformat(),
        "agency_name": agency.name if agency else case.agency,
        "denounced_name": case_row.denounced_name or _agency_name(org, case_row.denounced_agency),
        # complaints: the contested decision, and whether this is the second instance
        "contested_decision": str(attributes.get("contested_decision", "")),
        "second_instance": attributes.get("second_instance") == "yes",
        # a re-denunciation: the earlier case it concerns (or "")
        "redenunciation_of": str(attributes.get("redenunciation_of", "")),
    }
    settings = app.settings
    denounced = _denounced_addressees(connection, org, case_row, on)
    rows: list[dict[str, Any]] = []
    events: list[AuditEvent] = []
    for notice, decision in chosen:
        for party, number, addressee in _recipients(notice.to, identity, denounced):
            told_content = summary if party == "denouncer" else content or summary
            context: dict[str, Any] = {
                "notice": {"code": notice.notice, "basis": notice.basis},
                "recipient": {"party": party, "name": addressee.name},
                "case": {**base_case, "content": told_content},
                "decision": {
                    "trigger": decision.trigger,
                    "title": decision.title,
                    "on": decision.on.isoformat(),
                    "basis": decision.basis,
                    "data": decision.data,
                },
                "clock": _clock_context(app, connection, case.id, notice.clocks),
                "sent_on": on.isoformat(),
                "signed_by": {"name": head.name, "title": head.title} if head else None,
                "link": f"{settings.public_url.rstrip('/')}/cases/{case.ref}",
            }
            if party == "denounced":
                _ensure_confidential(context, identity, notice, spec, may_name)
            # render now: a template fault refuses the step instead of killing the notice later
            renderer.render(notice.notice, settings.notice_language, _placeholder(context))
            # the first party's key as before any case named several: a retry stays one message
            key = f"party:{case.id}:{transition_id}:{notice.notice}:{party}" + (
                f":{number}" if number > 1 else ""
            )
            # a notice to the sender is sealed whole; so is any other that names him (the
            # respondent of a complaint is told the decision he took, naming its household)
            sealed = ""
            if sender is not None and (
                party == "denouncer" or withheld(context, sender.identity) is not None
            ):
                sealed = sender.case_key.seal("notice", context)
                context = notice_stub(case.ref, party)
            row = outbox_row(
                app,
                key,
                notice.notice,
                addressee.officer,
                addressee.email,
                context,
                now,
                case_id=case.id,
            )
            row["recipient_party"] = party
            row["sealed_context"] = sealed
            rows.append(row)
            events.append(
                AuditEvent(
                    action="notice.queued",
                    actor=None,
                    case_ref=case.ref,
                    payload={
                        "template": notice.notice,
                        "to": party,
                        "about": decision.trigger,
                        "message_id": row["message_id"],
                        "basis": notice.basis,
                    },
                )
            )
    return rows, events


def _recipients(
    parties: Iterable[str], identity: dict[str, str] | None, denounced: list[Addressee]
) -> Iterator[tuple[str, int, Addressee]]:
    """(party, its number, addressee) for each recipient of a notice sent to `parties`."""
    for party in parties:
        if party == "denouncer":
            if identity is not None:  # anonymous: there is nobody to tell (LTC Art. 25)
                yield party, 1, Addressee("denouncer", "", "")
        else:
            for number, addressee in enumerate(denounced, start=1):
                yield party, number, addressee


def _agency_name(org: Organisation, code: str | None) -> str:
    agency = org.agencies.get(code or "")
    return agency.name if agency else (code or "")


def _placeholder(context: dict[str, Any]) -> dict[str, Any]:
    """The context as delivery will render it, with a stand-in for the denouncer's address."""
    if context["recipient"]["party"] != "denouncer":
        return context
    recipient = {**context["recipient"], "name": "…", "address": "…"}
    return {**context, "recipient": recipient}


def _field_vi(spec_field: FieldSpec) -> str:
    """A step's field as a refusal names it: its Vietnamese description, without the notes
    after it ("Nội dung tố cáo thông báo cho người bị tố cáo (Mẫu 06; …)")."""
    return "«" + re.split(r" \(|; ", spec_field.description_in("vi"), maxsplit=1)[0] + "»"


def _ensure_confidential(
    context: dict[str, Any],
    identity: dict[str, str] | None,
    notice: NoticeSpec,
    spec: TransitionSpec,
    may_name: bool,
) -> None:
    """Search what officers typed (the content, the decision's fields) for the identity.
    Names casework adds from the organisation (officials, agencies) are not searched."""
    content_field = next((f for f in spec.fields if f.name == "content"), None)
    content_hint = (
        "Give the content as the denounced person may read it: --set content=..."
        if content_field is not None
        else "To reword the content for the denounced person, send the acceptance notices "
        "with --set content=... first; later notices reuse it"
    )
    content_vi = (
        _field_vi(content_field)
        if content_field is not None
        # the content reworded when the acceptance was notified, else the case's summary
        else "nội dung thông báo cho người bị tố cáo, bị khiếu nại"
    )
    content_hint_vi = (
        f"Ghi nội dung mà người bị tố cáo, bị khiếu nại được biết vào ô {content_vi}"
        if content_field is not None
        else "Để viết lại nội dung cho người bị tố cáo, bị khiếu nại, cần thực hiện trước bước "
        "thông báo việc thụ lý với nội dung đã viết lại; các thông báo sau dùng lại nội dung đó"
    )
    # what the officer typed, as his form named it
    places_vi = {
        "case.content": content_vi,
        "decision.data": "thông tin đã nhập cho bước",
        **{f"decision.data.{f.name}": _field_vi(f) for f in spec.fields},
    }
    free_text = {
        "case": {"content": context["case"]["content"]},
        "decision": {"data": context["decision"]["data"]},
    }
    # a text stored withheld named the sender when it was typed
    if is_withheld(free_text["case"]["content"]) or any(
        is_withheld(value) for value in free_text["decision"]["data"].values()
    ):
        raise said(
            IdentityDisclosure(
                f"the notice {notice.notice} would tell the denounced person a text that names "
                "the denouncer; nothing was written. Reword that text without it (LTC Arts. "
                f"8(3), 56). {content_hint}"
            ),
            "Thông báo gửi người bị tố cáo, bị khiếu nại sẽ nêu một nội dung có thông tin người "
            "gửi đơn; chưa có gì được ghi lại. Đề nghị viết lại nội dung đó, không nêu thông tin "
            f"người gửi đơn ({cite_vi('LTC Arts. 8(3), 56')}). {content_hint_vi}",
        )
    ensure_no_identity(
        free_text,
        identity,
        f"the notice {notice.notice}",
        advice={"case.content": content_hint},
        may_name_fields=may_name,
        places_vi=places_vi,
        advice_vi={"case.content": content_hint_vi},
    )
