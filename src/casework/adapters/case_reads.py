"""The read side of cases: the filters of a list, the rows a case page and a list read (the
ORM's Session or Core), each leaving the visibility policy to the caller."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from casework.adapters.case_visibility import excluded_clause
from casework.adapters.tables import (
    CaseRow,
    ClockRow,
    EscalationRow,
    TransitionRow,
)
from casework.domain.escalation import NO_LADDER


@dataclass(frozen=True)
class CaseFilter:
    state: str | None = None
    kind: str | None = None
    agency: str | None = None
    handler: str | None = None
    unassigned: bool = False  # only cases no handler is assigned to
    overdue: bool = False
    due_within: int | None = None  # working days
    limit: int = 100
    offset: int = 0  # for pages: skip this many
    agencies: frozenset[str] | None = None  # only these agencies' cases (a user's scope)
    viewer: str | None = None  # leave out the denunciations of this officer (LTC Art. 8(3))


def apply_case_filters(query: Any, filters: CaseFilter) -> Any:
    """`query` narrowed to the cases `filters` names and the reader may see: their agencies,
    and never a denunciation of the reader (LTC Art. 8(3)). Limit and offset are not applied."""
    if filters.state:
        query = query.where(CaseRow.state == filters.state)
    if filters.kind:
        query = query.where(CaseRow.kind == filters.kind)
    if filters.agency:
        query = query.where(CaseRow.agency == filters.agency)
    if filters.handler:
        query = query.where(CaseRow.handler == filters.handler)
    if filters.unassigned:
        query = query.where(col(CaseRow.handler).is_(None))
    if filters.agencies is not None:
        query = query.where(col(CaseRow.agency).in_(sorted(filters.agencies)))
    if filters.viewer:
        # the policy's exclusions, as the case page applies them (domain/visibility.py)
        query = query.where(~excluded_clause(filters.viewer))
    return query


def all_clock_rows(session: Session, case_id: int) -> list[ClockRow]:
    """Every clock of the case, stopped ones too, in the order started."""
    return list(
        session.exec(
            select(ClockRow).where(ClockRow.case_id == case_id).order_by(col(ClockRow.id))
        ).all()
    )


def transition_rows(session: Session, case_id: int) -> list[TransitionRow]:
    """The steps recorded on the case, in order."""
    return list(
        session.exec(
            select(TransitionRow)
            .where(TransitionRow.case_id == case_id)
            .order_by(col(TransitionRow.id))
        ).all()
    )


def escalation_rows(session: Session, case_id: int) -> list[EscalationRow]:
    """The ladder steps that fired on the case, in order."""
    return list(
        session.exec(
            select(EscalationRow)
            .where(EscalationRow.case_id == case_id)
            .order_by(col(EscalationRow.id))
        ).all()
    )


def case_rows(session: Session, case_ids: Iterable[int]) -> dict[int, CaseRow]:
    """Case id → its row, for each of `case_ids`."""
    found = session.exec(select(CaseRow).where(col(CaseRow.id).in_(list(case_ids)))).all()
    return {case.id or 0: case for case in found}


def _running_duty() -> Any:
    return (col(ClockRow.status) == "running") & (col(ClockRow.ladder) != NO_LADDER)


def cases_by_due(
    session: Session, filters: CaseFilter, today: date, horizon: date | None, wanted: int
) -> tuple[list[tuple[int, date]], bool]:
    """The first `wanted` distinct cases by their nearest running duty clock (due by
    `horizon` if given; overdue only if the filters say so), and whether every such case was
    seen (the walk ran out of clocks).

    The walk follows the index on clock status and due, keeping each case the first time it
    appears, so its cost grows with the page, not with the number of cases."""
    query = apply_case_filters(
        core_select(col(ClockRow.case_id), col(ClockRow.due))
        .join(CaseRow, col(CaseRow.id) == col(ClockRow.case_id))
        .where(_running_duty(), col(ClockRow.due).is_not(None)),
        filters,
    )
    if filters.overdue:
        query = query.where(col(ClockRow.due) < today)
    if horizon is not None:
        query = query.where(col(ClockRow.due) <= horizon)
    query = query.order_by(col(ClockRow.due), col(ClockRow.case_id))
    seen: dict[int, date] = {}
    window = max(wanted * 2, 64)
    skip = 0
    while True:
        batch = session.execute(query.offset(skip).limit(window)).all()
        for case_id, due in batch:
            if case_id not in seen:
                seen[case_id] = due
                if len(seen) >= wanted:
                    return list(seen.items()), False
        if len(batch) < window:
            return list(seen.items()), True
        skip += window


def undated_cases(session: Session, filters: CaseFilter, skip: int, take: int) -> list[int]:
    """The ids of the cases `filters` names that no running duty clock watches (a window the
    law leaves to the parties is nobody's deadline), oldest first, from `skip`."""
    return [
        int(case_id)
        for case_id in session.execute(
            apply_case_filters(core_select(CaseRow.__table__.c.id), filters)  # type: ignore[attr-defined]
            .where(~exists().where(_running_duty(), col(ClockRow.case_id) == col(CaseRow.id)))
            .order_by(col(CaseRow.id))
            .offset(skip)
            .limit(take)
        ).scalars()
    ]
