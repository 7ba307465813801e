"""Apply a transition's clock effects (start, stop, pause, resume, extend) to a case's clocks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlmodel import Session, col, select

from casework.adapters import clock_rows
from casework.adapters.audit_log import AuditEvent
from casework.adapters.tables import CaseRow, ClockRow
from casework.domain.clocks import Clock, ClockStatus, Extension
from casework.domain.lifecycle import ClockEffects
from casework.services.app import Casework


def case_facts(case: CaseRow) -> dict[str, bool]:
    """Yes/no facts that a definition's `when:` can name."""
    return {
        "out_of_competence": str(case.attributes.get("competent", "yes")) == "no",
        "forwarded_by_authority": bool(case.forwarded_by),
    }


def active_clock_rows(session: Session, case_id: int) -> list[ClockRow]:
    return list(
        session.exec(
            select(ClockRow).where(ClockRow.case_id == case_id, ClockRow.status != "stopped")
        ).all()
    )


def all_clock_rows(session: Session, case_id: int) -> list[ClockRow]:
    return list(
        session.exec(
            select(ClockRow).where(ClockRow.case_id == case_id).order_by(col(ClockRow.id))
        ).all()
    )


class ClockBook:
    """The clocks of one case during one transaction, with an audit event per change."""

    def __init__(self, app: Casework, session: Session, case: CaseRow) -> None:
        assert case.id is not None
        self.app = app
        self.session = session
        self.case = case
        self.rows = active_clock_rows(session, case.id)
        self.events: list[AuditEvent] = []

    def domain_clocks(self) -> tuple[Clock, ...]:
        return tuple(clock_rows.to_domain(r, self.app.rules) for r in self.rows)

    def _active(self, code: str) -> ClockRow | None:
        return next((r for r in self.rows if r.code == code and r.status != "stopped"), None)

    def _change(
        self,
        row: ClockRow,
        clock: Clock,
        action: str,
        actor: str | None,
        extra: Mapping[str, object],
    ) -> None:
        computed = clock_rows.write_back(
            row, clock, self.app.calendar, self.app.definitions.escalation
        )
        self.session.add(row)
        self.events.append(
            AuditEvent(
                action=f"clock.{action}",
                actor=actor,
                case_ref=self.case.ref,
                payload={
                    "clock": row.code,
                    "rule_version": row.rule_version,
                    "calendar_version": row.calendar_version,
                    "due": computed.due.isoformat() if computed.due else None,
                    "basis": clock.rule.basis,
                    **extra,
                },
            )
        )

    def apply(
        self, effects: ClockEffects, on: date, actor: str | None, reason: str, trigger: str
    ) -> None:
        for code in effects.stop:
            row = self._active(code)
            if row is not None:
                clock = clock_rows.to_domain(row, self.app.rules).stopped(on)
                self._change(row, clock, "stopped", actor, {"on": on.isoformat(), "by": trigger})
        for code in effects.pause:
            row = self._active(code)
            if row is not None and row.status == ClockStatus.RUNNING.value:
                clock = clock_rows.to_domain(row, self.app.rules).paused(on, reason or trigger)
                self._change(row, clock, "paused", actor, {"on": on.isoformat(), "by": trigger})
        for code in effects.resume:
            row = self._active(code)
            if row is not None and row.status == ClockStatus.PAUSED.value:
                clock = clock_rows.to_domain(row, self.app.rules).resumed(on)
                self._change(row, clock, "resumed", actor, {"on": on.isoformat(), "by": trigger})
        for code in effects.extend:
            row = self._active(code)
            if row is not None:
                domain = clock_rows.to_domain(row, self.app.rules)
                allowance = domain.rule.extension
                assert allowance is not None  # the extension_allowed guard checked it
                clock = domain.extended(Extension(on, allowance.days, reason or trigger))
                self._change(
                    row,
                    clock,
                    "extended",
                    actor,
                    {"on": on.isoformat(), "days": allowance.days, "reason": reason},
                )
        facts = case_facts(self.case)
        for start in effects.start:
            if start.when and not facts.get(start.when, False):
                continue
            start_on = self.case.received_on if start.anchor == "receipt" else on
            self.start(start.code, start_on, actor, trigger)

    def start(self, code: str, start_on: date, actor: str | None, trigger: str) -> ClockRow:
        previous = self._active(code)
        if previous is not None:  # a new decision supersedes the one whose clock still runs
            clock = clock_rows.to_domain(previous, self.app.rules).stopped(start_on)
            self._change(
                previous, clock, "superseded", actor, {"on": start_on.isoformat(), "by": trigger}
            )
        rule = self.app.rules.in_force(code, start_on)
        assert self.case.id is not None
        row = clock_rows.new_row(
            self.case.id,
            Clock(rule=rule, start_on=start_on),
            self.app.calendar,
            self.app.definitions.escalation,
        )
        self.session.add(row)
        self.rows.append(row)
        self.events.append(
            AuditEvent(
                action="clock.started",
                actor=actor,
                case_ref=self.case.ref,
                payload={
                    "clock": code,
                    "rule_version": rule.version,
                    "calendar_version": row.calendar_version,
                    "start_on": start_on.isoformat(),
                    "due": row.due.isoformat() if row.due else None,
                    "basis": rule.basis,
                    "by": trigger,
                },
            )
        )
        return row
