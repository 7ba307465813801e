"""The case aggregate: a case's state, facts and clocks, and the one place that decides a step.

`Case.step` is pure: given the case as read, an officer's request and the law it consults
(`Law`: the lifecycles with their `transitions` machines, the deadline rules, the calendar),
it returns the `Outcome` — the new state and attributes, the clocks as the step leaves them,
the notices to send and the events to record — or refuses, naming what is missing and the
triggers allowed now. Services load the case, ask it to step and save the outcome, in one
transaction (services/advance.py); the preview of what is allowed now (`Case.preview`) asks
the very same guard evaluation as the step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from casework.domain.calendar import WorkingCalendar
from casework.domain.case_events import CaseAdvanced, CaseEvent, CaseTakenUp
from casework.domain.clock_effects import CaseClock, ClockLedger, ClockSubject
from casework.domain.errors import (
    ConcurrentUpdate,
    InvalidInput,
    NotFound,
    TransitionRefused,
    said,
)
from casework.domain.facts import case_facts
from casework.domain.guards import GuardContext, Refusal, check_guards, in_vietnamese
from casework.domain.lifecycle import (
    ClockEffects,
    LifecycleDefinition,
    NoticeSpec,
    TransitionSpec,
)
from casework.domain.rules import RuleBook
from casework.domain.words_vi import vi_day


class StateMachine(Protocol):
    """The state machine of one kind of case (adapters/state_machine.py, on `transitions`)."""

    definition: LifecycleDefinition

    def fire(self, state: str, trigger: str) -> str: ...


@dataclass(frozen=True)
class Law:
    """What a step consults besides the case itself."""

    machines: Callable[[str], StateMachine]  # kind -> its state machine
    rules: RuleBook
    calendar: WorkingCalendar
    allow_late_extension: bool = False  # an extension decided after the due date (settings)

    def lifecycle(self, kind: str) -> LifecycleDefinition:
        return self.machines(kind).definition


@dataclass(frozen=True)
class LinkedCase:
    """Another case one of this case's attributes names (a takeover's lower case): what a
    step that takes a linked step on it needs to know."""

    ref: str
    kind: str
    state: str
    attributes: Mapping[str, Any]


@dataclass(frozen=True)
class StepNeeds:
    """What a step reads beyond the case and its active clocks, so the service reads no more
    than it must: the newest clock of each code (stopped ones too) and the cases attributes
    name."""

    history: bool = False
    linked: tuple[str, ...] = ()  # attributes naming cases


@dataclass(frozen=True)
class StepRequest:
    """An officer's decision: take `trigger`, as of `on` (today when None), with `data`.
    `internal` for a step only another step takes (a takeover's hand-over, a letter's
    classification); `expected_version` the version the officer saw, None not to check."""

    trigger: str
    data: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    actor: str | None = None
    on: date | None = None
    expected_version: int | None = None
    internal: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a step decided: the case as it leaves it, what to write and what to record."""

    case: Case
    spec: TransitionSpec
    from_state: str
    on: date
    data: Mapping[str, str]
    changes: Mapping[str, Any]  # the case's fields the step changes, by name
    clock_changes: tuple[CaseClock, ...]  # started (id None) or changed clocks
    events: tuple[CaseEvent, ...]

    @property
    def to_state(self) -> str:
        return self.case.state

    @property
    def notices(self) -> tuple[NoticeSpec, ...]:
        """The notices the law requires this step to send to the parties."""
        return self.spec.notices

    @property
    def took_up(self) -> str | None:
        """The officer the step made handler of an unassigned case, if any."""
        return next((e.officer for e in self.events if isinstance(e, CaseTakenUp)), None)


@dataclass(frozen=True)
class ClockOutcome:
    """What clock effects alone (a case's intake, a clock running out) did."""

    clocks: tuple[CaseClock, ...]  # every clock of the case the effects saw, as left
    clock_changes: tuple[CaseClock, ...]
    events: tuple[CaseEvent, ...]


def _validate_data(spec: TransitionSpec, data: Mapping[str, str], reason: str) -> dict[str, str]:
    known = {f.name: f for f in spec.fields}
    unknown = sorted(set(data) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise said(
            InvalidInput(f"{spec.trigger} does not take {', '.join(unknown)}; it takes: {allowed}"),
            "Bước này không nhận thông tin đã nhập thêm",
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
                raise said(
                    InvalidInput(
                        f"{spec.trigger} needs --set {name}=...: {field_spec.description}{choices}"
                    ),
                    f"Cần nhập: {field_spec.description_in('vi')}",
                )
            values.pop(name, None)
            continue
        if field_spec.choices and value not in field_spec.choices:
            raise said(
                InvalidInput(
                    f"{name}={value!r} is not allowed for {spec.trigger}; allowed: "
                    f"{', '.join(field_spec.choices)}"
                ),
                f"Lựa chọn không hợp lệ cho «{field_spec.description_in('vi')}»; chọn một trong: "
                + ", ".join(field_spec.label(c, "vi") for c in field_spec.choices),
            )
        values[name] = value
    return values


@dataclass(frozen=True)
class Case:
    """One case as a step sees it. `clocks` are its running and paused clocks; `history` the
    newest clock of each code, stopped ones too, when read (None when not); `linked` the cases
    its attributes name, when read."""

    id: int
    ref: str
    kind: str
    state: str
    agency: str
    version: int
    received_on: date
    last_event_on: date | None
    handler: str | None
    complexity: str
    attributes: Mapping[str, Any]
    forwarded_by: str | None = None
    clocks: tuple[CaseClock, ...] = ()
    history: Mapping[str, CaseClock] | None = None
    linked: Mapping[str, LinkedCase] = field(default_factory=dict)

    @property
    def facts(self) -> dict[str, bool]:
        """The yes/no facts definitions name (domain/facts.py)."""
        return case_facts(self.attributes, self.state, self.forwarded_by)

    def transition(self, trigger: str, law: Law) -> TransitionSpec:
        """The edge `trigger` takes from the case's state, or a refusal naming the allowed."""
        return law.lifecycle(self.kind).transition_for(trigger, self.state)

    def needs(self, specs: tuple[TransitionSpec, ...] | TransitionSpec) -> StepNeeds:
        """What the guards and clock effects of `specs` read beyond the active clocks."""
        specs = specs if isinstance(specs, tuple) else (specs,)
        history = any(
            spec.clocks.interval or any(g.startswith("clock_met") for g in spec.guards)
            for spec in specs
        )
        linked = tuple(
            dict.fromkeys(
                spec.linked.attribute
                for spec in specs
                if spec.linked is not None and self.attributes.get(spec.linked.attribute)
            )
        )
        return StepNeeds(history=history, linked=linked)

    def offered(self, law: Law) -> tuple[TransitionSpec, ...]:
        """The steps an officer may record by hand from the case's state."""
        return tuple(
            spec
            for spec in law.lifecycle(self.kind).transitions
            if self.state in spec.sources and not spec.internal
        )

    # --- guards: one evaluation for the preview and the step -------------------------------

    def guard_failures(
        self,
        spec: TransitionSpec,
        data: Mapping[str, str],
        on: date | None,
        actor: str | None,
        law: Law,
        previewing: bool = False,
    ) -> list[str]:
        """What stops `spec` on `on` with `data`, by `actor`; empty when nothing does. A
        preview (`previewing`, no data) asks whether some values of the fields would pass."""
        wants_history = any(g.startswith("clock_met") for g in spec.guards)
        if wants_history and self.history is None:
            raise RuntimeError(f"{spec.trigger}'s guards need the case's stopped clocks")
        latest = (self.history or {}) if wants_history else {}
        context = GuardContext(
            spec=spec,
            state=self.state,
            handler=self.handler,
            actor=actor,
            attributes=self.attributes,
            data=data,
            clocks=tuple(c.clock for c in self.clocks),
            complexity=self.complexity,
            on=on,
            due_dates={c.code: c.due for c in self.clocks},
            allow_late_extension=law.allow_late_extension,
            latest_clocks={code: c.clock for code, c in latest.items()},
            latest_due={code: c.due for code, c in latest.items()},
            previewing=previewing,
            vi_name=_vi_namer(law, self.kind),
        )
        failures = check_guards(context)
        linked = self._linked_refusal(spec, law)
        return [*failures, linked] if linked else failures

    def _linked_refusal(self, spec: TransitionSpec, law: Law) -> str | None:
        """Why the step a linked case takes with this one cannot follow (a case is handed
        over once), or None."""
        if spec.linked is None or not self.attributes.get(spec.linked.attribute):
            return None
        other = self.linked.get(spec.linked.attribute)
        if other is None:
            raise RuntimeError(f"{spec.trigger} needs the case {spec.linked.attribute} names")
        definition = law.lifecycle(other.kind)
        reached = {t.dest for t in definition.transitions if t.trigger == spec.linked.trigger}
        if other.state not in reached:
            return None
        by = other.attributes.get("taken_over_by")
        return Refusal(
            f"{other.ref} is already {other.state}" + (f" (by {by})" if by else ""),
            f"Hồ sơ {other.ref} đã ở trạng thái «{definition.states[other.state].legal_name}»",
        )

    def preview(
        self, law: Law, on: date, actor: str | None
    ) -> list[tuple[TransitionSpec, list[str]]]:
        """Each step an officer may record from the case's state, with what would stop it on
        `on` whatever values its fields are given (a preview: no data yet)."""
        return [
            (spec, self.guard_failures(spec, {}, on, actor, law, previewing=True))
            for spec in self.offered(law)
        ]

    # --- the step -------------------------------------------------------------------------

    def _event_date(self, on: date | None, today: date) -> date:
        event_on = on or today
        if event_on > today:
            raise said(
                InvalidInput(
                    f"event date {event_on.isoformat()} is in the future (today is "
                    f"{today.isoformat()})"
                ),
                f"Ngày thực hiện {vi_day(event_on)} ở tương lai (hôm nay là {vi_day(today)})",
            )
        if event_on < self.received_on:
            raise said(
                InvalidInput(
                    f"event date {event_on.isoformat()} is before the case was received "
                    f"({self.received_on.isoformat()})"
                ),
                f"Ngày thực hiện {vi_day(event_on)} trước ngày nhận đơn "
                f"({vi_day(self.received_on)})",
            )
        if self.last_event_on is not None and event_on < self.last_event_on:
            raise said(
                InvalidInput(
                    f"event date {event_on.isoformat()} is before the case's last recorded step "
                    f"({self.last_event_on.isoformat()}); steps are recorded in the order they "
                    "happened"
                ),
                f"Ngày thực hiện {vi_day(event_on)} trước ngày của bước gần nhất đã ghi "
                f"({vi_day(self.last_event_on)}): các bước được ghi theo đúng thứ tự đã diễn ra",
            )
        return event_on

    def check_version(self, expected: int | None) -> None:
        """Refuse (ConcurrentUpdate) if the case moved since the officer read it at version
        `expected` (None: not checked). Asked first: a step that no longer applies is
        reported as the case having changed, not as a refused trigger."""
        if expected is not None and expected != self.version:
            raise said(
                ConcurrentUpdate(
                    f"{self.ref} is at version {self.version}, not {expected}: someone changed "
                    "it since you read it; nothing was written — show it again and decide"
                ),
                f"Hồ sơ {self.ref} vừa được người khác cập nhật sau khi đồng chí mở ra; chưa có "
                "gì được ghi lại: mở lại hồ sơ và quyết định lại",
            )

    def step(self, request: StepRequest, law: Law, today: date) -> Outcome:
        """Decide `request` on this case as of `today`: the outcome, or a refusal
        (TransitionRefused naming the triggers allowed now, InvalidInput for bad values,
        ConcurrentUpdate if the case moved since the officer read it)."""
        self.check_version(request.expected_version)
        machine = law.machines(self.kind)
        definition = machine.definition
        spec = definition.transition_for(request.trigger, self.state)
        if spec.internal and not request.internal:
            linking = [
                t.trigger
                for t in definition.transitions
                if t.linked and t.linked.trigger == spec.trigger
            ]
            allowed = [t for t in definition.allowed_triggers(self.state) if t != spec.trigger]
            raise TransitionRefused(
                f"{spec.trigger} is not recorded by hand: it follows from "
                f"{' or '.join(linking)} on the linked case",
                definition.allowed_triggers(self.state),
                refused=spec.trigger,
                vi=f"Bước «{spec.title_in('vi')}» không ghi trực tiếp: hệ thống tự ghi khi "
                + " hoặc ".join(f"«{definition.title_of(t, 'vi')}»" for t in linking)
                + " ở hồ sơ liên quan. Các bước có thể thực hiện: "
                + (
                    "; ".join(definition.title_of(t, "vi") for t in allowed) or "không còn bước nào"
                ),
            )
        data = _validate_data(spec, request.data, request.reason)
        on = self._event_date(request.on, today)
        failures = self.guard_failures(spec, data, on, request.actor, law)
        if failures:
            raise TransitionRefused(
                f"{request.trigger} refused for {self.ref}: " + "; ".join(failures),
                definition.allowed_triggers(self.state),
                refused=request.trigger,
                vi="; ".join(in_vietnamese(f) for f in failures),
            )
        events: list[CaseEvent] = []
        changes: dict[str, Any] = {}
        if spec.assigns_actor and self.handler is None and request.actor:
            events.append(CaseTakenUp(actor=request.actor, officer=request.actor))
            changes["handler"] = request.actor
        to_state = machine.fire(self.state, request.trigger)
        attributes = dict(self.attributes)
        if "competent" in data:
            attributes["competent"] = data["competent"]
        for attribute, field_name in spec.sets_attributes.items():
            if field_name in data:
                if attribute == "complexity":
                    changes["complexity"] = data[field_name]
                else:
                    attributes[attribute] = data[field_name]
        attributes.update(spec.set_values)
        if attributes != self.attributes:
            changes["attributes"] = attributes
        # the clock rules read the case as the step leaves it: its new state and attributes
        ledger = ClockLedger(
            ClockSubject(
                self.ref,
                self.received_on,
                attributes,
                case_facts(attributes, to_state, self.forwarded_by),
            ),
            self.clocks,
            self.history,
            law.rules,
            law.calendar,
        )
        ledger.apply(
            spec.clocks,
            on,
            request.actor,
            request.reason or data.get("reasons") or data.get("grounds", ""),
            spec.trigger,
            data,
        )
        advanced = CaseAdvanced(
            actor=request.actor,
            trigger=spec.trigger,
            from_state=self.state,
            to_state=to_state,
            on=on,
            reason=request.reason,
            data=data,
            basis=spec.basis,
        )
        moved = Case(
            id=self.id,
            ref=self.ref,
            kind=self.kind,
            state=to_state,
            agency=self.agency,
            version=self.version + 1,
            received_on=self.received_on,
            last_event_on=on,
            handler=changes.get("handler", self.handler),
            complexity=changes.get("complexity", self.complexity),
            attributes=attributes,
            forwarded_by=self.forwarded_by,
            clocks=tuple(c for c in ledger.clocks if c.is_active),
            history=None if self.history is None else ledger.newest_of_each_code(),
            linked=self.linked,
        )
        return Outcome(
            case=moved,
            spec=spec,
            from_state=self.state,
            on=on,
            data=data,
            changes={"state": to_state, "last_event_on": on, **changes},
            clock_changes=ledger.changes(),
            events=(advanced, *events, *ledger.events),
        )

    def apply_clock_effects(
        self, effects: ClockEffects, on: date, actor: str | None, trigger: str, law: Law
    ) -> ClockOutcome:
        """Clock effects outside a step: a new case's `on_log`, a clock's `on_expiry`."""
        ledger = self._ledger(law)
        ledger.apply(effects, on, actor, "", trigger)
        return ClockOutcome(ledger.clocks, ledger.changes(), tuple(ledger.events))

    def _ledger(self, law: Law) -> ClockLedger:
        subject = ClockSubject(self.ref, self.received_on, self.attributes, self.facts)
        return ClockLedger(subject, self.clocks, self.history, law.rules, law.calendar)

    @property
    def running_clocks(self) -> tuple[tuple[str, date | None, str], ...]:
        """Code, due date and status of each clock that runs or waits."""
        return tuple((c.code, c.due, c.status.value) for c in self.clocks)


def _vi_namer(law: Law, kind: str) -> Callable[[str], str]:
    """A step's or a clock's Vietnamese title by its code (for a refusal's Vietnamese words),
    looked up only when a refusal names one."""

    def name(code: str) -> str:
        if code in law.lifecycle(kind).triggers:
            return law.lifecycle(kind).title_of(code, "vi")
        try:
            return law.rules.versions(code)[-1].title_in("vi")
        except (NotFound, IndexError):
            return code

    return name
