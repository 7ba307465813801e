"""Build one `transitions` machine per case kind from its lifecycle definition.

One machine is shared by every case of a kind (`model=None`, no registered models — registering
is O(n²)); a case is moved by `machine.events[trigger].trigger(adapter)` where the adapter is a
tiny object whose `state` attribute stands for the row's state. No auto `to_<state>` triggers.
Guards with their messages are checked by the service before the machine is asked to move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transitions import Machine, MachineError

from casework.domain.errors import TransitionRefused
from casework.domain.lifecycle import LifecycleDefinition


@dataclass
class CaseStateAdapter:
    """What `transitions` moves: a stand-in for the case row's state."""

    state: str


class LifecycleMachine:
    """A `transitions.Machine` built from a `LifecycleDefinition`."""

    def __init__(self, definition: LifecycleDefinition) -> None:
        self.definition = definition
        transitions: list[dict[str, Any]] = [
            {"trigger": spec.trigger, "source": list(spec.sources), "dest": spec.dest}
            for spec in definition.transitions
        ]
        self._machine = Machine(
            model=None,
            states=list(definition.states),
            initial=definition.initial,
            transitions=transitions,
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
        )

    def fire(self, state: str, trigger: str) -> str:
        """Apply `trigger` to a case in `state`; the new state, or a refusal naming the allowed."""
        self.definition.transition_for(trigger, state)  # refuses with a message if not allowed
        adapter = CaseStateAdapter(state)
        try:
            self._machine.events[trigger].trigger(adapter)
        except MachineError as exc:
            definition = self.definition
            allowed = [t for t in definition.allowed_triggers(state) if t != trigger]
            raise TransitionRefused(
                f"{trigger!r} cannot fire from {state!r}: {exc.value}",
                definition.allowed_triggers(state),
                refused=trigger,
                vi=f"Bước «{definition.title_of(trigger, 'vi', state)}» không thực hiện được khi "
                f"hồ sơ ở trạng thái «{definition.states[state].legal_name}». Các bước có thể "
                "thực hiện: "
                + (
                    "; ".join(definition.title_of(t, "vi", state) for t in allowed)
                    or "không còn bước nào"
                ),
            ) from exc
        return adapter.state

    def mermaid(self) -> str:
        """A Mermaid state diagram of the state-changing edges, drawn by `transitions`.

        Triggers that keep the state (notices, extensions, replies) are listed under the
        diagram instead of drawn as loops on every state.
        """
        # the diagram extension loads only to draw: a case's steps need the plain machine
        from transitions.extensions import GraphMachine

        diagram = GraphMachine(
            model=_DiagramModel(),
            states=list(self.definition.states),
            initial=self.definition.initial,
            transitions=[
                {"trigger": spec.trigger, "source": list(spec.sources), "dest": spec.dest}
                for spec in self.definition.transitions
                if not spec.is_reflexive
            ],
            auto_transitions=False,
            graph_engine="mermaid",
            title=f"{self.definition.kind} lifecycle v{self.definition.version}",
        )
        text = diagram.models[0].get_graph().draw(None)
        return str(text).rstrip() + "\n"


class _DiagramModel:
    """A throwaway model: `transitions` draws the graph of a model's machine."""
