"""Named guards of the lifecycle definitions. Each returns None when satisfied, or a message
that says what is missing. Definitions refer to them by name (`guards: [has_handler]`);
`clock_running:<code>` is a guard with an argument."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.domain.clocks import Clock, ClockStatus
from casework.domain.errors import ConfigurationError
from casework.domain.lifecycle import TransitionSpec


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at: the case as it is, and what the officer is asking for."""

    spec: TransitionSpec
    state: str
    handler: str | None
    actor: str | None
    attributes: Mapping[str, Any]
    data: Mapping[str, str]
    clocks: tuple[Clock, ...] = field(default_factory=tuple)
    complexity: str = "ordinary"
    on: date | None = None  # the date of the decision being recorded
    due_dates: Mapping[str, date | None] = field(default_factory=dict)  # of the active clocks
    allow_late_extension: bool = False

    def active_clock(self, code: str) -> Clock | None:
        return next(
            (
                c
                for c in self.clocks
                if c.code == code and c.stored_status is not ClockStatus.STOPPED
            ),
            None,
        )


Guard = Callable[[GuardContext, str], str | None]


def has_handler(ctx: GuardContext, _arg: str) -> str | None:
    if ctx.handler or ctx.actor:
        return None
    return "no handler: assign one first (`case assign REF OFFICER`) or act with --by OFFICER"


def is_within_competence(ctx: GuardContext, _arg: str) -> str | None:
    if str(ctx.attributes.get("competent", "yes")) == "no":
        return (
            "the case was recorded as outside this agency's competence at triage: "
            "forward it to the competent agency instead (LTC Art. 24(2))"
        )
    return None


def extension_allowed(ctx: GuardContext, _arg: str) -> str | None:
    complexity = ctx.data.get("complexity") or ctx.complexity
    for code in ctx.spec.clocks.extend:
        clock = ctx.active_clock(code)
        if clock is None:
            return f"clock {code} is not running, so it cannot be extended"
        allowance = clock.rule.extension
        if allowance is None:
            return f"rule {code} allows no extension"
        due = ctx.due_dates.get(code)
        if not ctx.allow_late_extension and ctx.on and due and ctx.on > due:
            return (
                f"{code} expired on {due.isoformat()}: an extension must be decided before the "
                f"period runs out, not on {ctx.on.isoformat()} ({allowance.basis}; set "
                "CASEWORK_ALLOW_LATE_EXTENSION=true if your agency reads the law otherwise)"
            )
        allowed = allowance.allowed_count(complexity)
        if len(clock.extensions) >= allowed:
            if allowed == 0:
                return (
                    f"{code} can be extended only for a complex or especially complex case "
                    f"({allowance.basis}); give --set complexity=complex|especially_complex "
                    "with the criteria met as --set reasons=..."
                )
            return (
                f"{code} was already extended {len(clock.extensions)} time(s); a {complexity} "
                f"case allows {allowed} ({allowance.basis})"
            )
    return None


def withdrawal_not_overridden(ctx: GuardContext, _arg: str) -> str | None:
    if ctx.data.get("grounds") == "withdrawal" and ctx.data.get("override", "none") != "none":
        return (
            f"the withdrawal falls under LTC Art. 33(3) ({ctx.data['override']}): "
            "the denunciation must still be resolved and cannot be terminated"
        )
    return None


def clock_running(ctx: GuardContext, code: str) -> str | None:
    if ctx.active_clock(code) is None:
        return f"clock {code} is not running on this case (already done or never started)"
    return None


def clock_ticking(ctx: GuardContext, code: str) -> str | None:
    clock = ctx.active_clock(code)
    if clock is None or clock.stored_status is not ClockStatus.RUNNING:
        why = (
            "not running"
            if clock is None
            else f"paused since {clock.open_pause.paused_on if clock.open_pause else '?'}"
        )
        return f"clock {code} is {why}: finish the current pause first"
    return None


def clock_paused(ctx: GuardContext, code: str) -> str | None:
    clock = ctx.active_clock(code)
    if clock is None or clock.stored_status is not ClockStatus.PAUSED:
        return f"clock {code} is not paused: nothing to resume"
    return None


def no_running_clocks(ctx: GuardContext, _arg: str) -> str | None:
    running = sorted(c.code for c in ctx.clocks if c.stored_status is not ClockStatus.STOPPED)
    if running:
        return "duties still open on clocks " + ", ".join(running) + ": record them first"
    return None


GUARDS: Mapping[str, Guard] = {
    "has_handler": has_handler,
    "is_within_competence": is_within_competence,
    "extension_allowed": extension_allowed,
    "withdrawal_not_overridden": withdrawal_not_overridden,
    "clock_running": clock_running,
    "clock_ticking": clock_ticking,
    "clock_paused": clock_paused,
    "no_running_clocks": no_running_clocks,
}


def check_guards(ctx: GuardContext) -> list[str]:
    """Every failed guard's message, in the order the definition lists them."""
    failures = []
    for name in ctx.spec.guards:
        base, _, arg = name.partition(":")
        guard = GUARDS.get(base)
        if guard is None:
            raise ConfigurationError(
                f"guard {base!r} used by trigger {ctx.spec.trigger!r} is unknown; "
                f"known guards: {', '.join(sorted(GUARDS))}"
            )
        message = guard(ctx, arg)
        if message:
            failures.append(message)
    return failures


def known_guard_names() -> set[str]:
    return set(GUARDS)
