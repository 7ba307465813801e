"""Every (state, trigger) pair of the petition (kiến nghị, phản ánh) lifecycle, allowed or refused.

The expected table below is written by hand from the Law on Citizen Reception (LTCD Arts.
26–28), independently of state_machines/petition.yaml, so a
wrong edit of the definition fails here.
"""

from __future__ import annotations

from datetime import date

import pytest
from tests.unit.lifecycle_checks import check_docs_current, check_pair

from casework.adapters.definitions import load_definitions
from casework.adapters.state_machine import LifecycleMachine
from casework.domain.errors import TransitionRefused
from casework.resources import state_machines_dir

pytestmark = pytest.mark.unit

STATES = [
    "received",
    "assigned",
    "under_study",
    "answered",
    "forwarded",
    "not_accepted",
    "closed",
]
SAME = "="

EXPECTED: dict[str, dict[str, str]] = {
    # LTCD Art. 26(2)(a): within competence, the head studies it or assigns a unit
    "assign": {"received": "assigned"},
    # LTCD Art. 26(2)(b): outside competence, the letter or the record is forwarded
    "forward": {"received": "forwarded"},
    # LTCD Art. 28(1)(c): not accepted, with the reasons told to the sender
    "reject": {"received": "not_accepted"},
    "study": {"assigned": "under_study"},
    # the answer may come straight after the assignment or after a recorded study
    "answer": dict.fromkeys(["assigned", "under_study"], "answered"),
    # LTCD Art. 27(2): the forwarding authority hears of the result after the answer
    "report_to_forwarder": {"answered": SAME},
    # the competent body's reply to a forwarded petition, for the record
    "record_feedback": {"forwarded": SAME},
    "close": dict.fromkeys(["answered", "forwarded", "not_accepted"], "closed"),
}

# Which clocks each trigger starts and stops (rules/petition.yaml must agree: the loader checks).
CLOCK_EFFECTS: dict[str, tuple[set[str], set[str]]] = {
    "assign": ({"petition.resolve"}, {"petition.reply"}),
    "forward": (set(), {"petition.reply"}),
    "reject": (set(), {"petition.reply"}),
    "study": (set(), set()),
    "answer": ({"petition.forwarder_report"}, {"petition.resolve"}),
    "report_to_forwarder": (set(), {"petition.forwarder_report"}),
    "record_feedback": (set(), set()),
    "close": (set(), set()),
}


@pytest.fixture(scope="module")
def machine() -> LifecycleMachine:
    return LifecycleMachine(load_definitions(state_machines_dir()).lifecycle("petition"))


def test_definition_declares_exactly_the_expected_states_and_triggers(
    machine: LifecycleMachine,
) -> None:
    assert sorted(machine.definition.states) == sorted(STATES)
    assert machine.definition.triggers == sorted(EXPECTED)
    assert machine.definition.initial == "received"
    assert [s.name for s in machine.definition.states.values() if s.is_final] == ["closed"]


def test_every_state_shows_its_legal_name(machine: LifecycleMachine) -> None:
    for state in machine.definition.states.values():
        assert state.legal_name
        assert state.legal_name != state.name
        assert state.description


def test_every_transition_cites_a_legal_basis(machine: LifecycleMachine) -> None:
    for spec in machine.definition.transitions:
        assert "LTCD" in spec.basis, spec.trigger


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("trigger", sorted(EXPECTED))
def test_state_trigger_pair(machine: LifecycleMachine, state: str, trigger: str) -> None:
    check_pair(machine, EXPECTED, state, trigger)


def test_closed_is_final(machine: LifecycleMachine) -> None:
    assert machine.definition.allowed_triggers("closed") == []


def test_unknown_trigger_names_the_allowed_ones(machine: LifecycleMachine) -> None:
    with pytest.raises(TransitionRefused, match="not a trigger of a petition") as refused:
        machine.fire("received", "to_closed")
    assert refused.value.allowed == ["assign", "forward", "reject"]


def test_no_automatic_to_state_triggers(machine: LifecycleMachine) -> None:
    assert not [name for name in machine._machine.events if name.startswith("to_")]


def test_the_reply_runs_from_receipt(machine: LifecycleMachine) -> None:
    (start,) = machine.definition.on_log.start
    assert (start.code, start.anchor, start.when, start.unless) == (
        "petition.reply",
        "receipt",
        None,
        None,
    )


@pytest.mark.parametrize("trigger", sorted(CLOCK_EFFECTS))
def test_clock_effects_of_each_trigger(machine: LifecycleMachine, trigger: str) -> None:
    (spec,) = [s for s in machine.definition.transitions if s.trigger == trigger]
    starts, stops = CLOCK_EFFECTS[trigger]
    assert {c.code for c in spec.clocks.start} == starts
    assert set(spec.clocks.stop) == stops
    assert spec.clocks.pause == spec.clocks.resume == spec.clocks.extend == ()


def test_the_forwarder_report_starts_only_for_a_petition_forwarded_by_an_authority(
    machine: LifecycleMachine,
) -> None:
    (answer,) = [s for s in machine.definition.transitions if s.trigger == "answer"]
    (start,) = answer.clocks.start
    assert (start.anchor, start.when) == ("event", "forwarded_by_authority")


def test_guards_and_required_fields(machine: LifecycleMachine) -> None:
    specs = {s.trigger: s for s in machine.definition.transitions}
    assert "has_handler" in specs["assign"].guards
    assert specs["assign"].assigns_actor
    assert specs["close"].guards == ("no_running_clocks",)
    assert specs["report_to_forwarder"].guards == ("clock_running:petition.forwarder_report",)
    required = {
        trigger: sorted(f.name for f in spec.fields if f.required)
        for trigger, spec in specs.items()
    }
    assert required == {
        "assign": [],
        "forward": ["to_agency"],
        "reject": ["ground", "reasons"],
        "study": [],
        "answer": ["summary"],
        "report_to_forwarder": [],
        "record_feedback": ["summary"],
        "close": [],
    }
    (ground,) = [f for f in specs["reject"].fields if f.name == "ground"]
    assert "already_resolved" in ground.choices
    assert "ineligible" in ground.choices


def test_rules_of_the_petition_clocks() -> None:
    on = date(2026, 7, 6)
    rules = load_definitions(state_machines_dir()).rules
    reply = rules.in_force("petition.reply", on)
    assert (reply.length, reply.unit.value, reply.basis, reply.is_policy) == (
        10,
        "working",
        "LTCD Art. 28(1)",
        False,
    )
    resolve = rules.in_force("petition.resolve", on)
    assert (resolve.length, resolve.unit.value, resolve.is_policy) == (15, "working", True)
    assert "period set by the agency" in resolve.basis
    report = rules.in_force("petition.forwarder_report", on)
    assert (report.length, report.unit.value, report.basis) == (7, "working", "LTCD Art. 27(2)")


def test_mermaid_diagram_has_every_edge(machine: LifecycleMachine) -> None:
    diagram = machine.mermaid()
    assert "stateDiagram-v2" in diagram
    for edge in (
        "received --> assigned: assign",
        "received --> forwarded: forward",
        "received --> not_accepted: reject",
        "assigned --> under_study: study",
        "under_study --> answered: answer",
        "forwarded --> closed: close",
    ):
        assert edge in diagram
    assert "answered --> answered" not in diagram  # reflexive triggers are listed, not drawn


def test_generated_lifecycle_page_is_up_to_date(machine: LifecycleMachine) -> None:
    check_docs_current(machine)
