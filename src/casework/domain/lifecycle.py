"""A case kind's lifecycle as data: states, triggers, guards, required fields, clock effects.

Definitions are loaded from `state_machines/<kind>.yaml` by an adapter; this module holds their
shape and the questions the engine asks of them. The `transitions` library performs the state
change itself (see `casework.adapters.state_machine`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from casework.domain.errors import ConfigurationError, TransitionRefused


@dataclass(frozen=True)
class StateSpec:
    """A lifecycle state, with the legal name users see beside it."""

    name: str
    legal_name: str
    description: str
    is_final: bool = False


@dataclass(frozen=True)
class FieldSpec:
    """A value a trigger needs: `--set name=value`, optionally from a closed list of choices."""

    name: str
    description: str
    choices: tuple[str, ...] = ()
    required: bool = True
    description_vi: str = ""  # what the Vietnamese UI asks
    labels_vi: tuple[tuple[str, str], ...] = ()  # each choice as the Vietnamese UI shows it

    def description_in(self, language: str) -> str:
        return self.description_vi if language == "vi" and self.description_vi else self.description

    def label(self, choice: str, language: str) -> str:
        """How `choice` is shown in `language` (the code itself where no label is given)."""
        if language == "vi":
            return dict(self.labels_vi).get(choice, choice)
        return choice.replace("_", " ")


@dataclass(frozen=True)
class ClockStart:
    """Start a clock; `anchor` says which date starts it; `when` names a yes/no case fact."""

    code: str
    # "event" (the transition's date), "receipt" (the case's receipt date) or "attribute:NAME"
    # (a date the case records, e.g. when the complainant learnt of the contested decision)
    anchor: str = "event"
    when: str | None = None
    unless: str | None = None  # "a|b": not started if any of these facts holds
    stopped_at: str | None = None  # "receipt": a period that ended when the case arrived


@dataclass(frozen=True)
class ClockEffects:
    """What a transition does to the case's legal clocks."""

    start: tuple[ClockStart, ...] = ()
    stop: tuple[str, ...] = ()
    pause: tuple[str, ...] = ()
    resume: tuple[str, ...] = ()
    extend: tuple[str, ...] = ()
    # a closed pause from the fields `from` to `to`, on the newest clock even if stopped
    interval: tuple[str, ...] = ()

    def codes(self) -> set[str]:
        return (
            {c.code for c in self.start}
            | set(self.stop)
            | set(self.pause)
            | set(self.resume)
            | set(self.extend)
            | set(self.interval)
        )


PARTIES: tuple[str, ...] = ("denouncer", "denounced")
"""Who a notice to a party can be addressed to."""


@dataclass(frozen=True)
class NoticeSpec:
    """A notice the law requires a transition to send to the parties.

    `about` names the decision the notice communicates: the transition itself when None, or
    the latest of the triggers named by `about` in the case's history (a "send" step
    communicates an earlier decision; of several notices with different `about`, only those
    about the latest such decision are sent). `clocks` are the legal clocks the notice may
    state with its due date: the first one the case has. `basis` is the notice's legal basis.
    """

    notice: str
    to: tuple[str, ...]
    basis: str
    about: str | None = None
    clocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkedStep:
    """A step the transition takes, in the same transaction, on the case that a case attribute
    names, e.g. a superior's takeover hands the lower body's case over (ND31 Art. 5(3)). It is
    taken only if that case can take it; otherwise the link is recorded and nothing moves."""

    attribute: str
    trigger: str


@dataclass(frozen=True)
class TransitionSpec:
    """One edge of the lifecycle: `trigger` from any of `sources` to `dest`."""

    trigger: str
    sources: tuple[str, ...]
    dest: str
    title: str
    basis: str
    guards: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    clocks: ClockEffects = field(default_factory=ClockEffects)
    sets_attributes: Mapping[str, str] = field(default_factory=dict)  # attribute <- field
    set_values: Mapping[str, str] = field(default_factory=dict)  # attribute <- fixed value
    assigns_actor: bool = False  # the acting officer becomes the handler if none is assigned
    notices: tuple[NoticeSpec, ...] = ()
    linked: LinkedStep | None = None
    internal: bool = False  # taken only as another transition's linked step, never by hand
    title_vi: str = ""  # the official Vietnamese wording users see in the Vietnamese UI

    def title_in(self, language: str) -> str:
        """The title in `language`: the Vietnamese one for "vi" when given, else the English."""
        return self.title_vi if language == "vi" and self.title_vi else self.title

    @property
    def is_reflexive(self) -> bool:
        return self.dest == "="

    def destination(self, source: str) -> str:
        return source if self.is_reflexive else self.dest


@dataclass(frozen=True)
class LifecycleDefinition:
    """The whole lifecycle of one case kind."""

    kind: str
    version: str
    initial: str
    states: Mapping[str, StateSpec]
    transitions: tuple[TransitionSpec, ...]
    on_log: ClockEffects
    source_file: str = ""
    # (fact, state): a case whose fact holds at intake starts in that state, not `initial`
    initial_when: tuple[tuple[str, str], ...] = ()
    reference_prefix: str = ""  # TC: references TC-2026-000001 (adapters/reference_counters.py)
    # clock code -> what starts when that clock runs out with its duty undone, as of its due
    # date (a first instance undecided in time opens the second-instance window, LKN 33(1))
    on_expiry: Mapping[str, ClockEffects] = field(default_factory=dict)

    def initial_state(self, facts: Mapping[str, bool]) -> str:
        """Where a new case starts, given its yes/no facts."""
        return next((state for fact, state in self.initial_when if facts.get(fact)), self.initial)

    def __post_init__(self) -> None:
        for state in (self.initial, *(state for _, state in self.initial_when)):
            if state not in self.states:
                raise ConfigurationError(f"{self.kind}: initial state {state!r} is not declared")
        for spec in self.transitions:
            unknown = [s for s in spec.sources if s not in self.states]
            if not spec.is_reflexive and spec.dest not in self.states:
                unknown.append(spec.dest)
            if unknown:
                raise ConfigurationError(
                    f"{self.kind}: trigger {spec.trigger!r} names undeclared states {unknown}"
                )
        seen: set[tuple[str, str]] = set()
        for spec in self.transitions:
            for source in spec.sources:
                if (spec.trigger, source) in seen:
                    raise ConfigurationError(
                        f"{self.kind}: trigger {spec.trigger!r} is declared twice from {source!r}"
                    )
                seen.add((spec.trigger, source))
        names = {spec.trigger for spec in self.transitions}
        for spec in self.transitions:
            if spec.linked and spec.linked.trigger not in names:
                raise ConfigurationError(
                    f"{self.kind}: trigger {spec.trigger!r} links to {spec.linked.trigger!r}, "
                    "which is not a trigger of this lifecycle"
                )

    @cached_property
    def triggers(self) -> list[str]:
        """Every trigger of the lifecycle, sorted (worked out once: every step asks)."""
        return sorted({t.trigger for t in self.transitions})

    def allowed_triggers(self, state: str, include_internal: bool = False) -> list[str]:
        """The triggers an officer may apply from `state` (and, if asked, the internal steps
        other transitions take)."""
        return sorted(
            {
                t.trigger
                for t in self.transitions
                if state in t.sources and (include_internal or not t.internal)
            }
        )

    def transition_for(self, trigger: str, state: str) -> TransitionSpec:
        """The edge `trigger` takes from `state`, or a refusal naming what is allowed."""
        allowed = self.allowed_triggers(state)
        allowed_vi = (
            "; ".join(self.title_of(t, "vi", state) for t in allowed) or "không còn bước nào"
        )
        if trigger not in self.triggers:
            raise TransitionRefused(
                f"{trigger!r} is not a trigger of a {self.kind}",
                allowed,
                vi=f"Không có bước này. Các bước có thể thực hiện: {allowed_vi}",
            )
        spec = self.edge(trigger, state)
        if spec is not None:
            return spec
        raise TransitionRefused(
            f"{trigger!r} is not allowed from state {state!r} ({self.states[state].legal_name})",
            allowed,
            vi=(
                f"Bước «{self.title_of(trigger, 'vi', state)}» không thực hiện được khi hồ sơ ở trạng "
                f"thái «{self.states[state].legal_name}». Các bước có thể thực hiện: {allowed_vi}"
            ),
        )

    def edge(self, trigger: str, source: str) -> TransitionSpec | None:
        """The edge `trigger` takes from state `source`, if any (one trigger may be different
        steps from different states: `extend` in triage extends the initial handling, in
        inspection the resolution)."""
        return next(
            (s for s in self.transitions if s.trigger == trigger and source in s.sources), None
        )

    def title_of(self, trigger: str, language: str, source: str | None = None) -> str:
        """A trigger's title in `language`: that of its edge from `source` where given, else
        of its first edge; the code if there is none."""
        spec = self.edge(trigger, source) if source is not None else None
        spec = spec or next((s for s in self.transitions if s.trigger == trigger), None)
        return spec.title_in(language) if spec else trigger

    def clock_codes(self) -> set[str]:
        codes = self.on_log.codes()
        for expired, effects in self.on_expiry.items():
            codes |= {expired, *effects.codes()}
        for spec in self.transitions:
            codes |= spec.clocks.codes()
        return codes
