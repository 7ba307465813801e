"""The SQL of the supervisor's dashboard (services/dashboard.py): one aggregate query (GROUP BY)
per figure, answered from the indexed columns (clock.status/due, case_file.agency and
next_due), and one page of overdue clocks and of open cases no clock watches. Python sees only
the grouped rows.

A duty clock is one on an escalation ladder (ladder != "none"). `opened` is each kind with the
states of its lifecycle that are not final (services/clock_gaps.open_states). No query reads a
denouncer's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    extract,
    func,
    literal_column,
    select,
    union_all,
)

from casework.adapters.case_store import CASES, CLOCKS, running_duty
from casework.adapters.case_visibility import cases_excluding, excluded_clause
from casework.adapters.clock_gap_queries import OpenStates, open_clause, unclocked_clause
from casework.adapters.outbox_store import OUTBOX
from casework.domain.escalation import NO_LADDER
from casework.domain.notice_status import PROBLEMS, WAITING, NoticeStatus

_Columns = TypeVarTuple("_Columns")


@dataclass(frozen=True)
class Scope:
    """The cases a dashboard counts: those of `agencies` (None: every agency), minus those
    against `viewer` (None: nobody's)."""

    agencies: frozenset[str] | None
    viewer: str | None

    def within(self, query: Select[*_Columns]) -> Select[*_Columns]:
        """`query`, over `case_file`, narrowed to the cases of this scope's agencies."""
        if self.agencies is not None:
            query = query.where(CASES.c.agency.in_(sorted(self.agencies)))
        return query

    def apply(self, query: Select[*_Columns]) -> Select[*_Columns]:
        """`query`, over `case_file`, narrowed to the cases of this scope, each row's case
        probed for the viewer's exclusion: for a page of rows (counts use `counts`)."""
        query = self.within(query)
        if self.viewer:
            # the policy's exclusions, as the case page applies them (domain/visibility.py)
            query = query.where(~excluded_clause(self.viewer))
        return query

    def counts(
        self, connection: Connection, query: Select[*_Columns], keys: int
    ) -> dict[tuple[Any, ...], list[int]]:
        """The counts of the grouped `query` over `case_file` (its first `keys` columns the
        group, the others counts) over the cases of this scope, by group. A group whose every
        count comes to 0 is left out: a row of zeros would tell of a case the viewer may not
        know of.

        One statement, so one snapshot: the counts over the scope's agencies and, for a
        viewer, the same counts over the few cases that exclude him, which are taken away.
        Probing every counted case for the viewer's exclusion took half the dashboard's time
        at 10^5 open cases."""
        statement: Any = self.within(query).add_columns(literal_column("1"))
        if self.viewer:
            withheld = self.within(query).where(CASES.c.id.in_(cases_excluding(self.viewer)))
            statement = union_all(statement, withheld.add_columns(literal_column("-1")))
        totals: dict[tuple[Any, ...], list[int]] = {}
        for *values, sign in connection.execute(statement):
            sums = totals.setdefault(tuple(values[:keys]), [0] * (len(values) - keys))
            for index, value in enumerate(values[keys:]):
                sums[index] += int(sign) * int(value or 0)
        return {group: sums for group, sums in totals.items() if any(sums)}


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """COUNT(*) FILTER (WHERE …), spelled portably."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def open_by_agency(
    connection: Connection, scope: Scope, opened: OpenStates
) -> dict[str, tuple[int, int]]:
    """Agency → (its open cases, those of them no handler is assigned to): one pass over the
    open cases' index entries serves both figures."""
    counts = scope.counts(
        connection,
        select(CASES.c.agency, func.count(), func.count(CASES.c.handler))
        .where(open_clause(opened))
        .group_by(CASES.c.agency),
        keys=1,
    )
    return {agency: (count, count - assigned) for (agency,), (count, assigned) in counts.items()}


def due_by_agency(
    connection: Connection, scope: Scope, today: date, horizon: date
) -> list[tuple[str, int, int]]:
    """(agency, cases overdue, cases due soon) by the nearest due date of each case's running
    duty clocks: overdue before `today`, due soon from `today` to `horizon`; agencies with
    neither are left out."""
    # each case keeps the nearest due date of its running duty clocks (CaseRow.next_due): a
    # range on ix_case_file_agency_next_due; cases with nothing due that soon drop out here
    counts = scope.counts(
        connection,
        select(
            CASES.c.agency,
            _count_if(CASES.c.next_due < today),
            _count_if(CASES.c.next_due >= today),
        )
        .where(CASES.c.next_due <= horizon)
        .group_by(CASES.c.agency),
        keys=1,
    )
    return [(agency, overdue, soon) for (agency,), (overdue, soon) in counts.items()]


def due_by_code(
    connection: Connection, scope: Scope, today: date, horizon: date
) -> dict[str, tuple[int, int]]:
    """Clock code → (running duty clocks overdue before `today`, due from `today` to
    `horizon`); codes with neither are left out."""
    # a clock due by the horizon belongs to a case whose nearest due date is by then: the
    # walk starts from that range of cases (ix_case_file_agency_next_due), never from every
    # case of the agencies
    counts = scope.counts(
        connection,
        select(CLOCKS.c.code, _count_if(CLOCKS.c.due < today), _count_if(CLOCKS.c.due >= today))
        .select_from(CASES.join(CLOCKS, CLOCKS.c.case_id == CASES.c.id))
        .where(CASES.c.next_due <= horizon, running_duty(), CLOCKS.c.due <= horizon)
        .group_by(CLOCKS.c.code),
        keys=1,
    )
    return {code: (overdue, soon) for (code,), (overdue, soon) in counts.items()}


def due_by_day(connection: Connection, scope: Scope, first: date, last: date) -> dict[date, int]:
    """Day → the cases whose nearest deadline (CaseRow.next_due) falls on it, from `first` to
    `last`: the days a case must be acted on by, each case once."""
    counts = scope.counts(
        connection,
        select(CASES.c.next_due, func.count())
        .where(CASES.c.next_due.between(first, last))
        .group_by(CASES.c.next_due),
        keys=1,
    )
    return {due: count for (due,), (count,) in counts.items()}


def outcomes_by_month(
    connection: Connection, scope: Scope, since: date, today: date
) -> list[tuple[int, int, int, int]]:
    """(year, month, on time, late) of the duty clocks stopped from `since` to `today`, for the
    months that have any."""
    year = extract("year", CLOCKS.c.stopped_on)
    month = extract("month", CLOCKS.c.stopped_on)
    is_late = CLOCKS.c.stopped_on > CLOCKS.c.due
    counts = scope.counts(
        connection,
        select(year, month, _count_if(~is_late), _count_if(is_late))
        .join(CASES, CASES.c.id == CLOCKS.c.case_id)
        .where(
            CLOCKS.c.status == "stopped",
            CLOCKS.c.ladder != NO_LADDER,
            CLOCKS.c.due.is_not(None),
            CLOCKS.c.stopped_on.between(since, today),
        )
        .group_by(year, month),
        keys=2,
    )
    return [(int(y), int(m), on, late) for (y, m), (on, late) in counts.items()]


def overdue_clocks(connection: Connection, scope: Scope, today: date, limit: int) -> list[Any]:
    """The first `limit` running duty clocks due before `today`, longest overdue first: each
    with its case's id, reference, kind, received_on, agency, state and handler, and its
    code, rule_version and due."""
    return list(
        connection.execute(
            scope.apply(
                select(
                    CASES.c.id,
                    CASES.c.reference,
                    CASES.c.kind,
                    CASES.c.received_on,
                    CASES.c.agency,
                    CASES.c.state,
                    CASES.c.handler,
                    CLOCKS.c.code,
                    CLOCKS.c.rule_version,
                    CLOCKS.c.due,
                )
                .join(CASES, CASES.c.id == CLOCKS.c.case_id)
                .where(running_duty(), CLOCKS.c.due < today)
                .order_by(CLOCKS.c.due, CASES.c.id, CLOCKS.c.id)
                .limit(limit)
            )
        ).all()
    )


def unclocked_cases(
    connection: Connection, scope: Scope, opened: OpenStates, limit: int
) -> list[Any]:
    """The first `limit` open cases no legal clock watches (clock_gap_queries), oldest first:
    their id, reference, kind, received_on, agency, state and attributes."""
    return list(
        connection.execute(
            scope.apply(
                select(
                    CASES.c.id,
                    CASES.c.reference,
                    CASES.c.kind,
                    CASES.c.received_on,
                    CASES.c.agency,
                    CASES.c.state,
                    CASES.c.attributes,
                )
                # a case with a running duty clock has its due date (CaseRow.next_due), so
                # only the few without one are looked at: one seek of the (agency, kind,
                # state, next_due) index. Ordered by an expression no index holds, or SQLite
                # walks every case of the agency in the order of their index on the date
                # received to spare sorting these few (50 ms at 10^5 cases)
                .where(CASES.c.next_due.is_(None), unclocked_clause(opened))
                .order_by(func.coalesce(CASES.c.received_on, CASES.c.received_on), CASES.c.id)
                .limit(limit)
            )
        ).all()
    )


# -- the delivery of notices (issue 25) ------------------------------------------------------


def delivery_counts(connection: Connection) -> dict[str, int]:
    """Status → notices in it, for the statuses not delivered (waiting, or a problem), over
    the whole outbox: the queue's health, which names no case."""
    return dict(
        connection.execute(
            select(OUTBOX.c.status, func.count())
            .where(OUTBOX.c.status.in_(sorted(WAITING | PROBLEMS)))
            .group_by(OUTBOX.c.status)
        ).all()
    )


def _to_officers(officers: list[str] | None) -> ColumnElement[bool]:
    """Notices to an officer (of `officers`, when given)."""
    if officers is None:
        return OUTBOX.c.recipient_officer.is_not(None)
    return OUTBOX.c.recipient_officer.in_(officers)


def oldest_waiting_alert(connection: Connection, officers: list[str] | None) -> Any | None:
    """The oldest notice to an officer (of `officers`, when given) still waiting to go."""
    return connection.execute(
        select(OUTBOX.c.created_at, OUTBOX.c.attempts, OUTBOX.c.last_error)
        .where(OUTBOX.c.status.in_(sorted(WAITING)), _to_officers(officers))
        .order_by(OUTBOX.c.created_at, OUTBOX.c.id)
        .limit(1)
    ).first()


def unreachable_officers(
    connection: Connection, officers: list[str] | None, limit: int
) -> list[Any]:
    """The newest refused or bounced notice of each officer (of `officers`, when given)
    whose address failed, newest first: (officer, to_address, status, last_error, when)."""
    newest = (
        select(func.max(OUTBOX.c.id))
        .where(
            OUTBOX.c.status.in_([NoticeStatus.REFUSED.value, NoticeStatus.BOUNCED.value]),
            _to_officers(officers),
        )
        .group_by(OUTBOX.c.recipient_officer)
    )
    return list(
        connection.execute(
            select(
                OUTBOX.c.recipient_officer.label("officer"),
                OUTBOX.c.to_address,
                OUTBOX.c.status,
                OUTBOX.c.last_error,
                OUTBOX.c.created_at.label("when"),
            )
            .where(OUTBOX.c.id.in_(newest))
            .order_by(OUTBOX.c.id.desc())
            .limit(limit)
        ).all()
    )


def notices_needing_attention(connection: Connection, scope: Scope, limit: int) -> list[Any]:
    """Notices to a party of the cases in `scope` that cannot be delivered (no e-mail and
    no postal address), newest first."""
    return list(
        connection.execute(
            scope.apply(
                select(
                    OUTBOX.c.id,
                    CASES.c.reference,
                    CASES.c.agency,
                    OUTBOX.c.template,
                    OUTBOX.c.recipient_party,
                    OUTBOX.c.created_at,
                )
                .join(CASES, CASES.c.id == OUTBOX.c.case_id)
                .where(OUTBOX.c.status == NoticeStatus.NEEDS_ATTENTION.value)
            )
            .order_by(OUTBOX.c.id.desc())
            .limit(limit)
        ).all()
    )


# -- the case list's tabs (issue 27) ---------------------------------------------------------


def tab_counts(
    connection: Connection,
    scope: Scope,
    opened: OpenStates,
    officer: str,
    today: date,
    horizon: date,
) -> tuple[int, int, int, int, int]:
    """Over the open cases of `scope`: (all of them, those `officer` handles, those no
    handler is assigned to, those overdue, those due from `today` to `horizon`), in one pass
    over the index on (agency, kind, state, next_due, handler)."""
    counts = scope.counts(
        connection,
        select(
            func.count(),
            _count_if(CASES.c.handler == officer),
            _count_if(CASES.c.handler.is_(None)),
            _count_if(CASES.c.next_due < today),
            _count_if(CASES.c.next_due.between(today, horizon)),
        ).where(open_clause(opened)),
        keys=0,
    )
    found = counts.get((), [0, 0, 0, 0, 0])
    return found[0], found[1], found[2], found[3], found[4]
