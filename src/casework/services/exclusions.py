"""Keep each case's parties and the officers it excludes current (domain/parties.py).

Worked out at intake for the new case, and for every case whenever the organisation is loaded
(an officer who joins with a name the letter typed becomes a candidate; a new relation excludes
its officer) or the rule itself changes (`RULES_VERSION`). A letter a case was classified from
excludes whoever that case excludes: it holds the same allegation and the same sender.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from casework.adapters import party_store
from casework.adapters.case_store import as_reference, case_ids_of
from casework.adapters.case_visibility import (
    add_exclusions,
    exclusions_of,
    exclusions_stamp,
    record_exclusions_stamp,
    replace_exclusions,
)
from casework.adapters.unit_of_work import Transaction
from casework.domain.organisation import Organisation
from casework.domain.parties import (
    CaseExclusions,
    Exclusion,
    Party,
    PartyKind,
    PartyRole,
    excluded_officers,
)
from casework.domain.people import officers_named

RULES_VERSION = "3"
"""Bump when `excluded_officers` or `officers_named` changes: the next start recomputes."""


def party_of(row: Any) -> Party:
    """The party a stored party row (adapters/party_store.py) records."""
    return Party(
        role=PartyRole(row.role),
        kind=PartyKind(row.kind),
        name=row.name,
        officer=row.officer,
        agency=row.agency,
        candidates=tuple(row.candidates),
        outside_confirmed_by=row.outside_confirmed_by,
    )


def record_exclusions(
    connection: Transaction,
    case_id: int,
    exclusions: CaseExclusions,
    letter_id: int | None,
    original_id: int | None = None,
) -> None:
    """Store the exclusions of a case just logged (worked out by intake with its parties), and
    add them to the letter it was classified from. A re-denunciation (`original_id`) also
    excludes whoever the original case excludes: the same allegation, the same sender."""
    reasons = {officer: reason.value for officer, reason in exclusions.reasons.items()}
    if original_id is not None:
        for officer in exclusions_of(connection, [original_id])[original_id]:
            reasons.setdefault(officer, Exclusion.LINKED.value)
    add_exclusions(connection, {case_id: reasons})
    if letter_id is not None:
        add_exclusions(connection, {letter_id: _linked(reasons)})


def _linked(reasons: dict[str, str]) -> dict[str, str]:
    return dict.fromkeys(reasons, Exclusion.LINKED.value)


def refresh_exclusions(
    connection: Transaction, org: Organisation, case_ids: Iterable[int] | None = None
) -> int:
    """Recompute candidates and exclusions of `case_ids` (every case when None) and of the
    letters they were classified from; returns how many cases were rewritten."""
    wanted = None if case_ids is None else set(case_ids)
    cases: dict[int, Any] = party_store.exclusion_cases(connection, wanted)
    links = _LinkedIds(connection, cases.values())
    letters = {
        links.of(c.attributes["from_letter"])
        for c in cases.values()
        if c.attributes.get("from_letter")
    }
    originals = {
        links.of(c.attributes["redenunciation_of"])
        for c in cases.values()
        if c.attributes.get("redenunciation_of")
    }
    if wanted is not None and (letters | originals) - set(cases):
        more = party_store.exclusion_cases(connection, (letters | originals) - set(cases))
        links.add(more.values())
        cases.update(more)
    ids = None if wanted is None else set(cases)
    parties = party_store.parties_by_case(connection, ids)
    recused = party_store.recusals_by_case(connection, ids)
    reasons: dict[int, dict[str, str]] = {}
    for case_id, case in cases.items():
        current = [
            _recandidate(connection, org, row, case.received_on) for row in parties.get(case_id, [])
        ]
        computed = excluded_officers(
            org, case.kind, current, case.received_on, recused.get(case_id, ())
        )
        reasons[case_id] = {officer: reason.value for officer, reason in computed.reasons.items()}
    # a re-denunciation excludes whoever its original excludes (oldest first: a chain of them
    # inherits down the chain)
    for case_id in sorted(cases):
        original = cases[case_id].attributes.get("redenunciation_of")
        if original and links.of(original) in reasons:
            for officer in reasons[links.of(original)]:
                reasons[case_id].setdefault(officer, Exclusion.LINKED.value)
    for case_id, case in cases.items():
        letter = case.attributes.get("from_letter")
        if letter:
            if not links.of(letter):
                continue  # a letter no longer there: nothing to link
            linked = reasons.setdefault(links.of(letter), {})
            for officer, reason in _linked(reasons[case_id]).items():
                linked.setdefault(officer, reason)
    replace_exclusions(connection, reasons)
    return len(reasons)


class _LinkedIds:
    """The ids of the letters and originals that cases name by reference, read at once for a
    batch of cases; a reference that names no case gets id 0, which no case has."""

    _FIELDS = ("from_letter", "redenunciation_of")

    def __init__(self, connection: Transaction, cases: Iterable[Any]) -> None:
        self.connection = connection
        self.ids: dict[str, int] = {}
        self.add(cases)

    def add(self, cases: Iterable[Any]) -> None:
        refs = {
            as_reference(c.attributes[field])
            for c in cases
            for field in self._FIELDS
            if c.attributes.get(field)
        }
        self.ids.update(case_ids_of(self.connection, refs - {None} - set(self.ids)))

    def of(self, ref: Any) -> int:
        return self.ids.get(as_reference(ref) or "", 0)


def _recandidate(connection: Transaction, org: Organisation, row: Any, on: date) -> Party:
    """The party with its candidates worked out against today's organisation (stored when
    they changed): a person typed by name is matched again on every refresh."""
    party = party_of(row)
    if party.kind != PartyKind.PERSON:
        return party
    candidates = tuple(o.code for o in officers_named(org, party.name, on))
    if candidates == party.candidates:
        return party
    party_store.set_candidates(connection, row.id, candidates)
    return replace(party, candidates=candidates)


def stamp(organisation_stamp: str | None) -> str:
    """The stamp of exclusions worked out by this rule from the organisation loaded with
    `organisation_stamp`."""
    return f"{RULES_VERSION}@{organisation_stamp or ''}"


def ensure_exclusions_current(
    connection: Transaction, org: Organisation, organisation_stamp: str | None
) -> bool:
    """Recompute every case's exclusions if the organisation or the rule changed since they
    were last worked out (after an upgrade, or an organisation loaded by an older engine);
    returns whether it did."""
    wanted = stamp(organisation_stamp)
    if exclusions_stamp(connection) == wanted:
        return False
    refresh_exclusions(connection, org)
    record_stamp(connection, organisation_stamp)
    return True


def record_stamp(connection: Transaction, organisation_stamp: str | None) -> None:
    """Record that the stored exclusions follow this rule and the organisation loaded with
    `organisation_stamp`."""
    record_exclusions_stamp(connection, stamp(organisation_stamp))
