"""The stored exclusions the visibility policy (domain/visibility.py) reads and writes.

A list leaves out every case the viewer may not see with the same conditions the policy applies
in Python: the case's agency is in the viewer's scope (filtered by the caller), and the viewer
is not among the officers the case excludes (the `case_exclusion` rows, looked up by their
primary key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, exists, insert, select, update

from casework.adapters.bulk import insert_ignoring_duplicates
from casework.adapters.tables import (
    CaseExclusionRow,
    CaseRow,
    EngineStateRow,
)

CASES = CaseRow.__table__  # type: ignore[attr-defined]
EXCLUSIONS = CaseExclusionRow.__table__  # type: ignore[attr-defined]
_ENGINE_STATE = EngineStateRow.__table__  # type: ignore[attr-defined]
_STAMP_KEY = "exclusions"  # the engine state naming what the stored exclusions follow
_BATCH = 5000  # ids per IN list


def excluded_clause(viewer: str, case_id: Any = None) -> Any:
    """True for the rows in the query whose case excludes `viewer`: rows of `case_file`, or of
    another table whose `case_id` column is given (a notice in the outbox)."""
    column = CASES.c.id if case_id is None else case_id
    return exists().where(and_(EXCLUSIONS.c.case_id == column, EXCLUSIONS.c.officer == viewer))


def cases_excluding(viewer: str) -> Any:
    """The ids of the cases that exclude `viewer`: his own rows, found by their officer
    index; a grouped count takes theirs away from the count of every case in scope
    (adapters/dashboard_queries.Scope.counts) instead of probing each case it counts."""
    return select(EXCLUSIONS.c.case_id).where(EXCLUSIONS.c.officer == viewer)


_VISIBILITY_COLUMNS = (
    CASES.c.id,
    CASES.c.reference,
    CASES.c.kind,
    CASES.c.agency,
    CASES.c.logged_by,
    CASES.c.handler,
)


def visibility_rows(
    connection: Connection, case_ids: Iterable[int] = (), refs: Iterable[str] = ()
) -> list[Any]:
    """The columns the visibility policy reads (reference, kind, agency, logged_by, handler)
    of each case of `case_ids` — or, given as stored, of `refs` — that exists, with its id."""
    ids = sorted(set(case_ids))
    references = sorted(set(refs))
    if not ids and not references:
        return []
    chosen = CASES.c.id.in_(ids) if ids else CASES.c.reference.in_(references)
    return list(connection.execute(select(*_VISIBILITY_COLUMNS).where(chosen)).all())


def exclusions_of(connection: Connection, case_ids: Iterable[int]) -> dict[int, set[str]]:
    """Case id → the officers it excludes, for `case_ids`."""
    ids = sorted(set(case_ids))
    result: dict[int, set[str]] = {case_id: set() for case_id in ids}
    for start in range(0, len(ids), _BATCH):
        rows = connection.execute(
            select(EXCLUSIONS.c.case_id, EXCLUSIONS.c.officer).where(
                EXCLUSIONS.c.case_id.in_(ids[start : start + _BATCH])
            )
        ).all()
        for case_id, officer in rows:
            result[case_id].add(officer)
    return result


# built once: every step by a named officer looks its actor up
_EXCLUSION_REASON = select(EXCLUSIONS.c.reason).where(
    EXCLUSIONS.c.case_id == bindparam("case_id"), EXCLUSIONS.c.officer == bindparam("officer")
)


def exclusion_reason(connection: Connection, case_id: int, officer: str) -> str | None:
    """Why case `case_id` excludes `officer`, or None if it does not (one key lookup)."""
    reason: str | None = connection.execute(
        _EXCLUSION_REASON, {"case_id": case_id, "officer": officer}
    ).scalar_one_or_none()
    return reason


def replace_exclusions(
    connection: Connection, reasons_by_case: Mapping[int, Mapping[str, str]]
) -> None:
    """Rewrite the exclusion rows of the cases in `reasons_by_case`."""
    ids = sorted(reasons_by_case)
    for start in range(0, len(ids), _BATCH):
        connection.execute(
            delete(EXCLUSIONS).where(EXCLUSIONS.c.case_id.in_(ids[start : start + _BATCH]))
        )
    rows = _rows(reasons_by_case)
    if rows:
        connection.execute(insert(EXCLUSIONS), rows)


def add_exclusions(
    connection: Connection, reasons_by_case: Mapping[int, Mapping[str, str]]
) -> None:
    """Add exclusion rows, keeping those already there (and their reasons)."""
    insert_ignoring_duplicates(connection, EXCLUSIONS, _rows(reasons_by_case))


def _rows(reasons_by_case: Mapping[int, Mapping[str, str]]) -> list[dict[str, Any]]:
    return [
        {"case_id": case_id, "officer": officer, "reason": reason}
        for case_id, reasons in reasons_by_case.items()
        for officer, reason in reasons.items()
    ]


def excluded_handlers(connection: Connection, case_ids: list[int] | None) -> dict[int, str]:
    """Case id → why it excludes its handler, for the cases of `case_ids` (every case if None)
    whose handler it excludes."""
    query = select(CASES.c.id, EXCLUSIONS.c.reason).join(
        EXCLUSIONS,
        and_(EXCLUSIONS.c.case_id == CASES.c.id, EXCLUSIONS.c.officer == CASES.c.handler),
    )
    if case_ids is not None:
        query = query.where(CASES.c.id.in_(case_ids))
    why_of: dict[int, str] = dict(connection.execute(query).all())
    return why_of


def exclusions_stamp(connection: Connection) -> str | None:
    """The stamp of what the stored exclusions were last worked out from; None if never."""
    found: str | None = connection.execute(
        select(_ENGINE_STATE.c.value).where(_ENGINE_STATE.c.key == _STAMP_KEY)
    ).scalar_one_or_none()
    return found


def record_exclusions_stamp(connection: Connection, value: str) -> None:
    """Store `value` as the stamp of what the exclusions were worked out from."""
    changed = connection.execute(
        update(_ENGINE_STATE).where(_ENGINE_STATE.c.key == _STAMP_KEY).values(value=value)
    ).rowcount
    if not changed:
        connection.execute(_ENGINE_STATE.insert().values(key=_STAMP_KEY, value=value))
