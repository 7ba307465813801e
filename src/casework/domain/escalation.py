"""The escalation ladder (state_machines/escalation.yaml): when each step fires relative to a due date, and to whom."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from casework.domain.calendar import WorkingCalendar, add_working_days
from casework.domain.errors import ConfigurationError

NO_LADDER = "none"
"""The ladder of a clock that is nobody's duty (a window the law leaves to the parties, such
as the 30 days to lodge a second complaint): no alerts, no overdue listing."""


class RecipientRole(StrEnum):
    """Posts in the organisation that an escalation step can address."""

    HANDLER = "handler"
    UNIT_HEAD = "unit_head"  # head of the handling unit
    RESOLVER_HEAD = "resolver_head"  # head of the agency that must resolve the case
    INSPECTORATE = "inspectorate"  # head of the same-level inspectorate
    SUPERIOR_HEAD = "superior_head"  # head of the direct superior agency


@dataclass(frozen=True)
class LadderStep:
    """One rung: fires `offset` working days from the due date (negative = before)."""

    code: str
    offset: int
    recipients: tuple[RecipientRole, ...]
    title: str

    def fires_on(self, calendar: WorkingCalendar, due: date) -> date:
        return add_working_days(calendar, due, self.offset) if self.offset else due


@dataclass(frozen=True)
class Ladder:
    """An ordered list of steps."""

    name: str
    steps: tuple[LadderStep, ...]

    def __post_init__(self) -> None:
        offsets = [s.offset for s in self.steps]
        if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
            raise ConfigurationError(f"ladder {self.name}: steps must have strictly rising offsets")

    def next_step_on(self, calendar: WorkingCalendar, due: date, from_index: int) -> date | None:
        """When step `from_index` fires for `due`, or None once the ladder is exhausted."""
        if from_index >= len(self.steps):
            return None
        return self.steps[from_index].fires_on(calendar, due)


@dataclass(frozen=True)
class EscalationPolicy:
    """Which ladder each clock climbs; `default` unless the clock's rule names another."""

    ladders: Mapping[str, Ladder]

    def ladder(self, name: str) -> Ladder:
        try:
            return self.ladders[name]
        except KeyError:
            raise ConfigurationError(
                f"escalation ladder {name!r} is not defined; defined: {', '.join(self.ladders)}"
            ) from None

    @staticmethod
    def build(ladders: Sequence[Ladder]) -> EscalationPolicy:
        if "default" not in {ladder.name for ladder in ladders}:
            raise ConfigurationError("the escalation policy needs a ladder named 'default'")
        return EscalationPolicy({ladder.name: ladder for ladder in ladders})


def merged_recipients(
    newest_first: Iterable[Sequence[Mapping[str, str]]],
) -> list[dict[str, str]]:
    """The recipients of one alert raised through several ladder steps: the newest step's
    first, then each earlier step's, every officer once (as his newest step names him)."""
    merged: list[dict[str, str]] = []
    seen: set[str] = set()
    for recipients in newest_first:
        for recipient in recipients:
            if recipient["officer"] not in seen:
                seen.add(recipient["officer"])
                merged.append(dict(recipient))
    return merged
