"""The visibility policy (domain/visibility.py) in SQL, and the facts it reads for one case.

A list leaves out every case the viewer may not see with the same two conditions the policy
applies in Python: the case's agency is in the viewer's scope, and the viewer is not among the
officers the case excludes (the `case_exclusion` rows, looked up by their primary key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, insert, select

from casework.adapters.tables import CaseExclusionRow, CaseRow
from casework.domain.visibility import CaseFacts

CASES = CaseRow.__table__  # type: ignore[attr-defined]
EXCLUSIONS = CaseExclusionRow.__table__  # type: ignore[attr-defined]


def excluded_clause(viewer: str, case_id: Any = None) -> Any:
    """True for the cases that exclude `viewer` (by default, the row of `case_file` in the
    query)."""
    return exists().where(
        and_(
            EXCLUSIONS.c.case_id == (CASES.c.id if case_id is None else case_id),
            EXCLUSIONS.c.officer == viewer,
        )
    )


def visible_clause(viewer: str, scope: frozenset[str] | None, case_id: Any = None) -> Any:
    """The policy's `exists` for `viewer` with agency `scope` (None: every agency), as a
    condition on `case_file` (or on the case whose id is the column `case_id`)."""
    condition = ~excluded_clause(viewer, case_id)
    if scope is not None:
        agency = CASES.c.agency if case_id is None else _agency_of(case_id)
        condition = and_(agency.in_(sorted(scope)), condition)
    return condition


def _agency_of(case_id: Any) -> Any:
    return select(CASES.c.agency).where(CASES.c.id == case_id).scalar_subquery()


def exclusions_of(connection: Connection, case_ids: Iterable[int]) -> dict[int, set[str]]:
    """Case id → the officers it excludes, for `case_ids` (one statement)."""
    ids = sorted(set(case_ids))
    result: dict[int, set[str]] = {case_id: set() for case_id in ids}
    for start in range(0, len(ids), 5000):
        rows = connection.execute(
            select(EXCLUSIONS.c.case_id, EXCLUSIONS.c.officer).where(
                EXCLUSIONS.c.case_id.in_(ids[start : start + 5000])
            )
        ).all()
        for case_id, officer in rows:
            result[case_id].add(officer)
    return result


def case_facts(connection: Connection, case_id: int, ref: str, row: Mapping[str, Any]) -> CaseFacts:
    """The policy's facts of one case whose `case_file` columns are `row`."""
    return CaseFacts(
        ref=ref,
        kind=row["kind"],
        agency=row["agency"],
        logged_by=row["logged_by"],
        handler=row["handler"],
        excluded=frozenset(exclusions_of(connection, [case_id])[case_id]),
    )


def replace_exclusions(
    connection: Connection, reasons_by_case: Mapping[int, Mapping[str, str]]
) -> None:
    """Rewrite the exclusion rows of the cases in `reasons_by_case`."""
    ids = sorted(reasons_by_case)
    for start in range(0, len(ids), 5000):
        connection.execute(
            delete(EXCLUSIONS).where(EXCLUSIONS.c.case_id.in_(ids[start : start + 5000]))
        )
    rows = [
        {"case_id": case_id, "officer": officer, "reason": reason}
        for case_id, reasons in reasons_by_case.items()
        for officer, reason in reasons.items()
    ]
    if rows:
        connection.execute(insert(EXCLUSIONS), rows)
