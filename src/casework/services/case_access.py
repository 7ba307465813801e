"""The visibility policy (domain/visibility.py) applied to stored cases: every path that shows
or touches a case asks here, with the officer who reads or acts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from casework.adapters.case_lookup import load_case_row
from casework.adapters.case_store import as_reference, case_ids_of
from casework.adapters.case_visibility import exclusions_of, visibility_rows
from casework.adapters.unit_of_work import Transaction
from casework.domain.access import Principal
from casework.domain.facts import CASE_LINKS
from casework.domain.organisation import Organisation
from casework.domain.visibility import (
    CaseAccess,
    CaseFacts,
    case_access,
    link_shown,
    require_exists,
)
from casework.services.app import Casework, legal_date

__all__ = [
    "access_to",
    "accesses",
    "facts_by_ref",
    "facts_for",
    "facts_of",
    "linked_refs",
    "require_case_access",
    "withheld_links",
    "withheld_links_of",
]


def facts_of(case: Any, excluded: Iterable[str]) -> CaseFacts:
    """The policy's facts of a case read in any form that has its columns as attributes (a
    table row, a `StoredCase`, a row of a Core query), with the officers it excludes."""
    return CaseFacts(
        ref=case.reference,
        kind=case.kind,
        agency=case.agency,
        logged_by=case.logged_by,
        handler=case.handler,
        excluded=frozenset(excluded),
    )


def access_to(
    org: Organisation, connection: Transaction, principal: Principal | None, case: Any, today: date
) -> CaseAccess:
    """What `principal` may do with `case` (already read, see `facts_of`) on `today`."""
    excluded = exclusions_of(connection, [case.id])[case.id]
    return case_access(org, principal, facts_of(case, excluded), today)


def require_case_access(
    app: Casework, principal: Principal | None, ref: str, now: datetime
) -> CaseAccess:
    """The policy's answer for `principal` and case `ref`; the NotFound of a missing case if
    the case does not exist for him."""
    with app.reading() as session:
        case = load_case_row(session, ref)
        connection = session.connection()
        access = access_to(
            app.organisation(connection), connection, principal, case, legal_date(now)
        )
    # the reference as typed, as the NotFound of a missing case gives it: nothing tells them apart
    require_exists(access, ref)
    return access


def facts_for(connection: Transaction, case_ids: Iterable[int]) -> dict[int, CaseFacts]:
    """Case id → the policy's facts, for each of `case_ids` that exists (read in two queries
    however many: a page of audit entries, notices or alerts, each about some case)."""
    rows = visibility_rows(connection, case_ids)
    excluded = exclusions_of(connection, [row.id for row in rows])
    return {row.id: facts_of(row, excluded[row.id]) for row in rows}


def facts_by_ref(connection: Transaction, refs: Iterable[str]) -> dict[str, CaseFacts]:
    """Reference (as stored) → the policy's facts, for each of `refs` that names a case."""
    rows = visibility_rows(connection, refs=refs)
    excluded = exclusions_of(connection, [row.id for row in rows])
    return {row.reference: facts_of(row, excluded[row.id]) for row in rows}


def accesses(
    org: Organisation,
    connection: Transaction,
    principal: Principal | None,
    case_ids: Iterable[int],
    today: date,
) -> dict[int, CaseAccess]:
    """The policy's answer for `principal` and each of `case_ids` that exists."""
    return {
        case_id: case_access(org, principal, facts, today)
        for case_id, facts in facts_for(connection, case_ids).items()
    }


LINKS = CASE_LINKS
"""The fields of a case's attributes (and of its audit payloads) that hold another case's
reference (domain/facts.py)."""


def linked_refs(values: Mapping[str, Any]) -> dict[str, str]:
    """Field → the reference (as stored) it holds, for each of `LINKS` in `values` that holds
    something shaped like one."""
    found = {}
    for key in LINKS:
        ref = as_reference(values[key]) if isinstance(values.get(key), str) else None
        if ref is not None:
            found[key] = ref
    return found


def withheld_links_of(
    connection: Transaction,
    org: Organisation,
    viewer: Principal | None,
    case_id: int,
    records: list[Mapping[str, Any]],
    today: date,
) -> list[list[str]]:
    """For each of `records` about case `case_id` (its attributes, each step's data), the
    link fields `viewer` may not follow: the linked cases and their policy facts read once
    for them all."""
    refs = {ref for record in records for ref in linked_refs(record).values()}
    linked = case_ids_of(connection, refs).values() if refs else []
    facts = facts_for(connection, [case_id, *linked])
    return [withheld_links(org, viewer, facts[case_id], record, facts, today) for record in records]


def withheld_links(
    org: Organisation,
    viewer: Principal | None,
    case: CaseFacts,
    values: Mapping[str, Any],
    facts: Mapping[int, CaseFacts],
    today: date,
) -> list[str]:
    """The fields of `values` (about `case`) whose link `viewer` may not follow
    (domain/visibility.link_shown); `facts` holds the linked cases' facts."""
    withheld = []
    by_ref = {linked.ref: linked for linked in facts.values()}
    for key, ref in linked_refs(values).items():
        linked = by_ref.get(ref)
        if linked is None:
            continue  # not a case: nothing to withhold
        if not link_shown(org, viewer, key, case, linked, today):
            withheld.append(key)
    return withheld
