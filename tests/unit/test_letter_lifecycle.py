"""Every (state, trigger) pair of the letter-handling lifecycle (xử lý đơn), allowed or
refused, against a table written by hand from LTCD Arts. 25–26 and TT05/2021, independently
of state_machines/letter.yaml.
"""

from __future__ import annotations

import pytest
from tests.unit.lifecycle_checks import check_docs_current, check_pair

from casework.adapters.definitions import load_definitions
from casework.adapters.state_machine import LifecycleMachine
from casework.domain.errors import TransitionRefused
from casework.resources import state_machines_dir

pytestmark = pytest.mark.unit

STATES = ["received", "classified", "not_handled", "guided", "closed"]
SAME = "="
INTERNAL = {"classify"}  # recorded by `case new KIND --from-letter`, never by hand

EXPECTED: dict[str, dict[str, str]] = {
    # a letter with several contents gives several cases: classified again from classified
    "classify": {"received": "classified", "classified": "classified"},
    "file_without_handling": {"received": "not_handled"},
    "guide": {"received": "guided"},
    "close": dict.fromkeys(["classified", "not_handled", "guided"], "closed"),
}


@pytest.fixture(scope="module")
def machine() -> LifecycleMachine:
    return LifecycleMachine(load_definitions(state_machines_dir()).lifecycle("letter"))


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
        assert any(word in spec.basis for word in ("LTCD", "TT05", "LTC", "LKN")), spec.trigger


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("trigger", sorted(EXPECTED))
def test_state_trigger_pair(machine: LifecycleMachine, state: str, trigger: str) -> None:
    check_pair(machine, EXPECTED, state, trigger, INTERNAL)


def test_unknown_trigger_names_the_allowed_ones(machine: LifecycleMachine) -> None:
    with pytest.raises(TransitionRefused, match="not a trigger of a letter") as refused:
        machine.fire("received", "to_closed")
    assert refused.value.allowed == sorted(
        t for t, s in EXPECTED.items() if "received" in s and t not in INTERNAL
    )


def test_no_automatic_to_state_triggers(machine: LifecycleMachine) -> None:
    assert not [name for name in machine._machine.events if name.startswith("to_")]


def test_mermaid_diagram_has_every_edge(machine: LifecycleMachine) -> None:
    diagram = machine.mermaid()
    assert "stateDiagram-v2" in diagram
    assert "received --> not_handled: file_without_handling" in diagram
    assert "received --> guided: guide" in diagram
    assert "received --> closed" not in diagram  # a letter is handled before it is closed


def test_generated_lifecycle_page_is_up_to_date(machine: LifecycleMachine) -> None:
    check_docs_current(machine)
