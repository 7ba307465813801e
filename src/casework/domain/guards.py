"""Named guards of the lifecycle definitions. Each returns None when satisfied, or a message
that says what is missing. Definitions refer to them by name (`guards: [has_handler]`);
`clock_running:<code>` is a guard with an argument."""

from __future__ import annotations

import difflib
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
    # the newest clock of each code, stopped ones too, and its stored due date
    latest_clocks: Mapping[str, Clock] = field(default_factory=dict)
    latest_due: Mapping[str, date | None] = field(default_factory=dict)
    # a preview (what is allowed now): the officer has given no field yet, so a guard on a
    # field's value passes as long as some value would
    previewing: bool = False

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
    if ctx.handler or ctx.actor or ctx.previewing:  # a preview: whoever acts takes it up
        return None
    return "no handler: assign one first (`case assign REF OFFICER`) or act with --by OFFICER"


def is_within_competence(ctx: GuardContext, _arg: str) -> str | None:
    if str(ctx.attributes.get("competent", "yes")) == "no":
        return (
            "the case was recorded as outside this agency's competence: forward it, or guide "
            "the sender, to the competent agency instead (LTC Art. 24(2); LTCD Art. 26)"
        )
    return None


def extension_allowed(ctx: GuardContext, _arg: str) -> str | None:
    complexity = ctx.data.get("complexity") or ctx.complexity
    listed = ctx.spec.clocks.extend
    running = [code for code in listed if ctx.active_clock(code) is not None]
    if not running:
        return f"clock {' or '.join(listed)} is not running, so it cannot be extended"
    for code in running:
        clock = ctx.active_clock(code)
        assert clock is not None
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
        if ctx.previewing:
            # nothing given yet: as the step allows with the most the field may declare
            declarable = [c for f in ctx.spec.fields if f.name == "complexity" for c in f.choices]
            allowed = max([allowed, *(allowance.allowed_count(c) for c in declarable)])
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


def _first_active(ctx: GuardContext, codes: str) -> Clock | None:
    """The first active clock among `a|b` (the first- or second-instance clock, say)."""
    return next(
        (c for c in (ctx.active_clock(code) for code in codes.split("|")) if c is not None),
        None,
    )


def clock_running(ctx: GuardContext, code: str) -> str | None:
    if _first_active(ctx, code) is None:
        return (
            f"clock {code.replace('|', ' or ')} is not running on this case (already done or "
            "never started)"
        )
    return None


def clock_ticking(ctx: GuardContext, code: str) -> str | None:
    clock = _first_active(ctx, code)
    if clock is None or clock.stored_status is not ClockStatus.RUNNING:
        why = (
            "not running"
            if clock is None
            else f"paused since {clock.open_pause.paused_on if clock.open_pause else '?'}"
        )
        return f"clock {code} is {why}: finish the current pause first"
    return None


def clock_paused(ctx: GuardContext, code: str) -> str | None:
    clock = _first_active(ctx, code)
    if clock is None or clock.stored_status is not ClockStatus.PAUSED:
        return f"clock {code} is not paused: nothing to resume"
    return None


def duty_done(ctx: GuardContext, arg: str) -> str | None:
    """`duty_done:CODE:TRIGGER`: the duty of clock CODE is done (its clock is not running);
    otherwise TRIGGER, which does it, comes first. Keeps notices in the order of decisions."""
    code, _, trigger = arg.partition(":")
    if ctx.active_clock(code) is not None:
        return f"{code} is still open: record {trigger} first, so the parties hear of the decisions in order"
    return None


def recorded(ctx: GuardContext, arg: str) -> str | None:
    """`recorded:ATTRIBUTE:TRIGGER[:STATE]`: the case records ATTRIBUTE (set by TRIGGER) —
    when leaving STATE only, if given — e.g. the inspection an anonymous denunciation was used
    for, before its file is closed."""
    attribute, _, rest = arg.partition(":")
    trigger, _, state = rest.partition(":")
    if state and ctx.state != state:
        return None
    if not str(ctx.attributes.get(attribute) or "").strip():
        return f"the case does not record {attribute.replace('_', ' ')} yet: record {trigger} first"
    return None


def reached(ctx: GuardContext, attribute: str) -> str | None:
    """`reached:ATTRIBUTE`: the step is recorded on or after the date the case records in
    ATTRIBUTE (a dialogue is held on the day it was called for, not before)."""
    value = str(ctx.attributes.get(attribute) or "")
    if not value or ctx.on is None:
        return None
    if ctx.on < _iso(value, attribute):
        return (
            f"the case records {attribute.replace('_', ' ')} {value}: this step is recorded on "
            "or after that day"
        )
    return None


def field_when(ctx: GuardContext, arg: str) -> str | None:
    """`field_when:FIELD:OTHER=VALUE`: FIELD is required when OTHER is VALUE (a duplicate
    names the case it repeats)."""
    wanted, _, condition = arg.partition(":")
    other, _, value = condition.partition("=")
    if ctx.data.get(other) == value and not ctx.data.get(wanted, "").strip():
        return f"{other}={value} needs --set {wanted}=…"
    return None


def no_running_clocks(ctx: GuardContext, _arg: str) -> str | None:
    running = sorted(c.code for c in ctx.clocks if c.stored_status is not ClockStatus.STOPPED)
    if running:
        return "duties still open on clocks " + ", ".join(running) + ": record them first"
    return None


def _iso(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(f"{what} needs a date as YYYY-MM-DD, got {value!r}") from None


def in_force_from(ctx: GuardContext, day: str) -> str | None:
    """The step exists in law only for events from `day` (e.g. suspension of a complaint's
    resolution from 2026-07-01; transitional rules apply it to cases accepted earlier)."""
    start = _iso(day, "in_force_from")
    if ctx.on is not None and ctx.on < start:
        return (
            f"{ctx.spec.trigger} exists in law only from {start.isoformat()} ({ctx.spec.basis}); "
            f"this step is dated {ctx.on.isoformat()}"
        )
    return None


def clock_met(ctx: GuardContext, code: str) -> str | None:
    """The newest `code` clock ended on or before its due date (e.g. a complaint lodged within
    the limitation period). Passes when the case has no such clock (the date it counts from
    is unknown)."""
    clock = ctx.latest_clocks.get(code)
    if clock is None or clock.stopped_on is None:
        return None
    due = ctx.latest_due.get(code)
    if due is not None and clock.stopped_on > due:
        return (
            f"{clock.rule.title_in('en')} ended on {due.isoformat()} but the case arrived on "
            f"{clock.stopped_on.isoformat()} ({clock.rule.basis}): record an objective obstacle "
            "that prevented it in time (`record_obstacle --set from=… --set to=… --set "
            "reasons=…`), or refuse the case with that ground"
        )
    return None


def clock_elapsed(ctx: GuardContext, code: str) -> str | None:
    """The running `code` clock's period has run out (e.g. a decision takes effect once the
    30 days after its issuance have passed)."""
    due = ctx.due_dates.get(code)
    if ctx.active_clock(code) is None or due is None:
        return f"clock {code} is not running on this case"
    if ctx.on is not None and ctx.on <= due:
        return f"{code} runs until {due.isoformat()}: this step can be recorded from the day after"
    return None


def dialogue_notice(ctx: GuardContext, arg: str) -> str | None:
    """A dialogue is announced at least N days ahead for steps from a date (ND155: 5 days from
    2026-07-01; before, only a written notice): `dialogue_notice:5:2026-07-01`."""
    days_text, _, from_text = arg.partition(":")
    held_text = ctx.data.get("dialogue_on", "")
    if not held_text and ctx.previewing:
        return None  # not given yet: the step requires the field itself
    try:
        held = date.fromisoformat(held_text)
    except ValueError:
        return f"dialogue_on must be a date as YYYY-MM-DD, got {held_text!r}"
    if ctx.on is not None and held < ctx.on:
        return f"dialogue_on {held.isoformat()} is before the invitation ({ctx.on.isoformat()})"
    days = int(days_text)
    if (
        ctx.on is not None
        and ctx.on >= _iso(from_text, "dialogue_notice")
        and ((held - ctx.on).days < days)
    ):
        return (
            f"the participants must be invited at least {days} days before the dialogue "
            f"({ctx.spec.basis}): invited {ctx.on.isoformat()}, dialogue {held.isoformat()}"
        )
    return None


def no_show_allowed(ctx: GuardContext, day: str) -> str | None:
    """A complainant's unexcused absence lets resolution go on only from `day` (LKN Art.
    30(6), Law 136/2025); before, the dialogue has to be held."""
    if ctx.data.get("result") == "no_show" and ctx.on and ctx.on < _iso(day, "no_show_allowed"):
        return (
            f"before {day} an absence does not end the dialogue: schedule it again "
            "(LKN Art. 30(6) applies from that date)"
        )
    return None


def dialogue_held_if_required(ctx: GuardContext, _arg: str) -> str | None:
    """A dialogue comes before the decision at second instance, for disciplinary complaints,
    and at first instance when the verification result does not grant the complaint."""
    if ctx.attributes.get("dialogue_held") == "yes":
        return None
    if ctx.attributes.get("second_instance") == "yes":
        why = "a second-instance complaint is decided after a dialogue (LKN Art. 39)"
    elif ctx.attributes.get("disciplinary") == "yes":
        why = "a disciplinary complaint is decided after a dialogue (LKN Arts. 53, 55)"
    elif ctx.data.get("outcome", "right") != "right":
        why = (
            "the verification result differs from what the complainant asks, so a dialogue "
            "must come first (LKN Art. 30(1))"
        )
    else:
        return None
    return f"{why}: schedule_dialogue, then hold_dialogue"


def second_complaint_allowed(ctx: GuardContext, _arg: str) -> str | None:
    if ctx.data.get("route") != "second_complaint":
        return None
    if ctx.attributes.get("second_instance") == "yes":
        return "this is already the second instance: only a lawsuit remains (LKN Art. 42)"
    if ctx.attributes.get("issuer_level") == "minister":
        return (
            "a minister's decision has one instance only: the complainant may sue in court "
            "(LKN Art. 7(2))"
        )
    return None


GUARDS: Mapping[str, Guard] = {
    "in_force_from": in_force_from,
    "clock_met": clock_met,
    "clock_elapsed": clock_elapsed,
    "dialogue_notice": dialogue_notice,
    "no_show_allowed": no_show_allowed,
    "second_complaint_allowed": second_complaint_allowed,
    "dialogue_held_if_required": dialogue_held_if_required,
    "has_handler": has_handler,
    "is_within_competence": is_within_competence,
    "extension_allowed": extension_allowed,
    "withdrawal_not_overridden": withdrawal_not_overridden,
    "clock_running": clock_running,
    "clock_ticking": clock_ticking,
    "clock_paused": clock_paused,
    "no_running_clocks": no_running_clocks,
    "duty_done": duty_done,
    "recorded": recorded,
    "reached": reached,
    "field_when": field_when,
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


@dataclass(frozen=True)
class GuardScope:
    """What a guard's argument may name, in the lifecycle that uses it."""

    spec: TransitionSpec
    clock_codes: frozenset[str]  # the clocks with a deadline rule
    triggers: frozenset[str]
    states: frozenset[str]
    attributes: frozenset[str]  # what the lifecycle's steps record on a case


def _date_problem(text: str) -> str | None:
    try:
        date.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not a date as YYYY-MM-DD"
    return None


def _clocks_problem(text: str, scope: GuardScope) -> str | None:
    unknown = [code for code in text.split("|") if code not in scope.clock_codes]
    return f"no deadline rule for clock {', '.join(unknown)}" if unknown else None


def _argument_problem(base: str, arg: str, scope: GuardScope) -> str | None:
    """What is wrong with `arg` for guard `base` (the forms in each guard's docstring)."""
    if base in ("clock_running", "clock_ticking", "clock_paused", "clock_met", "clock_elapsed"):
        return _clocks_problem(arg, scope)
    if base in ("in_force_from", "no_show_allowed"):
        return _date_problem(arg)
    if base == "dialogue_notice":
        days, _, day = arg.partition(":")
        return _date_problem(day) if days.isdigit() else f"{days!r} is not a number of days"
    if base == "duty_done":
        code, _, trigger = arg.partition(":")
        if trigger not in scope.triggers:
            return f"{trigger!r} is not a trigger of the lifecycle"
        return _clocks_problem(code, scope)
    if base == "recorded":
        attribute, _, rest = arg.partition(":")
        trigger, _, state = rest.partition(":")
        if trigger not in scope.triggers:
            return f"{trigger!r} is not a trigger of the lifecycle"
        if state and state not in scope.states:
            return f"{state!r} is not a state of the lifecycle"
        return None if attribute in scope.attributes else f"no step records {attribute!r}"
    if base == "reached":
        return None if arg in scope.attributes else f"no step records {arg!r}"
    if base == "field_when":
        wanted, _, condition = arg.partition(":")
        other, _, value = condition.partition("=")
        fields = {f.name: f for f in scope.spec.fields}
        missing = [name for name in (wanted, other) if name not in fields]
        if missing:
            return f"{scope.spec.trigger} takes no field {', '.join(missing)}"
        if fields[other].choices and value not in fields[other].choices:
            return f"{value!r} is not a choice of {other}: {', '.join(fields[other].choices)}"
        return None
    return f"takes no argument, not {arg!r}" if arg else None


def guard_problems(guard: str, scope: GuardScope) -> list[str]:
    """What is wrong with `guard` (`name` or `name:argument`) as a definition uses it: an
    unknown name, or an argument naming no clock, trigger, state, field or date."""
    base, _, arg = guard.partition(":")
    if base not in GUARDS:
        near = difflib.get_close_matches(base, list(GUARDS), n=1)
        hint = f"did you mean {near[0]!r}?" if near else f"guards: {', '.join(sorted(GUARDS))}"
        return [f"{base!r} is no guard ({hint})"]
    problem = _argument_problem(base, arg, scope)
    return [f"guard {guard}: {problem}"] if problem else []
