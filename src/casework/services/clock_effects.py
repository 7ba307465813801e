"""Apply a transition's clock effects (start, stop, pause, resume, extend) to a case's clocks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from casework.adapters import clock_rows
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore, StoredCase, StoredClock
from casework.domain.clocks import Clock, ClockStatus, Extension
from casework.domain.errors import InvalidInput
from casework.domain.lifecycle import ClockEffects
from casework.services.app import Casework


def attribute_facts(attributes: Mapping[str, Any]) -> dict[str, bool]:
    """The facts the case's attributes alone give: every attribute set to "yes" (e.g.
    remote_area, disciplinary), plus the instance of a complaint and the ground of a
    re-denunciation."""
    ground = attributes.get("redenunciation")
    return {
        **{name: value in ("yes", True) for name, value in attributes.items()},
        "out_of_competence": str(attributes.get("competent", "yes")) == "no",
        "second_instance": attributes.get("second_instance") == "yes",
        "first_instance": attributes.get("second_instance") != "yes",
        "redenunciation": bool(ground),
        "redenunciation_unlawful": ground == "unlawful",
        "redenunciation_late": ground == "late",
    }


def case_facts(case: StoredCase) -> dict[str, bool]:
    """Yes/no facts that a definition's `when:` and a rule's variants can name: the
    attributes' facts, plus those the case's state and origin give."""
    return {
        **attribute_facts(case.attributes),
        "forwarded_by_authority": bool(case.forwarded_by),
        "anonymous": case.state == "intelligence",
    }


def _date_field(data: Mapping[str, str], name: str) -> date:
    value = data.get(name, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--set {name}= needs a date as YYYY-MM-DD, got {value!r}") from None


class ClockBook:
    """The running and paused clocks of one case during one transaction, with an audit event
    for each change."""

    def __init__(
        self,
        app: Casework,
        store: CaseStore,
        case: StoredCase,
        is_new: bool = False,
        clocks: list[StoredClock] | None = None,
    ) -> None:
        """`clocks`: the case's active clocks if the caller already read them."""
        self.app = app
        self.store = store
        self.case = case
        if clocks is None:
            clocks = [] if is_new else store.active_clocks(case.id)
        self.clocks: list[StoredClock] = clocks
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
        self,
        effects: ClockEffects,
        on: date,
        actor: str | None,
        reason: str,
        trigger: str,
        data: Mapping[str, str] | None = None,
    ) -> None:
        data = data or {}
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
            if start.unless and any(facts.get(f, False) for f in start.unless.split("|")):
                continue
            start_on = self._anchor_date(start.anchor, on)
            if start_on is None:
                continue  # the date it counts from is not recorded: nothing to count
            if self._not_yet_law(start.code, start_on, actor, trigger):
                continue
            stored = self.start(start.code, start_on, actor, trigger)
            if start.stopped_at == "receipt":
                clock = clock_rows.to_domain(stored, self.app.rules).stopped(self.case.received_on)
                self._change(
                    stored,
                    clock,
                    "stopped",
                    actor,
                    {"on": self.case.received_on.isoformat(), "by": "receipt"},
                )
        for code in effects.interval:
            self._add_interval(code, data, actor, trigger)

    def _not_yet_law(self, code: str, start_on: date, actor: str | None, trigger: str) -> bool:
        """True (and audited) when every version of `code` came into force after `start_on`:
        the duty did not exist yet (e.g. a 3-working-day notice of a complaint's termination,
        required from 2026-07-01), so no clock starts."""
        versions = self.app.rules.versions(code)
        if not all(rule.effective_from > start_on for rule in versions):
            return False
        self.events.append(
            AuditEvent(
                action="clock.not_applicable",
                actor=actor,
                case_ref=self.case.ref,
                payload={
                    "clock": code,
                    "on": start_on.isoformat(),
                    "by": trigger,
                    "reason": f"no version of {code} was in force on {start_on.isoformat()}; "
                    f"the first one applies from {versions[0].effective_from.isoformat()}",
                },
            )
        )
        return True

    def _anchor_date(self, anchor: str, on: date) -> date | None:
        if anchor == "receipt":
            return self.case.received_on
        if anchor.startswith("attribute:"):
            value = self.case.attributes.get(anchor.removeprefix("attribute:"))
            return date.fromisoformat(str(value)) if value else None
        return on

    def _add_interval(
        self, code: str, data: Mapping[str, str], actor: str | None, trigger: str
    ) -> None:
        stored = self.store.latest_clocks(self.case.id).get(code)
        if stored is None:
            raise InvalidInput(
                f"the case has no {code} clock to record the interval on (is the date it "
                "counts from recorded?)"
            )
        asked, end = _date_field(data, "from"), _date_field(data, "to")
        last = stored.stopped_on or date.max
        # the start date is day 0, outside the period (Civil Code Art. 147): only the days of
        # the interval inside the period are not counted, so one that began on or before it is
        # clipped to the period's first day, not refused, and adds nothing for the days before
        first_day = stored.start_on + timedelta(days=1)
        start = max(asked, first_day)
        ends = stored.stopped_on.isoformat() if stored.stopped_on else "now"
        if end < asked:
            raise InvalidInput(
                f"the interval {asked.isoformat()} – {end.isoformat()} ends before it begins"
            )
        if end < first_day:
            raise InvalidInput(
                f"no day of the interval {asked.isoformat()} – {end.isoformat()} lies within "
                f"the {code} period, which runs {first_day.isoformat()} – {ends} (day 1 is the "
                f"day after {stored.start_on.isoformat()}): there is nothing to leave uncounted"
            )
        if end > last:
            raise InvalidInput(
                f"the interval {asked.isoformat()} – {end.isoformat()} must end within the "
                f"{code} period, {first_day.isoformat()} – {ends}"
            )
        reason = data.get("reasons", trigger)
        current = clock_rows.to_domain(stored, self.app.rules)
        for pause in current.pauses:
            last_day = (pause.resumed_on or date.max) - timedelta(days=1)
            if start <= last_day and pause.paused_on <= end:  # days counted once, never twice
                raise InvalidInput(
                    f"the interval {start.isoformat()} – {end.isoformat()} overlaps one already "
                    f"recorded on {code}, {pause.paused_on.isoformat()} – {last_day.isoformat()} "
                    f"({pause.reason}); record only the days not yet counted"
                )
        clock = current.with_interval(start, end, reason)
        self._change(
            stored,
            clock,
            "interval",
            actor,
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "reason": reason,
                "by": trigger,
                **({"asked_from": asked.isoformat()} if asked != start else {}),
            },
        )

    def start(self, code: str, start_on: date, actor: str | None, trigger: str) -> StoredClock:
        previous = self._active(code)
        if previous is not None:  # a new decision supersedes the one whose clock still runs
            clock = clock_rows.to_domain(previous, self.app.rules).stopped(start_on)
            self._change(
                previous, clock, "superseded", actor, {"on": start_on.isoformat(), "by": trigger}
            )
        rule = self.app.rules.in_force(code, start_on, case_facts(self.case))
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
