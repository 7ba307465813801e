"""The tabs of the case list (issue 27): which cases each holds, and how many.

"Của tôi" is the open cases assigned to the officer; the agency-wide lists are tabs of their
own: the unassigned queue (for those who assign), the overdue, those due soon, every open
case, the closed ones. A count is of the cases that exist for the officer
(domain/visibility.py), counted as the dashboard counts (adapters/dashboard_queries.Scope).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from typing_extensions import TypedDict

from casework.adapters import dashboard_queries
from casework.adapters.dashboard_queries import Scope
from casework.domain.access import Action, Principal
from casework.domain.calendar import add_working_days
from casework.domain.errors import InvalidInput, said
from casework.domain.organisation import Role
from casework.services.app import Casework, legal_date
from casework.services.authorisation import scope_of
from casework.services.case_views import CaseFilter
from casework.services.clock_gaps import open_states
from casework.services.dashboard import DEFAULT_HORIZON_WORKING_DAYS

TABS = ("mine", "unassigned", "overdue", "due_soon", "open", "closed")


class TabCounts(TypedDict):
    mine: int
    unassigned: int | None  # None: not a tab of this officer (he does not assign)
    overdue: int
    due_soon: int
    open: int


def default_tab(principal: Principal) -> str:
    """Where the list opens: a handler's own cases; everyone else's agencies' open cases."""
    return "mine" if principal.roles == {Role.HANDLER} else "open"


def tabs_of(principal: Principal) -> list[str]:
    """The tabs `principal` has, in order: the unassigned queue only for who assigns."""
    return [tab for tab in TABS if tab != "unassigned" or principal.may(Action.ASSIGN_CASE)]


def tab_filter(tab: str, principal: Principal, filters: CaseFilter) -> CaseFilter:
    """`filters` narrowed to the cases of `tab`."""
    if tab not in TABS:
        raise said(
            InvalidInput(f"unknown tab {tab!r}; tabs: {', '.join(TABS)}"),
            "Không có danh sách này; chọn một trong các thẻ phía trên danh sách",
        )
    if tab == "mine":
        return replace(filters, handler=principal.username, status="open")
    if tab == "unassigned":
        return replace(filters, unassigned=True, status="open")
    if tab == "overdue":
        return replace(filters, overdue=True, status="open")
    if tab == "due_soon":
        return replace(
            filters, due_within=DEFAULT_HORIZON_WORKING_DAYS, upcoming=True, status="open"
        )
    if tab == "closed":
        sort = "newest" if filters.sort == "due" else filters.sort  # closed: no deadline
        return replace(filters, status="closed", sort=sort)
    return replace(filters, status="open")


def tab_counts(app: Casework, principal: Principal, now: datetime) -> TabCounts:
    """How many cases each tab of `principal` holds (the closed ones are not counted: years
    of them would cost every page a walk of them)."""
    today = legal_date(now)
    horizon = add_working_days(app.calendar, today, DEFAULT_HORIZON_WORKING_DAYS)
    scope = Scope(scope_of(app, principal), principal.username)
    with app.reading() as session:
        every, mine, unassigned, overdue, soon = dashboard_queries.tab_counts(
            session.connection(), scope, open_states(app), principal.username, today, horizon
        )
    return {
        "mine": mine,
        "unassigned": unassigned if principal.may(Action.ASSIGN_CASE) else None,
        "overdue": overdue,
        "due_soon": soon,
        "open": every,
    }
