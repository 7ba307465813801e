"""The read side of cases: the filters of a list, the rows a case page and a list read (the
ORM's Session or Core), each leaving the visibility policy to the caller."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    any_,
    bindparam,
    exists,
    false,
    func,
    text,
)
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

from casework.adapters.case_search import search_clause
from casework.adapters.case_visibility import excluded_clause
from casework.adapters.clock_gap_queries import closed_clause, open_clause
from casework.adapters.tables import (
    CaseRow,
    ClockRow,
    EscalationRow,
    TransitionRow,
)
from casework.domain.visibility import IdentityReach

_CASES = CaseRow.__table__  # type: ignore[attr-defined]
_CLOCKS = ClockRow.__table__  # type: ignore[attr-defined]


SORTS = ("due", "newest", "oldest")
"""How a list is ordered: nearest deadline first (cases without one after, oldest first), or
by the date received, newest or oldest first."""


@dataclass(frozen=True)
class CaseFilter:
    state: str | None = None
    kind: str | None = None
    agency: str | None = None
    handler: str | None = None
    unassigned: bool = False  # only cases no handler is assigned to
    overdue: bool = False
    due_within: int | None = None  # working days
    upcoming: bool = False  # only cases not yet overdue (with due_within: due soon)
    limit: int = 100
    offset: int = 0  # for pages: skip this many
    agencies: frozenset[str] | None = None  # only these agencies' cases (a user's scope)
    viewer: str | None = None  # leave out the denunciations of this officer (LTC Art. 8(3))
    search: str = ""  # what the officer typed (domain/search.query_words folds it)
    clock: str | None = None  # only cases with this legal clock running
    received_from: date | None = None
    received_to: date | None = None
    status: str | None = None  # "open" (not in a final state) or "closed"
    sort: str = "due"  # one of SORTS
    # set by the service from the above (services/case_views.py), not by callers:
    words: tuple[str, ...] = ()  # the search's folded words
    name_digests: tuple[str, ...] = ()  # their keyed digests, for the sender's name
    reach: IdentityReach | None = None  # whose senders the viewer may see (name search)
    lifecycles: tuple[tuple[str, list[str], list[str]], ...] = ()  # each kind's open, final
    only_ids: tuple[int, ...] | None = None  # the few cases the search or status can be


def apply_case_filters(
    query: Any, filters: CaseFilter, connection: Connection | None = None
) -> Any:
    """`query` narrowed to the cases `filters` names and the reader may see: their agencies,
    and never a denunciation of the reader (LTC Art. 8(3)). Limit and offset are not applied.
    A search needs the `connection` it will run on (each store indexes words its own way)."""
    if filters.only_ids is not None:
        query = query.where(ids_clause(connection, filters.only_ids))
    if filters.words:
        if connection is None:
            raise ValueError("a search needs the connection it runs on")
        query = query.where(
            search_clause(connection, filters.words, filters.name_digests, filters.reach)
        )
    if filters.clock:
        query = query.where(
            exists().where(
                _CLOCKS.c.case_id == _CASES.c.id,
                _CLOCKS.c.code == filters.clock,
                _CLOCKS.c.status == "running",
            )
        )
    if filters.received_from:
        query = query.where(col(CaseRow.received_on) >= filters.received_from)
    if filters.received_to:
        query = query.where(col(CaseRow.received_on) <= filters.received_to)
    if filters.status == "open":
        query = query.where(open_clause(filters.lifecycles))
    elif filters.status == "closed":
        query = query.where(closed_clause(filters.lifecycles))
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


_LISTED = 200  # up to so many ids, a plain IN list; beyond, one parameter holds them all


def ids_clause(connection: Connection | None, ids: Sequence[int]) -> Any:
    """True for the cases of `ids`: a plain IN for a few; for thousands, one parameter (a
    JSON array SQLite unpacks with json_each, a PostgreSQL array), not thousands of them."""
    if not ids:
        return false()
    if connection is None or len(ids) <= _LISTED:
        return _CASES.c.id.in_(list(ids))
    if connection.dialect.name == "postgresql":
        # "= ANY(array)" keeps the walk in the list's order (measured: "IN (SELECT unnest)"
        # led the planner to fetch and sort every id, 53–85 ms instead of about 30)
        return _CASES.c.id == any_(bindparam("only_ids", list(ids), type_=ARRAY(Integer)))
    unpacked = (
        text("SELECT value FROM json_each(:only_ids)")
        .bindparams(only_ids=json.dumps(list(ids)))
        .columns(value=Integer)
    )
    return _CASES.c.id.in_(unpacked)


def closed_ids(
    connection: Connection,
    lifecycles: Iterable[tuple[str, list[str], list[str]]],
    agencies: frozenset[str] | None,
    cap: int,
) -> list[int] | None:
    """The ids of the closed cases of `agencies` (None: any), if at most `cap`; else None
    (as `case_search.matching_ids`: few closed cases are looked up, many walked in order)."""
    query = core_select(_CASES.c.id).where(closed_clause(lifecycles))
    if agencies is not None:
        query = query.where(_CASES.c.agency.in_(sorted(agencies)))
    found = list(connection.execute(query.limit(cap + 1)).scalars())
    return None if len(found) > cap else [int(case_id) for case_id in found]


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


def cases_by_due(
    session: Session, filters: CaseFilter, today: date, horizon: date | None
) -> tuple[list[tuple[int, date]], int | None]:
    """The page (`filters.offset`, `filters.limit`) of the cases by their nearest running
    duty clock — `case_file.next_due`, kept with the clocks — due by `horizon` if given,
    overdue only if the filters say so; and, when the page runs past the last of them, how
    many there are (where the cases no clock watches begin), else None.

    A page is a range of the index on agency (or none), next due date and id, so page 1,001
    costs what page 1 does."""
    query = _due_by(
        apply_case_filters(
            core_select(col(CaseRow.id), col(CaseRow.next_due)).where(
                col(CaseRow.next_due).is_not(None)
            ),
            filters,
            session.connection(),
        ),
        filters,
        today,
        horizon,
    )
    page = [
        (int(case_id), due)
        for case_id, due in session.execute(
            query.order_by(col(CaseRow.next_due), col(CaseRow.id))
            .offset(filters.offset)
            .limit(filters.limit)
        ).all()
    ]
    if len(page) == filters.limit:
        return page, None
    if page:
        return page, filters.offset + len(page)
    counted = session.execute(core_select(func.count()).select_from(query.subquery())).scalar_one()
    return page, int(counted)


def _due_by(query: Any, filters: CaseFilter, today: date, horizon: date | None) -> Any:
    """`query` narrowed to the overdue cases, or those due by `horizon`, if the filters say."""
    if filters.overdue:
        query = query.where(col(CaseRow.next_due) < today)
    if horizon is not None:
        query = query.where(col(CaseRow.next_due) <= horizon)
    if filters.upcoming:
        query = query.where(col(CaseRow.next_due) >= today)
    return query


def cases_by_received(
    session: Session, filters: CaseFilter, today: date, horizon: date | None
) -> list[int]:
    """The ids of the page (`filters.offset`, `filters.limit`) of the cases `filters` names,
    by the date received, newest first (`filters.sort` "newest") or oldest first."""
    newest = filters.sort == "newest"
    received, case_id = col(CaseRow.received_on), col(CaseRow.id)
    query = _due_by(
        apply_case_filters(core_select(case_id), filters, session.connection()),
        filters,
        today,
        horizon,
    )
    order = (received.desc(), case_id.desc()) if newest else (received, case_id)
    return [
        int(found)
        for found in session.execute(
            query.order_by(*order).offset(filters.offset).limit(filters.limit)
        ).scalars()
    ]


def undated_cases(session: Session, filters: CaseFilter, skip: int, take: int) -> list[int]:
    """The ids of the cases `filters` names that no running duty clock watches (a window the
    law leaves to the parties is nobody's deadline), oldest first, from `skip`."""
    return [
        int(case_id)
        for case_id in session.execute(
            apply_case_filters(core_select(_CASES.c.id), filters, session.connection())
            .where(col(CaseRow.next_due).is_(None))  # no running duty clock (CaseRow.next_due)
            .order_by(col(CaseRow.id))
            .offset(skip)
            .limit(take)
        ).scalars()
    ]
