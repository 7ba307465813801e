"""Which rule applied to each clock of a case and why, and what the clocks would be under
another rule version or calendar (a what-if that writes nothing).

A clock keeps the rule version in force on the day it started: a complaint
received on 2026-06-30 keeps 10 working days to be accepted, one received on 2026-07-01 gets 7
(ND155). The case's facts then pick the rule's variant (remote area, disciplinary, second
instance). These views spell that choice out, so an officer can answer "why this date?".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from casework.adapters import audit_log, case_reads, clock_rows
from casework.adapters.case_lookup import load_case_row, ref_of
from casework.adapters.case_store import CaseStore
from casework.adapters.holiday_calendar import VietnamCalendar
from casework.domain.calendar import WorkingCalendar
from casework.domain.clocks import compute_due
from casework.domain.errors import InvalidInput, NotFound
from casework.domain.facts import case_facts
from casework.domain.rules import DeadlineRule, RuleBook, length_words
from casework.services.app import Casework, legal_date
from casework.services.read_models import CaseExplanation, ClockExplanation


def rule_catalogue(rules: RuleBook, kind: str | None = None) -> list[dict[str, Any]]:
    """Every version of every rule (of one kind's clocks, given `kind`), with its variants,
    dates in force, legal basis and transitional note."""
    kinds = sorted({code.partition(".")[0] for code in rules.codes})
    if kind is not None and kind not in kinds:
        raise InvalidInput(f"no rules for kind {kind!r}; kinds: {', '.join(kinds)}")
    return [
        _rule_entry(rule)
        for rule in rules.all_rules()
        if kind is None or rule.code.startswith(f"{kind}.")
    ]


def _rule_entry(rule: DeadlineRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "version": rule.version,
        "title": rule.title,
        "title_vi": rule.title_in("vi"),
        "length": rule.length,
        "unit": rule.unit.value,
        "basis": rule.basis,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        "extension": (
            {
                "days": rule.extension.days,
                "unit": rule.extension.unit.value,
                "max_count": dict(rule.extension.max_count),
                "basis": rule.extension.basis,
            }
            if rule.extension
            else None
        ),
        "variants": [
            {
                "when": list(v.when),
                "length": v.length,
                "unit": (v.unit or rule.unit).value,
                "basis": v.basis,
                "extension_days": v.extension.days if v.extension else None,
            }
            for v in rule.variants
        ],
        "policy": rule.is_policy,
        "escalation": rule.escalation,
        "transition": rule.transition,
        "note": rule.note,
    }


def _in_force_words(rule: DeadlineRule) -> str:
    until = f" to {rule.effective_to.isoformat()}" if rule.effective_to else " on"
    return f"in force from {rule.effective_from.isoformat()}{until}"


def _why(
    rules: RuleBook, applied: DeadlineRule, start_on: date, facts: Mapping[str, bool]
) -> list[str]:
    """The reasons, in words, that `applied` is the rule of a clock started on `start_on`."""
    plain_version = applied.version.partition("@")[0]
    base = rules.version(applied.code, plain_version)
    reasons = [
        f"v{base.version} ({_in_force_words(base)}; {base.basis}) was in force on "
        f"{start_on.isoformat()}, the day the clock started: a clock keeps the rule of its "
        "start"
    ]
    for other in rules.versions(applied.code):
        if other.version == base.version:
            continue
        when = "takes effect later" if other.effective_from > start_on else "had ceased to apply"
        reasons.append(
            f"not v{other.version} ({length_words(other.length, other.unit)}, "
            f"{_in_force_words(other)}): it {when}"
        )
    if applied.variant:
        facts_text = " and ".join(applied.variant.split("&"))
        reasons.append(
            f"the case records {facts_text}, so the variant of "
            f"{length_words(applied.length, applied.unit)} applies ({applied.basis})"
        )
    elif base.variants:
        named = sorted({name for v in base.variants for name in v.when})
        held = [name for name in named if facts.get(name)]
        reasons.append(
            f"no variant applies (variants need {', '.join(v.key for v in base.variants)}; "
            f"the case records {', '.join(held) or 'none of ' + ', '.join(named)}): "
            f"{length_words(applied.length, applied.unit)}"
        )
    if base.transition:
        reasons.append(f"transitional rule: {base.transition}")
    return reasons


def explain_case(app: Casework, ref: str, now: datetime) -> CaseExplanation:
    """For each clock of the case: the rule version applied, why, and how its due date was
    computed."""
    with app.reading() as session:
        case = load_case_row(session, ref)
        ref = ref_of(case)
        stored_case = CaseStore(session.connection()).get(ref)
        facts = case_facts(stored_case.attributes, stored_case.state, stored_case.forwarded_by)
        started_by = {
            (str(entry.payload.get("clock")), str(entry.payload.get("start_on"))): str(
                entry.payload.get("by", "")
            )
            for entry in audit_log.case_entries(session, ref, "clock.started")
        }
        clocks: list[ClockExplanation] = []
        for row in case_reads.all_clock_rows(session, stored_case.id):
            clock = clock_rows.to_domain(row, app.rules)
            computed = compute_due(clock, app.calendar)
            trigger = started_by.get((row.code, row.start_on.isoformat()), "")
            clocks.append(
                {
                    "code": row.code,
                    "title": clock.rule.title,
                    "status": row.status,
                    "start_on": row.start_on.isoformat(),
                    "started_by": trigger or None,
                    "due": row.due.isoformat() if row.due else None,
                    "rule_version": row.rule_version,
                    "variant": clock.rule.variant,
                    "basis": clock.rule.basis,
                    "why": _why(app.rules, clock.rule, row.start_on, facts),
                    "computation": computed.explanation,
                    "calendar_version": row.calendar_version,
                }
            )
    return {
        "ref": ref,
        "kind": case.kind,
        "received_on": case.received_on.isoformat(),
        "facts": sorted(name for name, held in facts.items() if held),
        "today": legal_date(now).isoformat(),
        "clocks": clocks,
    }


@dataclass(frozen=True)
class Scenario:
    """What to change in a what-if: the date whose rules apply to every clock (as if each had
    started under the rules in force then), a version per rule code, and/or another calendar."""

    rules_as_of: date | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    calendar_file: str | None = None

    def describe(self) -> str:
        parts = []
        if self.rules_as_of:
            parts.append(f"rules in force on {self.rules_as_of.isoformat()}")
        parts += [f"{code} v{version}" for code, version in self.versions.items()]
        if self.calendar_file:
            parts.append(f"calendar with {self.calendar_file}")
        return ", ".join(parts)


def _alternative_rule(
    rules: RuleBook, scenario: Scenario, current: DeadlineRule, facts: Mapping[str, bool]
) -> DeadlineRule:
    if current.code in scenario.versions:
        wanted = scenario.versions[current.code]
        chosen = rules.version(current.code, wanted)
        return chosen if "@" in wanted else chosen.for_facts(facts)
    if scenario.rules_as_of is not None:
        return rules.in_force(current.code, scenario.rules_as_of, facts)
    return current


def what_if(app: Casework, ref: str, now: datetime, scenario: Scenario) -> dict[str, Any]:
    """Each clock's due date now and under `scenario`, and the difference. Writes nothing:
    the case, its clocks and the audit trail stay as they are."""
    if not (scenario.rules_as_of or scenario.versions or scenario.calendar_file):
        raise InvalidInput(
            "say what to change: --rules-as-of DATE, --rule CODE=VERSION (see `casework rules "
            "list`), or --calendar-file FILE"
        )
    calendar: WorkingCalendar = app.calendar
    if scenario.calendar_file:
        calendar = VietnamCalendar.from_file(Path(scenario.calendar_file))
    unknown = sorted(set(scenario.versions) - set(app.rules.codes))
    if unknown:
        raise InvalidInput(f"no rule {', '.join(unknown)}; rules: {', '.join(app.rules.codes)}")
    for code, wanted in scenario.versions.items():
        try:
            app.rules.version(code, wanted)
        except NotFound:
            known = sorted({r.version for r in app.rules.versions(code)})
            raise InvalidInput(
                f"{code} has no version {wanted!r}; versions: {', '.join(known)} "
                "(`casework rules list`)"
            ) from None
    with app.reading() as session:
        case = load_case_row(session, ref)
        ref = ref_of(case)
        stored_case = CaseStore(session.connection()).get(ref)
        facts = case_facts(stored_case.attributes, stored_case.state, stored_case.forwarded_by)
        rows = case_reads.all_clock_rows(session, stored_case.id)
        clocks: list[dict[str, Any]] = []
        for row in rows:
            clock = clock_rows.to_domain(row, app.rules)
            try:
                rule = _alternative_rule(app.rules, scenario, clock.rule, facts)
            except NotFound as missing:  # e.g. a duty the law created later
                clocks.append(
                    {
                        "code": row.code,
                        "status": row.status,
                        "rule_version": row.rule_version,
                        "due": row.due.isoformat() if row.due else None,
                        "what_if_rule_version": None,
                        "what_if_due": None,
                        "days_moved": None,
                        "late_now": bool(row.stopped_on and row.due and row.stopped_on > row.due),
                        "late_then": False,
                        "computation": [f"not applicable: {missing}"],
                    }
                )
                continue
            alternative = compute_due(replace(clock, rule=rule), calendar)
            current_due = row.due
            new_due = alternative.due
            clocks.append(
                {
                    "code": row.code,
                    "status": row.status,
                    "rule_version": row.rule_version,
                    "due": current_due.isoformat() if current_due else None,
                    "what_if_rule_version": rule.version,
                    "what_if_due": new_due.isoformat() if new_due else None,
                    "days_moved": (new_due - current_due).days if new_due and current_due else None,
                    "late_now": bool(
                        row.stopped_on and current_due and row.stopped_on > current_due
                    ),
                    "late_then": bool(row.stopped_on and new_due and row.stopped_on > new_due),
                    "computation": alternative.explanation,
                }
            )
    return {
        "ref": ref,
        "scenario": scenario.describe(),
        "calendar_version": calendar.version,
        "written": False,
        "clocks": clocks,
    }
