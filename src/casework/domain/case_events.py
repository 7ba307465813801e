"""What a step of a case did, as typed events: the service turns each into one audit-trail
entry (`action` and `payload()` are the entry's), in the order the step produced them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, kw_only=True)
class CaseEvent(ABC):
    """Something a step did to one case; `actor` is the officer it is recorded for (None for
    the engine itself). Each kind of event names its audit action and builds its payload."""

    actor: str | None

    @property
    @abstractmethod
    def action(self) -> str:
        """The audit entry's action, e.g. `case.advanced`."""

    @abstractmethod
    def payload(self) -> dict[str, Any]:
        """The audit entry's payload, JSON-ready."""


@dataclass(frozen=True, kw_only=True)
class CaseAdvanced(CaseEvent):
    """The case took `trigger` on `on`, from one state to another (or the same)."""

    trigger: str
    from_state: str
    to_state: str
    on: date
    reason: str
    data: Mapping[str, str]
    basis: str

    @property
    def action(self) -> str:
        return "case.advanced"

    def payload(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "from": self.from_state,
            "to": self.to_state,
            "on": self.on.isoformat(),
            "reason": self.reason,
            "data": dict(self.data),
            "basis": self.basis,
        }


@dataclass(frozen=True, kw_only=True)
class CaseTakenUp(CaseEvent):
    """The acting officer became the handler of an unassigned case by taking a step that
    assigns its actor (`assigns_actor:`). Its audit entry is the assignment's, which needs
    the organisation (services/assignment.py)."""

    officer: str

    @property
    def action(self) -> str:
        return "case.assigned"

    def payload(self) -> dict[str, Any]:
        return {"handler": self.officer, "reason": "took up the case"}


@dataclass(frozen=True, kw_only=True)
class ClockStarted(CaseEvent):
    """A legal clock started counting from `start_on` under one version of its rule."""

    clock: str
    rule_version: str
    calendar_version: str
    start_on: date
    due: date | None
    basis: str
    by: str

    @property
    def action(self) -> str:
        return "clock.started"

    def payload(self) -> dict[str, Any]:
        return {
            "clock": self.clock,
            "rule_version": self.rule_version,
            "calendar_version": self.calendar_version,
            "start_on": self.start_on.isoformat(),
            "due": self.due.isoformat() if self.due else None,
            "basis": self.basis,
            "by": self.by,
        }


@dataclass(frozen=True, kw_only=True)
class ClockChanged(CaseEvent):
    """A running or paused clock was stopped, superseded, paused, resumed, extended or given
    an interval not counted (`change`); `details` say on which day, by which step, why."""

    change: str
    clock: str
    rule_version: str
    calendar_version: str
    due: date | None
    basis: str
    details: Mapping[str, object] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return f"clock.{self.change}"

    def payload(self) -> dict[str, Any]:
        return {
            "clock": self.clock,
            "rule_version": self.rule_version,
            "calendar_version": self.calendar_version,
            "due": self.due.isoformat() if self.due else None,
            "basis": self.basis,
            **self.details,
        }


@dataclass(frozen=True, kw_only=True)
class ClockNotApplicable(CaseEvent):
    """A clock the step would start, but no version of its rule was in force on the day it
    would count from: the duty did not exist yet."""

    clock: str
    on: date
    by: str
    first_in_force: date

    @property
    def action(self) -> str:
        return "clock.not_applicable"

    def payload(self) -> dict[str, Any]:
        return {
            "clock": self.clock,
            "on": self.on.isoformat(),
            "by": self.by,
            "reason": f"no version of {self.clock} was in force on {self.on.isoformat()}; "
            f"the first one applies from {self.first_in_force.isoformat()}",
        }
