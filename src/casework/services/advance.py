"""Advance a case by a trigger: validate, check guards, move state, apply clock effects, record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from casework.adapters import outbox_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_steps import SealedStep
from casework.adapters.case_store import CaseStore, StoredCase, as_reference, canonical_ref
from casework.adapters.identity_vault import Sender
from casework.adapters.unit_of_work import Transaction
from casework.domain.access import Principal
from casework.domain.case import Outcome, StepRequest
from casework.domain.case_events import CaseTakenUp
from casework.domain.confidentiality import IdentityDisclosure
from casework.domain.errors import InvalidInput, said
from casework.domain.facts import TYPED_CASE_LINKS
from casework.domain.free_text import SUMMARY, check_date, check_text
from casework.domain.lifecycle import TransitionSpec
from casework.domain.organisation import Organisation
from casework.domain.visibility import case_access
from casework.services.app import Casework, legal_date
from casework.services.assignment import assignment_event, check_actor
from casework.services.case_access import facts_by_ref
from casework.services.case_events import audit_event
from casework.services.party_notices import party_notice_rows
from casework.services.sealing import append_audit, sealed_texts, sender_of


@dataclass(frozen=True)
class AdvanceCase:
    """An officer's decision: apply `trigger` to case `ref` as of `on`."""

    ref: str
    trigger: str
    on: date | None = None
    actor: str | None = None
    reason: str = ""
    data: Mapping[str, str] = field(default_factory=dict)
    expected_version: int | None = None  # the version the officer saw; None = do not check


@dataclass(frozen=True)
class Advanced:
    ref: str
    trigger: str
    from_state: str
    to_state: str
    on: date
    # the case's clocks that still run (or wait) after the step: code, due date, status
    clocks: tuple[tuple[str, date | None, str], ...] = ()
    kind: str = ""  # the case's kind, whose lifecycle names the trigger and the states


def advance_case(app: Casework, command: AdvanceCase, now: datetime) -> Advanced:
    """Apply a trigger in one transaction, or refuse and write nothing.

    A refusal because a notice would reveal the denouncer is itself recorded on the audit
    trail (who tried, on which case): repeated attempts could be guesses at the identity.
    """
    check_text("the reason", command.reason, SUMMARY, multiline=True, label_vi="Lý do")
    for key, value in command.data.items():
        check_text(
            f"--set {key}", value, SUMMARY, multiline=True, label_vi="Thông tin nhập cho bước"
        )
    if command.on is not None:
        check_date("the date of the step", command.on, label_vi="Ngày thực hiện bước")
    try:
        return _advance(app, command, now)
    except IdentityDisclosure:
        with app.transaction() as connection:
            append_audit(
                app,
                connection,
                [
                    AuditEvent(
                        action="identity.disclosure_refused",
                        actor=command.actor,
                        # as stored, so the case's trail finds it however it was typed
                        case_ref=canonical_ref(command.ref),
                        payload={"trigger": command.trigger, "basis": "LTC Arts. 8(3), 56"},
                    )
                ],
                now,
            )
        raise


def _advance(app: Casework, command: AdvanceCase, now: datetime) -> Advanced:
    with app.transaction() as connection:
        result, spec, case = apply_step(app, connection, command, now)
        if spec.linked is not None:
            _take_linked_step(app, connection, case, spec, result, now)
        return result


def _take_linked_step(
    app: Casework,
    connection: Transaction,
    case: StoredCase,
    spec: TransitionSpec,
    result: Advanced,
    now: datetime,
) -> None:
    """The step `spec` takes on the case its attribute names, in the same transaction: it is
    taken if that case allows it, else only the link is recorded on both audit trails."""
    assert spec.linked is not None
    other_ref = str(case.attributes.get(spec.linked.attribute) or "")
    if not other_ref:
        return
    # the step's guards refused it if the linked case had already moved (Case.guard_failures)
    other = CaseStore(connection).get(other_ref)
    definition = app.machine(other.kind).definition
    allowed = definition.allowed_triggers(other.state, include_internal=True)
    if spec.linked.trigger in allowed:
        apply_step(
            app,
            connection,
            AdvanceCase(
                ref=other.ref,
                trigger=spec.linked.trigger,
                on=result.on,
                reason=f"{spec.trigger} by {case.ref}",
                data={"by_case": case.ref},
            ),
            now,
            internal=True,
        )
        return
    append_audit(
        app,
        connection,
        [
            AuditEvent(
                action="case.link_recorded",
                actor=None,
                case_ref=other.ref,
                payload={
                    "by_case": case.ref,
                    "by_trigger": spec.trigger,
                    "not_taken": spec.linked.trigger,
                    "why": f"{other.ref} is {other.state}, where {spec.linked.trigger} does not apply",
                },
            )
        ],
        now,
    )


def _checked_links(
    connection: Transaction,
    org: Organisation,
    spec: TransitionSpec,
    command: AdvanceCase,
    now: datetime,
) -> Mapping[str, str]:
    """`command.data` with each field that records a link to another case (a letter filed as a
    duplicate of one) checked and written as stored: a case that does not exist, or that
    does not exist for the acting officer, is refused alike (domain/visibility.py)."""
    linking = {
        field for attribute, field in spec.sets_attributes.items() if attribute in TYPED_CASE_LINKS
    }
    data = dict(command.data)
    described = {f.name: f.description_in("vi") for f in spec.fields}
    for name in sorted(linking & set(data)):
        typed = data[name].strip()
        if not typed:
            continue
        missing = said(
            InvalidInput(
                f"{name}: no case {typed!r}; give the reference of a case you can see, like "
                "TC-2026-000123"
            ),
            f"«{described.get(name) or 'Số hồ sơ'}»: không có hồ sơ số «{typed}» mà đồng chí "
            "được xem; ghi số hồ sơ theo dạng TC-2026-000123",
        )
        ref = as_reference(typed)
        facts = facts_by_ref(connection, [ref]) if ref else {}
        if ref is None or ref not in facts:
            raise missing
        officer = org.officers.get(command.actor or "")
        viewer = Principal.of_officer(officer) if officer else None
        if viewer is not None and not case_access(org, viewer, facts[ref], legal_date(now)).exists:
            raise missing
        data[name] = ref
    return data


def _sealed_step(sender: Sender | None, reason: str, outcome: Outcome) -> SealedStep | None:
    """The step's texts as stored when they name the case's sender (services/sealing.py)."""
    if sender is None or not (reason.strip() or outcome.data):
        return None
    original = {
        "reason": reason,
        "data": dict(outcome.data),
        "attributes": dict(outcome.changes.get("attributes") or {}),
    }
    stored, token = sealed_texts(sender, original, "step")
    if not token:
        return None
    return SealedStep(stored["reason"], stored["data"], stored["attributes"], token)


def apply_step(
    app: Casework,
    connection: Transaction,
    command: AdvanceCase,
    now: datetime,
    internal: bool = False,
) -> tuple[Advanced, TransitionSpec, StoredCase]:
    """One case's step inside the caller's transaction (`advance_case` opens its own): load
    the case, check who acts, let the case decide (`Case.step`), save the outcome once.
    `internal` for a step that only another step takes (a takeover's hand-over, a letter's
    classification)."""
    law = app.law
    steps = app.case_steps(connection)
    case, organisation_stamp = steps.load(command.ref)
    case.check_version(command.expected_version)
    spec = case.transition(command.trigger, law)
    case = steps.complete(case, case.needs(spec))
    org = app.organisation(connection, organisation_stamp)
    record = steps.record(case)
    if command.actor:
        check_actor(connection, org, record, command.actor)
    # a link typed by an officer names a case he can see (steps the engine takes link alone)
    data = command.data if internal else _checked_links(connection, org, spec, command, now)
    outcome = case.step(
        StepRequest(
            trigger=command.trigger,
            data=data,
            reason=command.reason,
            actor=command.actor,
            on=command.on,
            expected_version=command.expected_version,
            internal=internal,
        ),
        law,
        legal_date(now),
    )
    events = [
        # check_actor above already found the actor not excluded from the case
        assignment_event(org, record, event.officer, event.actor, "took up the case")
        if isinstance(event, CaseTakenUp)
        else audit_event(event, case.ref)
        for event in outcome.events
    ]
    # the sender, opened once: the step's texts, its notices and its audit entries are
    # searched for him (services/sealing.py). A step that typed nothing and tells nobody
    # has nothing that could name him, and opens nothing.
    typed = bool(command.reason.strip() or outcome.data or outcome.spec.notices)
    sender = sender_of(app, connection, record.id) if typed else None
    sealed = _sealed_step(sender, command.reason, outcome)
    transition_id = steps.save(outcome, command.actor, command.reason, now, sealed)
    notices, notice_events = party_notice_rows(
        app,
        connection,
        record,
        outcome.spec,
        dict(outcome.data),
        outcome.on,
        transition_id,
        org,
        now,
        sender,
        command.actor,
    )
    outbox_store.queue(connection, notices)
    events.extend(notice_events)
    append_audit(app, connection, events, now, {record.ref: sender})
    result = Advanced(
        case.ref,
        outcome.spec.trigger,
        outcome.from_state,
        outcome.to_state,
        outcome.on,
        outcome.case.running_clocks,
        case.kind,
    )
    return result, outcome.spec, record
