"""Advance a case by a trigger: validate, check guards, move state, apply clock effects, record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.bulk import insert_ignoring_duplicates
from casework.adapters.case_store import CaseStore, StoredCase, canonical_ref
from casework.domain.confidentiality import IdentityDisclosure
from casework.domain.errors import ConcurrentUpdate, InvalidInput, TransitionRefused
from casework.domain.free_text import SUMMARY, check_date, check_text
from casework.domain.lifecycle import TransitionSpec
from casework.services.app import Casework, legal_date
from casework.services.assignment import assignment_event, check_actor
from casework.services.clock_effects import ClockBook
from casework.services.delivery import OUTBOX
from casework.services.guard_checks import GuardReader
from casework.services.party_notices import party_notice_rows


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


def _validate_data(spec: TransitionSpec, data: Mapping[str, str], reason: str) -> dict[str, str]:
    known = {f.name: f for f in spec.fields}
    unknown = sorted(set(data) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise InvalidInput(
            f"{spec.trigger} does not take {', '.join(unknown)}; it takes: {allowed}"
        )
    values = dict(data)
    for name, field_spec in known.items():
        if name == "reasons" and name not in values and reason:
            values[name] = reason  # --reason doubles as the legal 'reasons' field
        value = values.get(name, "").strip()
        if not value:
            if field_spec.required:
                choices = (
                    f" (one of: {', '.join(field_spec.choices)})" if field_spec.choices else ""
                )
                raise InvalidInput(
                    f"{spec.trigger} needs --set {name}=...: {field_spec.description}{choices}"
                )
            values.pop(name, None)
            continue
        if field_spec.choices and value not in field_spec.choices:
            raise InvalidInput(
                f"{name}={value!r} is not allowed for {spec.trigger}; allowed: "
                f"{', '.join(field_spec.choices)}"
            )
        values[name] = value
    return values


def _event_date(case: StoredCase, on: date | None, today: date) -> date:
    event_on = on or today
    if event_on > today:
        raise InvalidInput(
            f"event date {event_on.isoformat()} is in the future (today is {today.isoformat()})"
        )
    if event_on < case.received_on:
        raise InvalidInput(
            f"event date {event_on.isoformat()} is before the case was received "
            f"({case.received_on.isoformat()})"
        )
    if case.last_event_on is not None and event_on < case.last_event_on:
        raise InvalidInput(
            f"event date {event_on.isoformat()} is before the case's last recorded step "
            f"({case.last_event_on.isoformat()}); steps are recorded in the order they happened"
        )
    return event_on


def advance_case(app: Casework, command: AdvanceCase, now: datetime) -> Advanced:
    """Apply a trigger in one transaction, or refuse and write nothing.

    A refusal because a notice would reveal the denouncer is itself recorded on the audit
    trail (who tried, on which case): repeated attempts could be guesses at the identity.
    """
    check_text("the reason", command.reason, SUMMARY, multiline=True)
    for key, value in command.data.items():
        check_text(f"--set {key}", value, SUMMARY, multiline=True)
    if command.on is not None:
        check_date("the date of the step", command.on)
    try:
        return _advance(app, command, now)
    except IdentityDisclosure:
        with app.transaction() as connection:
            audit_log.append(
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
    connection: Connection,
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
    # the step's guards refused it if the linked case had already moved (guard_checks.py)
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
    audit_log.append(
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


def apply_step(
    app: Casework,
    connection: Connection,
    command: AdvanceCase,
    now: datetime,
    internal: bool = False,
) -> tuple[Advanced, TransitionSpec, StoredCase]:
    """One case's step inside the caller's transaction (`advance_case` opens its own);
    `internal` for a step that only another step takes (a takeover's hand-over, a letter's
    classification)."""
    store = CaseStore(connection)
    case, organisation_stamp, active_clocks = store.get_for_step(command.ref)
    if command.expected_version is not None and command.expected_version != case.version:
        raise ConcurrentUpdate(
            f"{case.ref} is at version {case.version}, not {command.expected_version}: someone "
            "changed it since you read it; nothing was written — show it again and decide"
        )
    machine = app.machine(case.kind)
    spec = machine.definition.transition_for(command.trigger, case.state)
    if spec.internal and not internal:
        linking = [
            t.trigger
            for t in machine.definition.transitions
            if t.linked and t.linked.trigger == spec.trigger
        ]
        raise TransitionRefused(
            f"{spec.trigger} is not recorded by hand: it follows from {' or '.join(linking)} "
            "on the linked case",
            machine.definition.allowed_triggers(case.state),
            refused=spec.trigger,
        )
    data = _validate_data(spec, command.data, command.reason)
    org = app.organisation(connection, organisation_stamp)
    if command.actor:
        check_actor(connection, org, case, command.actor)
    on = _event_date(case, command.on, legal_date(now))
    book = ClockBook(app, store, case, clocks=active_clocks)
    failures = GuardReader(app, store, case, book.clocks).failures(spec, data, on, command.actor)
    if failures:
        raise TransitionRefused(
            f"{command.trigger} refused for {case.ref}: " + "; ".join(failures),
            machine.definition.allowed_triggers(case.state),
            refused=command.trigger,
        )
    events: list[AuditEvent] = []
    changes: dict[str, Any] = {}
    if spec.assigns_actor and case.handler is None and command.actor:
        # check_actor above already found the actor not excluded from the case
        events.append(assignment_event(org, case, command.actor, command.actor, "took up the case"))
        changes["handler"] = command.actor
    from_state = case.state
    to_state = machine.fire(case.state, command.trigger)
    attributes = dict(case.attributes)
    if "competent" in data:
        attributes["competent"] = data["competent"]
    for attribute, field_name in spec.sets_attributes.items():
        if field_name in data:
            if attribute == "complexity":
                changes["complexity"] = data[field_name]
            else:
                attributes[attribute] = data[field_name]
    attributes.update(spec.set_values)
    if attributes != case.attributes:
        changes["attributes"] = attributes
    transition_id = store.update_case_recording(
        case,
        {"state": to_state, "last_event_on": on, **changes},
        {
            "case_id": case.id,
            "trigger": spec.trigger,
            "from_state": from_state,
            "to_state": to_state,
            "occurred_on": on,
            "recorded_at": now.astimezone(UTC),
            "actor": command.actor,
            "reason": command.reason,
            "data": data,
            "basis": spec.basis,
        },
    )
    book.apply(  # after the case's new state and attributes: the clock rules read them
        spec.clocks,
        on,
        command.actor,
        command.reason or data.get("reasons") or data.get("grounds", ""),
        spec.trigger,
        data,
    )
    events.insert(
        0,
        AuditEvent(
            action="case.advanced",
            actor=command.actor,
            case_ref=case.ref,
            payload={
                "trigger": spec.trigger,
                "from": from_state,
                "to": to_state,
                "on": on.isoformat(),
                "reason": command.reason,
                "data": data,
                "basis": spec.basis,
            },
        ),
    )
    events.extend(book.events)
    notices, notice_events = party_notice_rows(
        app, connection, case, spec, data, on, transition_id, org, now, command.actor
    )
    insert_ignoring_duplicates(connection, OUTBOX, notices)
    events.extend(notice_events)
    audit_log.append(connection, events, now)
    clocks = tuple((c.code, c.due, c.status) for c in book.clocks if c.status != "stopped")
    return Advanced(case.ref, spec.trigger, from_state, to_state, on, clocks), spec, case
