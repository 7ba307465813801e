"""Every (state, trigger) pair of the complaint lifecycle, allowed or refused.

The expected table below is written by hand from LKN/ND124 as amended,
independently of state_machines/complaint.yaml, so a wrong edit of the definition fails here.
"""

from __future__ import annotations

import pytest
from tests.unit.lifecycle_checks import check_docs_current, check_pair

from casework.adapters.definitions import load_definitions
from casework.adapters.state_machine import LifecycleMachine
from casework.domain.errors import TransitionRefused
from casework.resources import state_machines_dir

pytestmark = pytest.mark.unit

STATES = [
    "received",
    "verification",
    "dialogue",
    "suspended",
    "decided",
    "appealed",
    "in_force",
    "not_accepted",
    "guided",
    "terminated",
    "closed",
]
RESOLVING = ["verification", "dialogue"]
SAME = "="

EXPECTED: dict[str, dict[str, str]] = {
    "record_obstacle": {"received": SAME},
    "accept": {"received": "verification"},
    "reject": {"received": "not_accepted"},
    "guide": {"received": "guided"},
    "declare_complex": dict.fromkeys(RESOLVING, SAME),
    # a measure on the contested decision, not a step of the resolution (LKN Art. 35)
    "suspend_enforcement": dict.fromkeys([*RESOLVING, "suspended"], SAME),
    "lift_enforcement_suspension": dict.fromkeys([*RESOLVING, "suspended", "decided"], SAME),
    "schedule_dialogue": {"verification": "dialogue"},
    "hold_dialogue": {"dialogue": "verification"},
    "suspend": dict.fromkeys(RESOLVING, "suspended"),
    "resume": {"suspended": "verification"},
    "send_suspension_notice": dict.fromkeys([*RESOLVING, "suspended", "terminated"], SAME),
    "withdraw": dict.fromkeys(["received", *RESOLVING, "suspended"], "terminated"),
    "terminate": dict.fromkeys([*RESOLVING, "suspended"], "terminated"),
    "decide": dict.fromkeys(RESOLVING, "decided"),
    # a decision in force was sent before: its sending is what opened the window to appeal
    "send_decision": dict.fromkeys(["decided", "appealed"], SAME),
    "appeal": {"decided": "appealed"},
    "enter_into_force": {"decided": "in_force"},
    "record_enforcement": {"in_force": SAME},
    "close": dict.fromkeys(
        ["in_force", "appealed", "not_accepted", "guided", "terminated"], "closed"
    ),
}


@pytest.fixture(scope="module")
def machine() -> LifecycleMachine:
    return LifecycleMachine(load_definitions(state_machines_dir()).lifecycle("complaint"))


def test_definition_declares_exactly_the_expected_states_and_triggers(
    machine: LifecycleMachine,
) -> None:
    assert sorted(machine.definition.states) == sorted(STATES)
    assert machine.definition.triggers == sorted(EXPECTED)


def test_every_state_shows_its_legal_name(machine: LifecycleMachine) -> None:
    for state in machine.definition.states.values():
        assert state.legal_name
        assert state.legal_name != state.name


def test_every_transition_cites_a_legal_basis(machine: LifecycleMachine) -> None:
    for spec in machine.definition.transitions:
        assert any(word in spec.basis for word in ("LKN", "ND124", "LTCD", "ND155")), spec.trigger


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("trigger", sorted(EXPECTED))
def test_state_trigger_pair(machine: LifecycleMachine, state: str, trigger: str) -> None:
    check_pair(machine, EXPECTED, state, trigger)


def test_unknown_trigger_names_the_allowed_ones(machine: LifecycleMachine) -> None:
    with pytest.raises(TransitionRefused, match="not a trigger of a complaint") as refused:
        machine.fire("received", "to_closed")
    assert refused.value.allowed == sorted(t for t, s in EXPECTED.items() if "received" in s)


def test_no_automatic_to_state_triggers(machine: LifecycleMachine) -> None:
    assert not [name for name in machine._machine.events if name.startswith("to_")]


def test_mermaid_diagram_has_every_edge(machine: LifecycleMachine) -> None:
    diagram = machine.mermaid()
    assert "stateDiagram-v2" in diagram
    assert "received --> verification: accept" in diagram
    assert "suspended --> verification: resume" in diagram
    assert (
        "verification --> verification" not in diagram
    )  # reflexive triggers are listed, not drawn


def test_generated_lifecycle_page_is_up_to_date(machine: LifecycleMachine) -> None:
    check_docs_current(machine)
