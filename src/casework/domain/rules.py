"""Deadline rules as versioned data (state_machines/rules/): a clock keeps the version in force
on the day it started.

A rule says how long a legal clock runs, in which unit, what may extend or pause it, on which
legal basis, and from when to when it is in force. Rules are loaded from
`state_machines/rules/*.yaml`; this module only selects and validates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise

from casework.domain.calendar import DayUnit
from casework.domain.errors import ConfigurationError, NotFound

POLICY_MARK = "+policy"
VARIANT_MARK = "@"
"""A stored rule version "2011.1@remote_area" names the variant the clock was started under."""


@dataclass(frozen=True)
class ExtensionAllowance:
    """How far, and how often, a clock may be extended, by case complexity."""

    days: int
    unit: DayUnit
    max_count: Mapping[str, int]
    basis: str

    def allowed_count(self, complexity: str) -> int:
        return self.max_count.get(complexity, 0)


@dataclass(frozen=True)
class RuleVariant:
    """Another length (and extension) that applies when a case fact holds at the clock's
    start, e.g. remote areas (vùng sâu, vùng xa) or disciplinary complaints (LKN Arts. 28, 37, 50)."""

    when: tuple[str, ...]  # every one of these facts holds
    length: int
    unit: DayUnit | None = None
    extension: ExtensionAllowance | None = None
    basis: str = ""

    @property
    def key(self) -> str:
        return "&".join(self.when)


@dataclass(frozen=True)
class DeadlineRule:
    """One version of the rule behind a legal clock."""

    code: str
    version: str
    title: str
    length: int
    unit: DayUnit
    basis: str
    effective_from: date
    effective_to: date | None = None
    extension: ExtensionAllowance | None = None
    is_policy: bool = False
    note: str = ""
    escalation: str = "default"
    extra: Mapping[str, object] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)  # language -> title, e.g. "vi"
    variants: tuple[RuleVariant, ...] = ()
    variant: str | None = None  # set on the copy `for_facts` returns
    transition: str = ""  # how the law's transitional provisions bear on this version

    def for_facts(self, facts: Mapping[str, bool]) -> DeadlineRule:
        """This version as it applies to a case with `facts`: the first variant whose fact
        holds, or the rule itself."""
        for variant in self.variants:
            if all(facts.get(name, False) for name in variant.when):
                return self.as_variant(variant)
        return self

    def as_variant(self, variant: RuleVariant) -> DeadlineRule:
        return replace(
            self,
            length=variant.length,
            unit=variant.unit or self.unit,
            extension=variant.extension or self.extension,
            basis=f"{self.basis}; {variant.basis}" if variant.basis else self.basis,
            version=f"{self.version}{VARIANT_MARK}{variant.key}",
            variant=variant.key,
            variants=(),
        )

    def title_in(self, language: str) -> str:
        """The title in `language` where the rule gives one; the (English) `title` otherwise."""
        return self.titles.get(language, self.title)

    def is_in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def describe_length(self) -> str:
        """`30 calendar days`, with each variant: `; remote_area: 45 calendar days`."""
        text = length_words(self.length, self.unit)
        for variant in self.variants:
            text += f"; {variant.key}: {length_words(variant.length, variant.unit or self.unit)}"
        return text


def length_words(length: int, unit: DayUnit) -> str:
    """`30 calendar days`, `1 working day`."""
    noun = "working day" if unit is DayUnit.WORKING else "calendar day"
    return f"{length} {noun}{'s' if length != 1 else ''}"


class RuleBook:
    """Every version of every rule; picks the version in force on a clock's start date."""

    def __init__(self, rules: Iterable[DeadlineRule]) -> None:
        self._by_code: dict[str, list[DeadlineRule]] = {}
        for rule in rules:
            self._by_code.setdefault(rule.code, []).append(rule)
        for code, versions in self._by_code.items():
            versions.sort(key=lambda r: r.effective_from)
            for earlier, later in pairwise(versions):
                if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                    raise ConfigurationError(
                        f"rule {code}: versions {earlier.version} and {later.version} overlap; "
                        "close the earlier one with effective_to before the later one starts"
                    )

    @property
    def codes(self) -> list[str]:
        return sorted(self._by_code)

    def versions(self, code: str) -> list[DeadlineRule]:
        try:
            return list(self._by_code[code])
        except KeyError:
            raise NotFound(
                f"no deadline rule {code!r}; known rules: {', '.join(self.codes)}"
            ) from None

    def all_rules(self) -> list[DeadlineRule]:
        return [rule for code in self.codes for rule in self._by_code[code]]

    def in_force(
        self, code: str, on: date, facts: Mapping[str, bool] | None = None
    ) -> DeadlineRule:
        """The version of `code` in force on `on` (the clock's start date), in the variant
        the case's `facts` select."""
        for rule in self.versions(code):
            if rule.is_in_force_on(on):
                return rule.for_facts(facts or {})
        raise NotFound(f"no version of rule {code} is in force on {on.isoformat()}")

    def version(self, code: str, version: str) -> DeadlineRule:
        """The rule a stored clock names. A policy version ("2019.1+policy3") carries the
        length it was started with, so it stays resolvable whatever the settings say today."""
        plain, _, variant = version.partition(VARIANT_MARK)
        if variant:
            rule = self.version(code, plain)
            for candidate in rule.variants:
                if candidate.key == variant:
                    return rule.as_variant(candidate)
            raise NotFound(f"rule {code} v{plain} has no variant {variant!r}")
        base, _, policy_length = version.partition(POLICY_MARK)
        for rule in self.versions(code):
            if rule.version == version:
                return rule
            if base != rule.version.partition(POLICY_MARK)[0]:
                continue
            if policy_length.isdigit():
                return replace(rule, length=int(policy_length), version=version)
            if not policy_length and "statutory_length" in rule.extra:  # started before the policy
                length = int(str(rule.extra["statutory_length"]))
                return replace(rule, length=length, version=version)
        raise NotFound(f"rule {code} has no version {version!r}")

    def with_policy_lengths(self, lengths: Mapping[str, int]) -> RuleBook:
        """A copy where the agency's policy clocks (e.g. 'immediately') have their own lengths."""
        unknown = sorted(set(lengths) - set(self._by_code))
        if unknown:
            raise ConfigurationError(
                f"policy lengths name unknown clocks {', '.join(unknown)}; policy clocks: "
                + ", ".join(r.code for r in self.all_rules() if r.is_policy)
            )
        changed: list[DeadlineRule] = []
        for rule in self.all_rules():
            if rule.code in lengths:
                if not rule.is_policy:
                    raise ConfigurationError(
                        f"{rule.code} is set by law, not by agency policy; only policy clocks "
                        f"can be configured: {', '.join(r.code for r in self.all_rules() if r.is_policy)}"
                    )
                length = lengths[rule.code]
                rule = replace(
                    rule,
                    length=length,
                    version=f"{rule.version}{POLICY_MARK}{length}",
                    extra={**rule.extra, "statutory_length": rule.length},
                )
            changed.append(rule)
        return RuleBook(changed)
