"""Advance a case by a trigger: validate, check guards, move state, apply clock effects, record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.tables import CaseRow, TransitionRow
from casework.domain.errors import ConcurrentUpdate, InvalidInput, TransitionRefused
from casework.domain.guards import GuardContext, check_guards
from casework.domain.lifecycle import TransitionSpec
from casework.services.app import Casework, legal_date
from casework.services.assignment import assign_handler
from casework.services.clock_effects import ClockBook
from casework.services.lookup import load_case


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


def _event_date(session: Session, case: CaseRow, on: date | None, today: date) -> date:
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
    last = session.exec(
        select(col(TransitionRow.occurred_on))
        .where(TransitionRow.case_id == case.id)
        .order_by(col(TransitionRow.id).desc())
        .limit(1)
    ).first()
    if last is not None and event_on < last:
        raise InvalidInput(
            f"event date {event_on.isoformat()} is before the case's last recorded step "
            f"({last.isoformat()}); steps are recorded in the order they happened"
        )
    return event_on


def advance_case(app: Casework, command: AdvanceCase, now: datetime) -> Advanced:
    """Apply a trigger in one transaction, or refuse and write nothing."""
    with app.transaction() as session:
        case = load_case(session, command.ref)
        if command.expected_version is not None and command.expected_version != case.version:
            raise ConcurrentUpdate(
                f"{case.ref} is at version {case.version}, not {command.expected_version}: someone "
                "changed it since you read it; nothing was written — show it again and decide"
            )
        machine = app.machine(case.kind)
        spec = machine.definition.transition_for(command.trigger, case.state)
        data = _validate_data(spec, command.data, command.reason)
        org = app.organisation(session)
        if command.actor:
            org.officer(command.actor)
        on = _event_date(session, case, command.on, legal_date(now))
        book = ClockBook(app, session, case)
        context = GuardContext(
            spec=spec,
            state=case.state,
            handler=case.handler,
            actor=command.actor,
            attributes=case.attributes,
            data=data,
            clocks=book.domain_clocks(),
            complexity=case.complexity,
        )
        failures = check_guards(context)
        if failures:
            raise TransitionRefused(
                f"{command.trigger} refused for {case.ref}: " + "; ".join(failures),
                machine.definition.allowed_triggers(case.state),
            )
        events: list[AuditEvent] = []
        if spec.trigger == "triage" and case.handler is None and command.actor:
            events.extend(
                assign_handler(session, org, case, command.actor, command.actor, "took up the case")
            )
        from_state = case.state
        case.state = machine.fire(case.state, command.trigger)
        attributes = dict(case.attributes)
        if "competent" in data:
            attributes["competent"] = data["competent"]
        for attribute, field_name in spec.sets_attributes.items():
            if field_name in data:
                if attribute == "complexity":
                    case.complexity = data[field_name]
                else:
                    attributes[attribute] = data[field_name]
        case.attributes = attributes
        book.apply(
            spec.clocks, on, command.actor, command.reason or data.get("reasons", ""), spec.trigger
        )
        session.add(case)
        session.add(
            TransitionRow(
                case_id=case.id or 0,
                trigger=spec.trigger,
                from_state=from_state,
                to_state=case.state,
                occurred_on=on,
                recorded_at=now.astimezone(UTC),
                actor=command.actor,
                reason=command.reason,
                data=data,
                basis=spec.basis,
            )
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
                    "to": case.state,
                    "on": on.isoformat(),
                    "reason": command.reason,
                    "data": data,
                    "basis": spec.basis,
                },
            ),
        )
        events.extend(book.events)
        audit_log.append(session, events, now)
        return Advanced(case.ref, spec.trigger, from_state, case.state, on)
