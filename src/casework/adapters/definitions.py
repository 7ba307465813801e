"""Load lifecycle definitions, deadline rules and the escalation policy from their YAML files."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from casework.domain.calendar import DayUnit
from casework.domain.errors import ConfigurationError
from casework.domain.escalation import EscalationPolicy, Ladder, LadderStep, RecipientRole
from casework.domain.facts import CASE_LINKS, DERIVED_FACTS, INTAKE_DATES, INTAKE_FACTS
from casework.domain.guards import GuardScope, guard_problems
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
from casework.domain.references import REFERENCE_PREFIX
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


class _Lined(dict[str, Any]):
    """A mapping read from YAML, with the line it starts on: a problem found in a definition
    names its file and line."""

    line = 0


class _LinedLoader(_LOADER):  # type: ignore[misc]
    pass


def _lined_mapping(loader: Any, node: Any) -> _Lined:
    mapping = _Lined(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LinedLoader.add_constructor("tag:yaml.org,2002:map", _lined_mapping)


def unknown_name(name: str, known: Collection[str], what: str) -> str:
    """`name` is not one of `known`: the nearest spelling if there is one, else the list."""
    near = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean {near[0]!r}?" if near else f"{what}s: {', '.join(sorted(known))}"
    return f"{name!r} is no {what} ({hint})"


def _at(path: Path, data: Any) -> str:
    """`path:line` of a mapping read by `_read_yaml`."""
    return f"{path}:{getattr(data, 'line', 0)}"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LinedLoader)
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
    """The lifecycle in `path`, as read (`load_definitions` also cross-checks it)."""
    return _read_lifecycle(path)[0]


def _read_lifecycle(path: Path) -> tuple[LifecycleDefinition, dict[str, Any]]:
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
        here = f"{_at(path, raw)}: trigger {trigger}"
        fields = tuple(
            FieldSpec(
                name=f["name"],
                description=f.get("description", ""),
                choices=tuple(str(c) for c in f.get("choices", ())),
                required=bool(f.get("required", True)),
                description_vi=str(f.get("description_vi", "")),
                labels_vi=tuple((str(k), str(v)) for k, v in f.get("labels_vi", {}).items()),
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
    declared = set(states)
    misnamed = [
        f"{_at(path, raw)}: trigger {spec.trigger}: "
        + unknown_name(name, declared, "state of the lifecycle")
        for raw, spec in zip(data["transitions"], transitions, strict=True)
        for name in (*spec.sources, *([] if spec.dest in ("=", *declared) else [spec.dest]))
        if name not in declared
    ]
    if misnamed:
        raise ConfigurationError("\n".join(misnamed))
    lifecycle = LifecycleDefinition(
        kind=_need(data, "kind", where),
        version=str(_need(data, "version", where)),
        initial=_need(data, "initial", where),
        states=states,
        transitions=tuple(transitions),
        on_log=_clock_effects(data.get("on_log")),
        on_expiry=_expiry_effects(data.get("on_expiry"), where),
        source_file=path.name,
        reference_prefix=str(_need(data, "reference_prefix", where)),
        initial_when=tuple(
            (str(_need(item, "fact", where)), str(_need(item, "state", where)))
            for item in data.get("initial_when", ())
        ),
    )
    return lifecycle, data


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


_LIFECYCLE_KEYS = ("start_events", "stop_events", "pause_events")
"""What rule files once repeated of the lifecycle."""


@dataclass(frozen=True)
class RuleNames:
    """What a rule file may name: the facts of a case, the escalation ladders, the kinds."""

    facts: Collection[str]
    ladders: Collection[str]
    kinds: Collection[str]


def load_rules(
    path: Path, known: RuleNames | None = None, problems: list[str] | None = None
) -> list[DeadlineRule]:
    """The rules in `path`; with `known`, a name that is none of them is a problem, added to
    `problems` (raised at once without it)."""
    rules = []
    found: list[str] = []
    for raw in _need(_read_yaml(path), "rules", str(path)):
        code = _need(raw, "code", f"{path}: a rule")
        where = f"{_at(path, raw)}: rule {code}"
        stated = sorted(key for key in _LIFECYCLE_KEYS if key in raw)
        if stated:
            found.append(
                f"{where}: {', '.join(stated)}: when a clock starts, stops or pauses is stated "
                "by the lifecycle alone (the `clocks:` of its steps, `on_log`, `on_expiry`); "
                "remove these lines"
            )
        if known is not None:
            found += _rule_name_problems(path, raw, str(code), known)
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
                extension=extension,
                is_policy=bool(raw.get("policy", False)),
                note=raw.get("note", ""),
                escalation=raw.get("escalation", "default"),
            )
        )
    if found and problems is None:
        raise ConfigurationError("\n".join(found))
    (problems if problems is not None else []).extend(found)
    return rules


def _rule_name_problems(
    path: Path, raw: Mapping[str, Any], code: str, known: RuleNames
) -> list[str]:
    where = f"{_at(path, raw)}: rule {code}"
    problems = [
        f"{_at(path, item)}: rule {code}: a variant's when: "
        + unknown_name(str(name), known.facts, "fact of a case")
        for item in raw.get("variants", ())
        for name in _as_list(item.get("when"))
        if str(name) not in known.facts
    ]
    ladder = str(raw.get("escalation", "default"))
    if ladder not in known.ladders:
        problems.append(f"{where}: escalation: " + unknown_name(ladder, known.ladders, "ladder"))
    kind = code.partition(".")[0]
    if kind not in known.kinds:
        problems.append(
            f"{where}: a rule's code starts with the kind whose clock it times: "
            + unknown_name(kind, known.kinds, "kind of case")
        )
    return problems


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
    """Each rule of the lifecycle's kind is started by some step (the names the lifecycle uses
    are checked, with their lines, when the definitions are loaded). When a clock starts,
    stops and pauses is stated by the lifecycle alone."""
    started = {start.code for start in lifecycle.on_log.start}
    for expiry in lifecycle.on_expiry.values():
        started |= {start.code for start in expiry.start}
    for spec in lifecycle.transitions:
        started |= {start.code for start in spec.clocks.start}
    prefix = lifecycle.kind + "."
    problems = [
        f"rule {code}: no step of the {lifecycle.kind} lifecycle starts its clock"
        for code in sorted(c for c in rules.codes if c.startswith(prefix) and c not in started)
    ]
    if problems:
        raise ConfigurationError("; ".join(problems))


def lifecycle_facts(lifecycle: LifecycleDefinition) -> set[str]:
    """The facts a case of this lifecycle can have: reception's, the derived ones, and every
    attribute its steps record (a "yes" recorded is a fact, e.g. dialogue_held)."""
    return {*INTAKE_FACTS, *DERIVED_FACTS, *_recorded_attributes(lifecycle)}


def _recorded_attributes(lifecycle: LifecycleDefinition) -> frozenset[str]:
    """What the lifecycle's steps record on a case (`sets:` and `set_values:`)."""
    return frozenset(
        name for spec in lifecycle.transitions for name in (*spec.sets_attributes, *spec.set_values)
    )


def _cross_check(
    path: Path, data: Mapping[str, Any], lifecycle: LifecycleDefinition, rules: RuleBook
) -> list[str]:
    """Each name a lifecycle file uses, against what it can name: guards and their arguments,
    the facts of clock starts and initial states, the fields a step records."""
    problems: list[str] = []
    facts = lifecycle_facts(lifecycle)
    attributes = _recorded_attributes(lifecycle)
    dates = {*INTAKE_DATES, *attributes}

    def check_starts(effects: Any, where: str) -> None:
        for start in _as_list((effects or {}).get("start")):
            # `when` names one fact; `unless` one or more, as a|b
            named = [("when", str(start.get("when") or ""))] + [
                ("unless", name) for name in str(start.get("unless") or "").split("|")
            ]
            problems.extend(
                f"{_at(path, start)}: {where}: clock {start.get('clock')} {key}: "
                + unknown_name(name, facts, f"fact of a {lifecycle.kind}")
                for key, name in named
                if name and name not in facts
            )
            anchor = str(start.get("anchor") or "")
            dated = anchor.removeprefix("attribute:")
            if anchor.startswith("attribute:") and dated not in dates:
                problems.append(
                    f"{_at(path, start)}: {where}: clock {start.get('clock')} anchor: "
                    + unknown_name(dated, dates, "date a case records")
                )

    check_starts(data.get("on_log"), "on_log")
    for where, effects in (("on_log", lifecycle.on_log), *lifecycle.on_expiry.items()):
        problems += [
            f"{path}: {where}: " + unknown_name(code, rules.codes, "clock with a deadline rule")
            for code in sorted({*effects.codes(), *([] if where == "on_log" else [where])})
            if code not in rules.codes
        ]
    for code, effects in (data.get("on_expiry") or {}).items():
        check_starts(effects, f"on_expiry of {code}")
    for item in data.get("initial_when", ()):
        if str(item.get("fact")) not in facts:
            problems.append(
                f"{_at(path, item)}: initial_when: "
                + unknown_name(str(item.get("fact")), facts, f"fact of a {lifecycle.kind}")
            )
    for raw, spec in zip(data["transitions"], lifecycle.transitions, strict=True):
        here = f"{_at(path, raw)}: trigger {spec.trigger}"
        check_starts(raw.get("clocks"), f"trigger {spec.trigger}")
        scope = GuardScope(
            spec=spec,
            clock_codes=frozenset(rules.codes),
            triggers=frozenset(lifecycle.triggers),
            states=frozenset(lifecycle.states),
            attributes=attributes,
        )
        problems += [f"{here}: {p}" for g in spec.guards for p in guard_problems(g, scope)]
        if spec.linked is not None and spec.linked.attribute not in CASE_LINKS:
            problems.append(
                f"{here}: linked: "
                + unknown_name(spec.linked.attribute, CASE_LINKS, "link to another case")
            )
        problems += [
            f"{here}: clocks: " + unknown_name(code, rules.codes, "clock with a deadline rule")
            for code in sorted(spec.clocks.codes())
            if code not in rules.codes
        ]
        for notice in spec.notices:
            if notice.about and notice.about not in lifecycle.triggers:
                problems.append(
                    f"{here}: notice {notice.notice} about: "
                    + unknown_name(notice.about, lifecycle.triggers, "trigger of the lifecycle")
                )
            problems += [
                f"{here}: notice {notice.notice} clock: "
                + unknown_name(code, lifecycle.clock_codes(), "clock the lifecycle starts")
                for code in notice.clocks
                if code not in lifecycle.clock_codes()
            ]
        fields = {f.name for f in spec.fields}
        for attribute, field_name in spec.sets_attributes.items():
            if field_name not in fields:
                problems.append(
                    f"{here}: sets {attribute} from {field_name!r}, which is not one of its "
                    f"fields ({', '.join(sorted(fields)) or 'none'})"
                )
    return problems


def load_definitions(folder: Path) -> Definitions:
    """Read every lifecycle in `folder`, the rules in `folder/rules` and `folder/escalation.yaml`,
    and cross-check every name they use; every problem found is reported, each with its file
    and line."""
    problems: list[str] = []
    read: list[tuple[LifecycleDefinition, dict[str, Any], Path]] = []
    unread: set[str] = set()  # a kind whose file is reported unreadable: its rules still count
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "escalation.yaml":
            continue
        try:
            lifecycle, data = _read_lifecycle(path)
        except ConfigurationError as unreadable:  # reported with the rest
            problems.append(str(unreadable))
            unread.add(path.stem)
            continue
        read.append((lifecycle, data, path))
    escalation = load_escalation(folder / "escalation.yaml")
    known = RuleNames(
        facts={fact for lifecycle, _, _ in read for fact in lifecycle_facts(lifecycle)},
        ladders=set(escalation.ladders),
        kinds={lifecycle.kind for lifecycle, _, _ in read} | unread,
    )
    rules = RuleBook(
        rule
        for path in sorted((folder / "rules").glob("*.yaml"))
        for rule in load_rules(path, known, problems)
    )
    lifecycles = {}
    by_prefix: dict[str, str] = {}
    for lifecycle, data, path in read:
        prefix = lifecycle.reference_prefix
        if not REFERENCE_PREFIX.match(prefix):
            problems.append(
                f"{path}: reference_prefix {prefix!r}: two to eight capital letters without "
                "accents (TC, KN, KNPA, DON), as references are typed"
            )
        elif by_prefix.setdefault(prefix, lifecycle.kind) != lifecycle.kind:
            problems.append(
                f"{path}: reference_prefix {prefix!r} is already the {by_prefix[prefix]}s': "
                "each kind numbers its own register"
            )
        problems += _cross_check(path, data, lifecycle, rules)
        try:
            check_consistency(lifecycle, rules)
        except ConfigurationError as inconsistent:
            problems.append(f"{path}: {inconsistent}")
        lifecycles[lifecycle.kind] = lifecycle
    if problems:
        raise ConfigurationError("\n".join(problems))
    return Definitions(lifecycles=lifecycles, rules=rules, escalation=escalation)
