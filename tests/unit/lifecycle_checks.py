"""Checks every lifecycle's tests share: a (state, trigger) pair against the hand-written
table of its kind, and the generated documentation page being current."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import pytest

from casework.adapters.definitions import load_definitions
from casework.adapters.lifecycle_docs import lifecycle_markdown
from casework.adapters.state_machine import LifecycleMachine
from casework.domain.errors import TransitionRefused
from casework.resources import state_machines_dir

SAME = "="
DOCS = Path(__file__).resolve().parents[2] / "docs" / "lifecycles"


def check_pair(
    machine: LifecycleMachine,
    expected: Mapping[str, Mapping[str, str]],
    state: str,
    trigger: str,
    internal: Collection[str] = (),
) -> None:
    """`trigger` from `state` reaches what the table says, or is refused naming exactly the
    triggers an officer may apply from `state` (internal steps are never offered)."""
    target = expected[trigger].get(state)
    if target is None:
        with pytest.raises(TransitionRefused) as refused:
            machine.fire(state, trigger)
        allowed = sorted(
            t for t, sources in expected.items() if state in sources and t not in internal
        )
        assert refused.value.allowed == allowed
        for name in allowed:
            assert name in str(refused.value)
    else:
        assert machine.fire(state, trigger) == (state if target == SAME else target)


def check_docs_current(machine: LifecycleMachine) -> None:
    kind = machine.definition.kind
    page = DOCS / f"{kind}.md"
    expected = lifecycle_markdown(machine, load_definitions(state_machines_dir()).rules)
    assert page.read_text(encoding="utf-8") == expected, (
        f"docs/lifecycles/{kind}.md is stale: regenerate it with "
        f"`casework rules diagram {kind} > docs/lifecycles/{kind}.md`"
    )
