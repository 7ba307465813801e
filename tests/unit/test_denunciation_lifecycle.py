"""Every (state, trigger) pair of the denunciation lifecycle, allowed or refused.

The expected table below is written by hand from LTC/ND31, independently of
state_machines/denunciation.yaml, so a wrong edit of the definition fails here.
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
    "triage",
    "inspection",
    "suspended",
    "concluded",
    "referred",
    "forwarded",
    "not_accepted",
    "not_handled",
    "terminated",
    "intelligence",
    "review",
    "follow_up",
    "upheld",
    "handed_over",
    "closed",
]
INTERNAL = {"hand_over"}  # taken only by the superior's take_over (a linked step)
OPEN_BEFORE_CONCLUSION = ["received", "triage", "inspection", "suspended"]
SAME = "="

EXPECTED: dict[str, dict[str, str]] = {
    "triage": {"received": "triage"},
    "accept": {"received": "inspection", "triage": "inspection"},
    "reject": {"received": "not_accepted", "triage": "not_accepted"},
    "forward": {"received": "forwarded", "triage": "forwarded", "review": "forwarded"},
    "file_without_handling": {"received": "not_handled", "triage": "not_handled"},
    "treat_as_intelligence": {"received": "intelligence", "triage": "intelligence"},
    "extend": {"triage": SAME, "inspection": SAME},
    # a duty left undone when the case moves on can still be recorded, so the case can close
    "send_acceptance_notices": dict.fromkeys(
        ["inspection", "suspended", "concluded", "referred", "terminated"], SAME
    ),
    "suspend": {"inspection": "suspended"},
    "request_assessment": {"inspection": SAME},
    "receive_assessment": {"inspection": SAME},
    "resume": {"suspended": "inspection"},
    "send_suspension_notice": dict.fromkeys(
        ["suspended", "terminated", "inspection", "concluded", "referred"], SAME
    ),
    "conclude": {"inspection": "concluded"},
    "send_conclusion": {"concluded": SAME, "referred": SAME},
    "decide_handling": {"concluded": SAME, "referred": SAME},
    "publish_conclusion": {"concluded": SAME, "referred": SAME},
    "refer": dict.fromkeys([*OPEN_BEFORE_CONCLUSION, "concluded"], "referred"),
    "transfer_file": {"referred": SAME},
    "terminate": {"inspection": "terminated", "suspended": "terminated"},
    "reply_to_forwarder": {s: SAME for s in STATES if s != "closed"},
    "close": dict.fromkeys(
        [
            "concluded",
            "referred",
            "forwarded",
            "not_accepted",
            "not_handled",
            "terminated",
            "intelligence",
            "upheld",
            "follow_up",
            "handed_over",
        ],
        "closed",
    ),
    # anonymous information is used for an inspection or check (LTC Art. 25)
    "link_to_check": {"intelligence": SAME},
    # re-denunciation to the superior (LTC Arts. 37–38) and takeover (ND31 Art. 5)
    "uphold": {"review": "upheld"},
    "request_report": {"follow_up": SAME},
    "receive_report": {"follow_up": SAME},
    "take_over": {"review": "inspection", "follow_up": "inspection"},
    "hand_over": dict.fromkeys(OPEN_BEFORE_CONCLUSION, "handed_over"),
}


@pytest.fixture(scope="module")
def machine() -> LifecycleMachine:
    return LifecycleMachine(load_definitions(state_machines_dir()).lifecycle("denunciation"))


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
        assert any(word in spec.basis for word in ("LTC", "ND31", "TT05", "CPC")), spec.trigger


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("trigger", sorted(EXPECTED))
def test_state_trigger_pair(machine: LifecycleMachine, state: str, trigger: str) -> None:
    check_pair(machine, EXPECTED, state, trigger, INTERNAL)


def test_unknown_trigger_names_the_allowed_ones(machine: LifecycleMachine) -> None:
    with pytest.raises(TransitionRefused, match="not a trigger of a denunciation") as refused:
        machine.fire("received", "to_closed")
    assert refused.value.allowed == sorted(
        t for t, s in EXPECTED.items() if "received" in s and t not in INTERNAL
    )


def test_no_automatic_to_state_triggers(machine: LifecycleMachine) -> None:
    assert not [name for name in machine._machine.events if name.startswith("to_")]


def test_mermaid_diagram_has_every_edge(machine: LifecycleMachine) -> None:
    diagram = machine.mermaid()
    assert "stateDiagram-v2" in diagram
    assert "received --> triage: triage" in diagram
    assert "suspended --> inspection: resume" in diagram
    assert "inspection --> inspection" not in diagram  # reflexive triggers are listed, not drawn


def test_generated_lifecycle_page_is_up_to_date(machine: LifecycleMachine) -> None:
    check_docs_current(machine)
