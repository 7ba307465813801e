"""The named guards (domain/guards.py), each on a plain `GuardContext`: what makes it pass,
what stops it and what it then says, in a preview and in the step."""

from __future__ import annotations

from datetime import date

import pytest

from casework.domain.calendar import DayUnit
from casework.domain.clocks import Clock, Extension
from casework.domain.guards import GuardContext, check_guards
from casework.domain.lifecycle import ClockEffects, FieldSpec, TransitionSpec
from casework.domain.rules import DeadlineRule, ExtensionAllowance

pytestmark = pytest.mark.unit

RESOLVE = DeadlineRule(
    code="denunciation.resolve",
    version="2018.1",
    title="Resolve the denunciation",
    basis="LTC Art. 30",
    effective_from=date(2019, 1, 1),
    length=30,
    unit=DayUnit.CALENDAR,
    extension=ExtensionAllowance(
        days=30, unit=DayUnit.CALENDAR, max_count={"ordinary": 1}, basis="LTC Art. 30"
    ),
)
STARTED = date(2026, 7, 10)


def spec(
    *guards: str, extend: tuple[str, ...] = (), fields: tuple[FieldSpec, ...] = ()
) -> TransitionSpec:
    return TransitionSpec(
        trigger="extend",
        sources=("inspection",),
        dest="=",
        title="Extend",
        basis="LTC Art. 30",
        guards=guards,
        fields=fields,
        clocks=ClockEffects(extend=extend),
    )


def context(transition: TransitionSpec, **values: object) -> GuardContext:
    defaults: dict[str, object] = {
        "spec": transition,
        "state": "inspection",
        "handler": "xm-1",
        "actor": "xm-1",
        "attributes": {},
        "data": {},
    }
    return GuardContext(**{**defaults, **values})  # type: ignore[arg-type]


def test_has_handler_asks_for_one_unless_someone_acts() -> None:
    nobody = context(spec("has_handler"), handler=None, actor=None)
    assert check_guards(nobody) == [
        "no handler: assign one first (`case assign REF OFFICER`) or act with --by OFFICER"
    ]
    assert check_guards(context(spec("has_handler"), handler=None)) == []  # the actor takes it
    preview = context(spec("has_handler"), handler=None, actor=None, previewing=True)
    assert check_guards(preview) == []


def test_a_clock_guard_names_the_clock_and_what_it_is_doing() -> None:
    running = Clock(RESOLVE, STARTED)
    paused = running.paused(date(2026, 7, 20), "expert assessment")
    code = RESOLVE.code
    assert check_guards(context(spec(f"clock_running:{code}"), clocks=(running,))) == []
    assert "is not running on this case" in check_guards(context(spec(f"clock_running:{code}")))[0]
    ticking = check_guards(context(spec(f"clock_ticking:{code}"), clocks=(paused,)))
    assert ticking == [f"clock {code} is paused since 2026-07-20: finish the current pause first"]
    assert check_guards(context(spec(f"clock_paused:{code}"), clocks=(paused,))) == []
    assert check_guards(context(spec(f"clock_paused:{code}"), clocks=(running,))) == [
        f"clock {code} is not paused: nothing to resume"
    ]


def test_an_extension_is_decided_before_the_period_runs_out() -> None:
    code = RESOLVE.code
    transition = spec("extension_allowed", extend=(code,))
    due = {code: date(2026, 8, 10)}
    clocks = (Clock(RESOLVE, STARTED),)
    in_time = context(transition, clocks=clocks, due_dates=due, on=date(2026, 8, 10))
    assert check_guards(in_time) == []
    late = context(transition, clocks=clocks, due_dates=due, on=date(2026, 8, 11))
    assert "expired on 2026-08-10: an extension must be decided before" in check_guards(late)[0]
    allowed = context(
        transition, clocks=clocks, due_dates=due, on=date(2026, 8, 11), allow_late_extension=True
    )
    assert check_guards(allowed) == []
    once = (Clock(RESOLVE, STARTED, extensions=(Extension(date(2026, 8, 1), 30, "x"),)),)
    again = context(transition, clocks=once, due_dates=due, on=date(2026, 8, 5))
    assert "was already extended 1 time(s)" in check_guards(again)[0]


def test_field_when_and_in_force_from() -> None:
    duplicate = spec("field_when:duplicate_of:grounds=duplicate")
    asks = context(duplicate, data={"grounds": "duplicate"})
    assert check_guards(asks) == ["grounds=duplicate needs --set duplicate_of=…"]
    given = context(duplicate, data={"grounds": "duplicate", "duplicate_of": "TC-2026-1"})
    assert check_guards(given) == []
    newer = spec("in_force_from:2026-07-01")
    assert check_guards(context(newer, on=date(2026, 7, 1))) == []
    assert (
        "exists in law only from 2026-07-01"
        in check_guards(context(newer, on=date(2026, 6, 30)))[0]
    )


def test_clock_met_refuses_a_case_that_arrived_after_its_limitation() -> None:
    code = "complaint.limitation"
    limitation = Clock(RESOLVE, STARTED).stopped(date(2026, 8, 20))
    late = context(
        spec(f"clock_met:{code}"),
        latest_clocks={code: limitation},
        latest_due={code: date(2026, 8, 9)},
    )
    [said] = check_guards(late)
    assert "ended on 2026-08-09 but the case arrived on 2026-08-20" in said
    in_time = context(
        spec(f"clock_met:{code}"),
        latest_clocks={code: limitation},
        latest_due={code: date(2026, 8, 20)},
    )
    assert check_guards(in_time) == []
    assert check_guards(context(spec(f"clock_met:{code}"))) == []  # nothing to count from
