"""Apply a transition's clock effects (start, stop, pause, resume, extend) to a case's clocks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from casework.adapters import clock_rows
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore, StoredCase, StoredClock
from casework.domain.clocks import Clock, ClockStatus, Extension
from casework.domain.lifecycle import ClockEffects
from casework.services.app import Casework


def case_facts(case: StoredCase) -> dict[str, bool]:
    """Yes/no facts that a definition's `when:` can name."""
    return {
        "out_of_competence": str(case.attributes.get("competent", "yes")) == "no",
        "forwarded_by_authority": bool(case.forwarded_by),
        "anonymous": case.state == "intelligence",
    }


class ClockBook:
    """The running and paused clocks of one case during one transaction, with an audit event
    for each change."""

    def __init__(
        self, app: Casework, store: CaseStore, case: StoredCase, is_new: bool = False
    ) -> None:
        self.app = app
        self.store = store
        self.case = case
        self.clocks: list[StoredClock] = [] if is_new else store.active_clocks(case.id)
        self.events: list[AuditEvent] = []

    def domain_clocks(self) -> tuple[Clock, ...]:
        return tuple(clock_rows.to_domain(c, self.app.rules) for c in self.clocks)

    def _active(self, code: str) -> StoredClock | None:
        return next((c for c in self.clocks if c.code == code and c.status != "stopped"), None)

    def _change(
        self,
        stored: StoredClock,
        clock: Clock,
        action: str,
        actor: str | None,
        extra: Mapping[str, object],
    ) -> None:
        computed = clock_rows.write_back(
            stored, clock, self.app.calendar, self.app.definitions.escalation
        )
        self.store.save_clock(stored)
        self.events.append(
            AuditEvent(
                action=f"clock.{action}",
                actor=actor,
                case_ref=self.case.ref,
                payload={
                    "clock": stored.code,
                    "rule_version": stored.rule_version,
                    "calendar_version": stored.calendar_version,
                    "due": computed.due.isoformat() if computed.due else None,
                    "basis": clock.rule.basis,
                    **extra,
                },
            )
        )

    def apply(
        self, effects: ClockEffects, on: date, actor: str | None, reason: str, trigger: str
    ) -> None:
        happened = {"on": on.isoformat(), "by": trigger}
        for code in effects.stop:
            stored = self._active(code)
            if stored is not None:
                clock = clock_rows.to_domain(stored, self.app.rules).stopped(on)
                self._change(stored, clock, "stopped", actor, happened)
        for code in effects.pause:
            stored = self._active(code)
            if stored is not None and stored.status == ClockStatus.RUNNING.value:
                clock = clock_rows.to_domain(stored, self.app.rules).paused(on, reason or trigger)
                self._change(stored, clock, "paused", actor, happened)
        for code in effects.resume:
            stored = self._active(code)
            if stored is not None and stored.status == ClockStatus.PAUSED.value:
                clock = clock_rows.to_domain(stored, self.app.rules).resumed(on)
                self._change(stored, clock, "resumed", actor, happened)
        for code in effects.extend:
            stored = self._active(code)
            if stored is not None:
                domain = clock_rows.to_domain(stored, self.app.rules)
                allowance = domain.rule.extension
                assert allowance is not None  # the extension_allowed guard checked it
                clock = domain.extended(Extension(on, allowance.days, reason or trigger))
                self._change(
                    stored,
                    clock,
                    "extended",
                    actor,
                    {**happened, "days": allowance.days, "reason": reason},
                )
        facts = case_facts(self.case)
        for start in effects.start:
            if start.when and not facts.get(start.when, False):
                continue
            if start.unless and facts.get(start.unless, False):
                continue
            start_on = self.case.received_on if start.anchor == "receipt" else on
            self.start(start.code, start_on, actor, trigger)

    def start(self, code: str, start_on: date, actor: str | None, trigger: str) -> StoredClock:
        previous = self._active(code)
        if previous is not None:  # a new decision supersedes the one whose clock still runs
            clock = clock_rows.to_domain(previous, self.app.rules).stopped(start_on)
            self._change(
                previous, clock, "superseded", actor, {"on": start_on.isoformat(), "by": trigger}
            )
        rule = self.app.rules.in_force(code, start_on)
        stored = clock_rows.new_clock(
            self.case.id,
            Clock(rule=rule, start_on=start_on),
            self.app.calendar,
            self.app.definitions.escalation,
        )
        self.store.save_clock(stored)
        self.clocks.append(stored)
        self.events.append(
            AuditEvent(
                action="clock.started",
                actor=actor,
                case_ref=self.case.ref,
                payload={
                    "clock": code,
                    "rule_version": rule.version,
                    "calendar_version": stored.calendar_version,
                    "start_on": start_on.isoformat(),
                    "due": stored.due.isoformat() if stored.due else None,
                    "basis": rule.basis,
                    "by": trigger,
                },
            )
        )
        return stored
