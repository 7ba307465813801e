"""Load lifecycle definitions, deadline rules and the escalation policy from their YAML files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from casework.domain.calendar import DayUnit
from casework.domain.errors import ConfigurationError
from casework.domain.escalation import EscalationPolicy, Ladder, LadderStep, RecipientRole
from casework.domain.lifecycle import (
    PARTIES,
    ClockEffects,
    ClockStart,
    FieldSpec,
    LifecycleDefinition,
    LinkedStep,
    NoticeSpec,
    StateSpec,
    TransitionSpec,
)
from casework.domain.rules import DeadlineRule, ExtensionAllowance, RuleBook, RuleVariant


@dataclass(frozen=True)
class Definitions:
    """Everything the engine reads from `state_machines/`."""

    lifecycles: Mapping[str, LifecycleDefinition]
    rules: RuleBook
    escalation: EscalationPolicy

    def lifecycle(self, kind: str) -> LifecycleDefinition:
        try:
            return self.lifecycles[kind]
        except KeyError:
            raise ConfigurationError(
                f"no lifecycle for case kind {kind!r}; defined kinds: {', '.join(self.lifecycles)}"
            ) from None


# libyaml's loader where PyYAML was built with it: the same safe constructor, and every command
# reads the definitions (the pure-Python parser was a third of `case show`'s start)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path} must hold a mapping at the top level")
    return data


def _need(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ConfigurationError(f"{where}: missing '{key}'")
    return data[key]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _clock_effects(data: Mapping[str, Any] | None) -> ClockEffects:
    data = data or {}
    starts = tuple(
        ClockStart(
            code=s["clock"],
            anchor=s.get("anchor", "event"),
            when=s.get("when"),
            unless=s.get("unless"),
            stopped_at=s.get("stopped_at"),
        )
        for s in _as_list(data.get("start"))
    )
    for start in starts:
        if start.anchor not in ("event", "receipt") and not start.anchor.startswith("attribute:"):
            raise ConfigurationError(
                f"clock {start.code}: anchor must be 'event', 'receipt' or 'attribute:NAME' "
                "(a date the case records, e.g. attribute:decision_known_on)"
            )
        if start.stopped_at not in (None, "receipt"):
            raise ConfigurationError(f"clock {start.code}: stopped_at can only be 'receipt'")
    return ClockEffects(
        start=starts,
        stop=tuple(_as_list(data.get("stop"))),
        pause=tuple(_as_list(data.get("pause"))),
        resume=tuple(_as_list(data.get("resume"))),
        extend=tuple(_as_list(data.get("extend"))),
        interval=tuple(_as_list(data.get("interval"))),
    )


EXPIRY_EVENT = "expiry:"
"""A rule's start event `expiry:CODE`: the clock starts when clock CODE runs out undone."""


def _expiry_effects(data: Mapping[str, Any] | None, where: str) -> dict[str, ClockEffects]:
    effects = {str(code): _clock_effects(value) for code, value in (data or {}).items()}
    for code, effect in effects.items():
        if effect.codes() != {start.code for start in effect.start}:
            raise ConfigurationError(
                f"{where}: on_expiry of {code} may only start clocks (a clock running out "
                "stops nothing by itself: the duty stays overdue until done)"
            )
    return effects


def _notice(data: Mapping[str, Any], where: str) -> NoticeSpec:
    notice = str(_need(data, "notice", f"{where}: a notice"))
    to = tuple(str(p) for p in _as_list(_need(data, "to", f"{where}: notice {notice}")))
    unknown = [p for p in to if p not in PARTIES]
    if unknown or not to:
        raise ConfigurationError(
            f"{where}: notice {notice} is addressed to {', '.join(unknown) or 'nobody'}; "
            f"a notice goes to one or more of: {', '.join(PARTIES)}"
        )
    return NoticeSpec(
        notice=notice,
        to=to,
        basis=str(_need(data, "basis", f"{where}: notice {notice}")),
        about=data.get("about"),
        clocks=tuple(str(c) for c in _as_list(data.get("clock"))),
    )


def load_lifecycle(path: Path) -> LifecycleDefinition:
    data = _read_yaml(path)
    where = str(path)
    states = {
        name: StateSpec(
            name=name,
            legal_name=_need(spec, "legal_name", f"{where}: state {name}"),
            description=spec.get("description", ""),
            is_final=bool(spec.get("final", False)),
        )
        for name, spec in _need(data, "states", where).items()
    }
    transitions = []
    for raw in _need(data, "transitions", where):
        trigger = _need(raw, "trigger", f"{where}: a transition")
        here = f"{where}: trigger {trigger}"
        fields = tuple(
            FieldSpec(
                name=f["name"],
                description=f.get("description", ""),
                choices=tuple(str(c) for c in f.get("choices", ())),
                required=bool(f.get("required", True)),
            )
            for f in raw.get("fields", ())
        )
        transitions.append(
            TransitionSpec(
                trigger=trigger,
                sources=tuple(_as_list(_need(raw, "source", here))),
                dest=str(_need(raw, "dest", here)),
                title=raw.get("title", trigger),
                title_vi=str(raw.get("title_vi", "")),
                basis=_need(raw, "basis", here),
                guards=tuple(raw.get("guards", ())),
                fields=fields,
                clocks=_clock_effects(raw.get("clocks")),
                sets_attributes=dict(raw.get("sets", {})),
                set_values={str(k): str(v) for k, v in raw.get("set_values", {}).items()},
                assigns_actor=bool(raw.get("assigns_actor", False)),
                notices=tuple(_notice(n, here) for n in raw.get("notices", ())),
                linked=_linked(raw.get("linked"), here),
                internal=bool(raw.get("internal", False)),
            )
        )
    return LifecycleDefinition(
        kind=_need(data, "kind", where),
        version=str(_need(data, "version", where)),
        initial=_need(data, "initial", where),
        states=states,
        transitions=tuple(transitions),
        on_log=_clock_effects(data.get("on_log")),
        on_expiry=_expiry_effects(data.get("on_expiry"), where),
        source_file=path.name,
        initial_when=tuple(
            (str(_need(item, "fact", where)), str(_need(item, "state", where)))
            for item in data.get("initial_when", ())
        ),
    )


def _linked(data: Any, where: str) -> LinkedStep | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"{where}: linked must be a mapping of case (an attribute) and trigger"
        )
    return LinkedStep(
        attribute=str(_need(data, "case", f"{where}: linked")),
        trigger=str(_need(data, "trigger", f"{where}: linked")),
    )


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ConfigurationError(f"{where}: expected a date as YYYY-MM-DD, got {value!r}")


def _unit(value: Any, where: str) -> DayUnit:
    try:
        return DayUnit(value)
    except ValueError:
        raise ConfigurationError(f"{where}: unit must be 'working' or 'calendar'") from None


def _extension(ext: Mapping[str, Any] | None, unit: Any, basis: str, where: str) -> Any:
    if not ext:
        return None
    return ExtensionAllowance(
        days=int(_need(ext, "days", f"{where}: extension")),
        unit=_unit(ext.get("unit", unit), where),
        max_count={str(k): int(v) for k, v in _need(ext, "max_count", where).items()},
        basis=ext.get("basis", basis),
    )


def _variants(raw: Mapping[str, Any], where: str) -> tuple[RuleVariant, ...]:
    variants = []
    for item in raw.get("variants", ()):
        when = tuple(str(w) for w in _as_list(_need(item, "when", f"{where}: a variant")))
        here = f"{where}: variant {'&'.join(when)}"
        variants.append(
            RuleVariant(
                when=when,
                length=int(_need(item, "length", here)),
                unit=_unit(item["unit"], here) if "unit" in item else None,
                extension=_extension(
                    item.get("extension"), item.get("unit", raw["unit"]), raw["basis"], here
                ),
                basis=str(item.get("basis", "")),
            )
        )
    return tuple(variants)


def load_rules(path: Path) -> list[DeadlineRule]:
    rules = []
    for raw in _need(_read_yaml(path), "rules", str(path)):
        code = _need(raw, "code", f"{path}: a rule")
        where = f"{path}: rule {code}"
        unit = _unit(_need(raw, "unit", where), where)
        extension = _extension(raw.get("extension"), raw["unit"], _need(raw, "basis", where), where)
        effective_to = raw.get("effective_to")
        rules.append(
            DeadlineRule(
                code=code,
                version=str(_need(raw, "version", where)),
                title=raw.get("title", code),
                titles={
                    key.removeprefix("title_"): str(value)
                    for key, value in raw.items()
                    if key.startswith("title_")
                },
                variants=_variants(raw, where),
                transition=str(raw.get("transition", "")),
                length=int(_need(raw, "length", where)),
                unit=unit,
                basis=_need(raw, "basis", where),
                effective_from=_as_date(_need(raw, "effective_from", where), where),
                effective_to=_as_date(effective_to, where) if effective_to else None,
                start_events=tuple(raw.get("start_events", ())),
                stop_events=tuple(raw.get("stop_events", ())),
                pause_events=tuple(raw.get("pause_events", ())),
                extension=extension,
                is_policy=bool(raw.get("policy", False)),
                note=raw.get("note", ""),
                escalation=raw.get("escalation", "default"),
            )
        )
    return rules


def load_escalation(path: Path) -> EscalationPolicy:
    ladders = []
    for name, steps in _need(_read_yaml(path), "ladders", str(path)).items():
        try:
            ladder_steps = tuple(
                LadderStep(
                    code=s["step"],
                    offset=int(s["offset"]),
                    recipients=tuple(RecipientRole(r) for r in s["recipients"]),
                    title=s.get("title", s["step"]),
                )
                for s in steps
            )
        except (KeyError, ValueError) as exc:
            allowed = ", ".join(r.value for r in RecipientRole)
            raise ConfigurationError(
                f"{path}: ladder {name}: each step needs step, offset and recipients "
                f"(one of {allowed}): {exc}"
            ) from exc
        ladders.append(Ladder(name=name, steps=ladder_steps))
    return EscalationPolicy.build(ladders)


def check_consistency(lifecycle: LifecycleDefinition, rules: RuleBook) -> None:
    """The lifecycle's clock effects and the rules' event lists must say the same thing."""
    problems = []
    for code in sorted(lifecycle.clock_codes()):
        if code not in rules.codes:
            problems.append(f"clock {code} is used by the lifecycle but has no rule")
    effects: dict[str, dict[str, set[str]]] = {}

    def note(code: str, kind: str, trigger: str) -> None:
        effects.setdefault(code, {}).setdefault(kind, set()).add(trigger)

    for expired, expiry in lifecycle.on_expiry.items():
        for start in expiry.start:
            note(start.code, "start", EXPIRY_EVENT + expired)
    for start in lifecycle.on_log.start:
        note(start.code, "start", "log")
        if start.stopped_at == "receipt":
            note(start.code, "stop", "log")
    for spec in lifecycle.transitions:
        for start in spec.clocks.start:
            note(start.code, "start", spec.trigger)
        for code in spec.clocks.stop:
            note(code, "stop", spec.trigger)
        for code in (*spec.clocks.pause, *spec.clocks.interval):
            note(code, "pause", spec.trigger)
    triggers = set(lifecycle.triggers)
    for spec in lifecycle.transitions:
        for notice in spec.notices:
            if notice.about and notice.about not in triggers:
                problems.append(
                    f"notice {notice.notice} of {spec.trigger} is about {notice.about}, "
                    "which is not a trigger of the lifecycle"
                )
            for code in notice.clocks:
                if code not in lifecycle.clock_codes():
                    problems.append(
                        f"notice {notice.notice} of {spec.trigger} states clock {code}, "
                        "which the lifecycle never starts"
                    )
    prefix = lifecycle.kind + "."
    for code in rules.codes:
        if not code.startswith(prefix):
            continue
        for rule in rules.versions(code):
            declared = {
                "start": set(rule.start_events),
                "stop": set(rule.stop_events),
                "pause": set(rule.pause_events),
            }
            for kind, triggers in declared.items():
                used = effects.get(code, {}).get(kind, set())
                if triggers != used:
                    problems.append(
                        f"rule {code} v{rule.version} lists {kind} events {sorted(triggers)} "
                        f"but the lifecycle {kind}s it on {sorted(used)}"
                    )
    if problems:
        raise ConfigurationError("; ".join(problems))


def load_definitions(folder: Path) -> Definitions:
    """Read every lifecycle in `folder`, the rules in `folder/rules` and `folder/escalation.yaml`."""
    rules = RuleBook(
        rule for path in sorted((folder / "rules").glob("*.yaml")) for rule in load_rules(path)
    )
    lifecycles = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "escalation.yaml":
            continue
        lifecycle = load_lifecycle(path)
        check_consistency(lifecycle, rules)
        lifecycles[lifecycle.kind] = lifecycle
    return Definitions(
        lifecycles=lifecycles, rules=rules, escalation=load_escalation(folder / "escalation.yaml")
    )
