"""The case aggregate decides its steps alone (issue 23): `Case.step` on plain data, with the
shipped definitions, the real calendar and no database — the new state, the clocks as the
step leaves them, the events, or a refusal naming the triggers allowed now."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import cache

import pytest

from casework.adapters.definitions import load_definitions
from casework.adapters.holiday_calendar import VietnamCalendar
from casework.adapters.state_machine import LifecycleMachine
from casework.domain.case import Case, Law, StepRequest
from casework.domain.case_events import (
    CaseAdvanced,
    CaseTakenUp,
    ClockChanged,
    ClockNotApplicable,
    ClockStarted,
)
from casework.domain.clock_effects import CaseClock
from casework.domain.clocks import ClockStatus
from casework.domain.errors import ConcurrentUpdate, InvalidInput, TransitionRefused
from casework.domain.lifecycle import ClockEffects, ClockStart
from casework.resources import state_machines_dir

pytestmark = pytest.mark.unit

RECEIVED = date(2026, 7, 6)  # a Monday
LOGGED = "log"


@cache
def law(allow_late_extension: bool = False) -> Law:
    definitions = load_definitions(state_machines_dir())
    machines = {kind: LifecycleMachine(d) for kind, d in definitions.lifecycles.items()}
    return Law(
        machines=machines.__getitem__,
        rules=definitions.rules,
        calendar=VietnamCalendar(),
        allow_late_extension=allow_late_extension,
    )


def new_case(kind: str = "denunciation", **attributes: str) -> Case:
    """A case just logged: its intake's clocks started as `on_log` starts them."""
    bare = Case(
        id=1,
        ref="TC-2026-000001",
        kind=kind,
        state=law().lifecycle(kind).initial,
        agency="thanh-tra-tinh",
        version=1,
        received_on=RECEIVED,
        last_event_on=RECEIVED,
        handler=None,
        complexity="ordinary",
        attributes=attributes,
        history={},
    )
    started = bare.apply_clock_effects(
        law().lifecycle(kind).on_log, RECEIVED, "tn-tiep-nhan", LOGGED, law()
    )
    return replace(bare, clocks=tuple(c for c in started.clocks if c.is_active))


def step(case: Case, trigger: str, on: date, actor: str | None = "xm-1", **data: str) -> Case:
    return case.step(StepRequest(trigger, data, actor=actor, on=on), law(), on).case


def test_triage_takes_up_the_case_and_keeps_its_clock() -> None:
    case = new_case()
    (triage,) = case.clocks
    assert triage.code == "denunciation.triage"
    assert triage.id is None
    assert triage.due

    outcome = case.step(StepRequest("triage", actor="xm-1"), law(), date(2026, 7, 7))

    assert outcome.to_state == "triage"
    assert outcome.from_state == "received"
    assert outcome.case.handler == "xm-1"
    assert outcome.took_up == "xm-1"
    assert outcome.changes == {
        "state": "triage",
        "last_event_on": date(2026, 7, 7),
        "handler": "xm-1",
    }
    assert [type(e) for e in outcome.events] == [CaseAdvanced, CaseTakenUp]
    assert outcome.clock_changes == ()  # nothing to start: within competence
    assert outcome.case.clocks == case.clocks
    assert outcome.case.version == case.version + 1


def test_accept_stops_triage_and_starts_the_resolution_clocks() -> None:
    case = step(new_case(), "triage", date(2026, 7, 7))

    outcome = case.step(
        StepRequest("accept", {"decision_no": "12/QĐ"}, actor="xm-1"), law(), date(2026, 7, 10)
    )

    assert outcome.to_state == "inspection"
    stopped = [e for e in outcome.events if isinstance(e, ClockChanged)]
    assert [(e.clock, e.change) for e in stopped] == [("denunciation.triage", "stopped")]
    started = [e for e in outcome.events if isinstance(e, ClockStarted)]
    assert [e.clock for e in started] == ["denunciation.resolve", "denunciation.notify_acceptance"]
    assert all(e.start_on == date(2026, 7, 10) and e.due for e in started)
    # the stopped clock is written back, the new ones inserted (no id yet)
    assert [(c.code, c.id is None, c.status) for c in outcome.clock_changes] == [
        ("denunciation.triage", True, ClockStatus.STOPPED),
        ("denunciation.resolve", True, ClockStatus.RUNNING),
        ("denunciation.notify_acceptance", True, ClockStatus.RUNNING),
    ]
    assert {c.code for c in outcome.case.clocks} == {
        "denunciation.resolve",
        "denunciation.notify_acceptance",
    }
    assert outcome.events[0] == CaseAdvanced(
        actor="xm-1",
        trigger="accept",
        from_state="triage",
        to_state="inspection",
        on=date(2026, 7, 10),
        reason="",
        data={"decision_no": "12/QĐ"},
        basis=outcome.spec.basis,
    )


def test_a_refusal_names_what_is_missing_and_the_triggers_allowed() -> None:
    case = new_case()
    with pytest.raises(TransitionRefused) as refused:
        case.step(StepRequest("accept"), law(), date(2026, 7, 7))  # nobody acts, no handler
    assert "no handler" in str(refused.value)
    assert "triage" in refused.value.allowed
    assert "accept" not in refused.value.allowed  # refused now: not offered as allowed

    with pytest.raises(TransitionRefused) as wrong:
        case.step(StepRequest("conclude", actor="xm-1"), law(), date(2026, 7, 7))
    assert "not allowed from state 'received'" in str(wrong.value)


def test_bad_values_and_dates_are_refused_before_anything_is_decided() -> None:
    case = new_case()
    with pytest.raises(InvalidInput, match="allowed: yes, no"):
        case.step(StepRequest("triage", {"competent": "maybe"}, actor="xm-1"), law(), RECEIVED)
    with pytest.raises(InvalidInput, match="does not take colour"):
        case.step(StepRequest("triage", {"colour": "red"}, actor="xm-1"), law(), RECEIVED)
    with pytest.raises(InvalidInput, match="in the future"):
        case.step(StepRequest("triage", actor="xm-1", on=date(2026, 7, 9)), law(), date(2026, 7, 8))
    with pytest.raises(InvalidInput, match="before the case was received"):
        case.step(StepRequest("triage", actor="xm-1", on=date(2026, 7, 1)), law(), date(2026, 7, 8))
    with pytest.raises(ConcurrentUpdate, match="version 1, not 3"):
        case.step(StepRequest("triage", actor="xm-1", expected_version=3), law(), RECEIVED)


def test_out_of_competence_starts_the_forwarding_clock_from_receipt() -> None:
    outcome = new_case().step(
        StepRequest("triage", {"competent": "no"}, actor="xm-1"), law(), date(2026, 7, 8)
    )
    (started,) = [e for e in outcome.events if isinstance(e, ClockStarted)]
    assert started.clock == "denunciation.forward"
    assert started.start_on == RECEIVED
    assert outcome.case.attributes["competent"] == "no"
    assert outcome.case.facts["out_of_competence"]


def test_pause_and_resume_move_the_due_date_by_the_days_paused() -> None:
    case = step(step(new_case(), "triage", date(2026, 7, 7)), "accept", date(2026, 7, 10))
    due = next(c.due for c in case.clocks if c.code == "denunciation.resolve")
    paused = step(case, "request_assessment", date(2026, 7, 20), reasons="expert assessment")
    resolve = next(c for c in paused.clocks if c.code == "denunciation.resolve")
    assert resolve.status is ClockStatus.PAUSED
    assert resolve.due is None

    resumed = step(paused, "receive_assessment", date(2026, 7, 27))
    resolve = next(c for c in resumed.clocks if c.code == "denunciation.resolve")
    assert resolve.status is ClockStatus.RUNNING
    assert resolve.due is not None
    assert due is not None
    assert resolve.due > due


def test_the_preview_and_the_step_agree_on_a_guard() -> None:
    case = step(step(new_case(), "triage", date(2026, 7, 7)), "accept", date(2026, 7, 10))
    preview = {
        spec.trigger: failures for spec, failures in case.preview(law(), date(2026, 7, 13), "xm-1")
    }
    assert preview["request_assessment"] == []
    assert preview["receive_assessment"]  # the clock is not paused
    with pytest.raises(TransitionRefused) as refused:
        step(case, "receive_assessment", date(2026, 7, 13))
    assert preview["receive_assessment"][0] in str(refused.value)


def test_a_clock_whose_rule_was_not_yet_law_does_not_start() -> None:
    rules = law().rules
    # the rule that came into force last, asked for the day before it did
    code = max(rules.codes, key=lambda c: min(r.effective_from for r in rules.versions(c)))
    before = min(r.effective_from for r in rules.versions(code)) - timedelta(days=1)
    case = replace(new_case(), received_on=before, clocks=())
    done = case.apply_clock_effects(
        ClockEffects(start=(ClockStart(code),)), before, "xm-1", "terminate", law()
    )
    assert done.clock_changes == ()
    (event,) = done.events
    assert isinstance(event, ClockNotApplicable)
    assert event.clock == code
    assert event.on == before


def test_an_interval_needs_the_stopped_clocks_and_counts_days_once() -> None:
    case = new_case()
    clock = case.clocks[0]
    stopped = CaseClock(clock.clock.stopped(date(2026, 7, 20)), clock.due, id=7)
    with_history = replace(case, clocks=(), history={clock.code: stopped})
    effects = ClockEffects(interval=(clock.code,))
    done = with_history._ledger(law())
    done.apply(effects, date(2026, 7, 21), "xm-1", "", "record_obstacle",
               {"from": "2026-07-08", "to": "2026-07-10", "reasons": "flood"})  # fmt: skip
    (changed,) = done.changes()
    assert changed.id == 7
    assert changed.clock.pauses[0].paused_on == date(2026, 7, 8)
    with pytest.raises(InvalidInput, match="overlaps one already recorded"):
        done.apply(effects, date(2026, 7, 21), "xm-1", "", "record_obstacle",
                   {"from": "2026-07-09", "to": "2026-07-09"})  # fmt: skip
    with pytest.raises(RuntimeError, match="stopped clocks"):
        replace(case, history=None)._ledger(law()).apply(
            effects, date(2026, 7, 21), "xm-1", "", "record_obstacle",
            {"from": "2026-07-08", "to": "2026-07-10"},
        )  # fmt: skip
