"""The supervisor's dashboard (issue 5): where the units stand against their legal clocks.

Every figure is one aggregate query (GROUP BY) that the database answers from the indexed
columns (clock.status/due, case_file.agency/kind/state and next_due); Python sees only the
grouped rows (units, clock codes, days, months) and one page of overdue clocks, never every
case. The cases that exclude the viewer are counted apart, from his own exclusion rows, and
taken away (dashboard_queries.Scope.counts). With 100,000 open cases in one agency the
dashboard page takes 40–55 ms on SQLite and on PostgreSQL (benchmarks/web.py).

- per unit (agency): open cases (not in a final state), and the cases overdue or due soon by
  the nearest due date of their running duty clocks (a case is overdue or due soon, not both);
- per clock code: running duty clocks overdue and due soon;
- a calendar: the cases whose nearest deadline falls on each of the next four weeks' days;
- on time vs late: duty clocks stopped in the last twelve months, per month;
- the overdue clocks themselves, longest overdue first, a page of them.

A duty clock is one on an escalation ladder (ladder != "none"): a window the law leaves to the
parties is nobody's deadline to miss. No figure reads a denouncer's identity.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from typing_extensions import TypedDict

from casework.adapters import dashboard_queries
from casework.adapters.dashboard_queries import Scope
from casework.adapters.database import stored_instant
from casework.adapters.unit_of_work import Transaction
from casework.config import LEGAL_TIMEZONE
from casework.domain.calendar import add_working_days, working_days_between
from casework.domain.errors import InvalidInput, NotFound, said
from casework.domain.notice_status import NoticeStatus
from casework.domain.organisation import Organisation
from casework.services.app import Casework, legal_date
from casework.services.clock_gaps import open_states
from casework.services.read_models import (
    Dashboard,
    DashboardClock,
    DashboardUnit,
    DeliveryHealth,
    MonthOutcome,
    NoticeNeedingAttention,
    UnreachableOfficer,
    WaitingAlert,
)

DEFAULT_HORIZON_WORKING_DAYS = 5
CALENDAR_DAYS = 28  # four weeks of deadlines, from today
OUTCOME_MONTHS = 12  # on time vs late: this month and the eleven before
OVERDUE_LIMIT = 50


def dashboard(
    app: Casework,
    agencies: frozenset[str] | None,
    now: datetime,
    horizon_days: int = DEFAULT_HORIZON_WORKING_DAYS,
    viewer: str | None = None,
    overdue_limit: int = OVERDUE_LIMIT,
) -> Dashboard:
    """The dashboard of the cases of `agencies` (None: every agency) as of `now`.

    Due soon means due from today up to `horizon_days` working days ahead. `viewer`, when given,
    leaves out of every figure and list the cases that exclude him (domain/visibility.py): a
    count, or "N withheld", would tell a denounced head that a case against him exists. The
    statutory counts that must cover every case are the reports' (services/statistics.py)."""
    if horizon_days < 0:
        raise said(
            InvalidInput("horizon_days takes a number of working days, 0 or more"),
            f"Số ngày làm việc xem trước để tính hồ sơ sắp đến hạn phải từ 0 trở lên (đã nhập "
            f"{horizon_days})",
        )
    if overdue_limit < 1:
        raise said(
            InvalidInput("overdue_limit takes a number of rows, 1 or more"),
            f"Số dòng hồ sơ quá hạn được hiển thị phải từ 1 trở lên (đã nhập {overdue_limit})",
        )
    today = legal_date(now)
    horizon = add_working_days(app.calendar, today, horizon_days)
    calendar_end = today + timedelta(days=CALENDAR_DAYS - 1)
    since = _months_back(today, OUTCOME_MONTHS - 1)
    scope = Scope(agencies, viewer)
    opened = open_states(app)

    with app.reading() as session:
        connection = session.connection()
        org = app.organisation(connection)
        open_and_unassigned = dashboard_queries.open_by_agency(connection, scope, opened)
        by_agency_rows = dashboard_queries.due_by_agency(connection, scope, today, horizon)
        by_code = dashboard_queries.due_by_code(connection, scope, today, horizon)
        due_by_day = dashboard_queries.due_by_day(connection, scope, today, calendar_end)
        outcome_rows = dashboard_queries.outcomes_by_month(connection, scope, since, today)
        overdue_rows = dashboard_queries.overdue_clocks(connection, scope, today, overdue_limit)
        unwatched_rows = dashboard_queries.unclocked_cases(connection, scope, opened, overdue_limit)
        delivery = _delivery(connection, org, scope, now, overdue_limit)
    by_clock_rows = [(code, overdue, soon) for code, (overdue, soon) in sorted(by_code.items())]

    def agency_name(code: str) -> str:
        agency = org.agencies.get(code)
        return agency.name if agency else code

    soon_by_agency = {agency: (overdue, soon) for agency, overdue, soon in by_agency_rows}
    open_by_agency = {code: count for code, (count, _) in open_and_unassigned.items()}
    unassigned = sum(waiting for _, waiting in open_and_unassigned.values())
    shown = set(open_by_agency) | set(soon_by_agency)
    shown |= set(org.agencies) if agencies is None else set(agencies)
    units: list[DashboardUnit] = [
        {
            "agency": code,
            "name": agency_name(code),
            "open": int(open_by_agency.get(code, 0)),
            "overdue": soon_by_agency.get(code, (0, 0))[0],
            "due_soon": soon_by_agency.get(code, (0, 0))[1],
        }
        for code in shown
    ]
    units.sort(key=lambda u: (-u["overdue"], -u["due_soon"], -u["open"], u["agency"]))
    clocks: list[DashboardClock] = [
        {
            "code": code,
            **_titles(app, code),
            "overdue": int(overdue or 0),
            "due_soon": int(soon or 0),
        }
        for code, overdue, soon in by_clock_rows
    ]
    clocks.sort(key=lambda c: (-c["overdue"], -c["due_soon"], c["code"]))
    outcomes = {(y, m): (on, late) for y, m, on, late in outcome_rows}
    months: list[MonthOutcome] = []
    for first in _month_starts(since, OUTCOME_MONTHS):
        on_time, late = outcomes.get((first.year, first.month), (0, 0))
        months.append({"month": first.strftime("%Y-%m"), "on_time": on_time, "late": late})
    return {
        "as_of": today.isoformat(),
        "horizon_working_days": horizon_days,
        "horizon": horizon.isoformat(),
        "agencies": sorted(agencies) if agencies is not None else None,
        "totals": {
            "open": sum(u["open"] for u in units),
            "overdue": sum(u["overdue"] for u in units),
            "due_soon": sum(u["due_soon"] for u in units),
            "unassigned": unassigned,
        },
        "by_unit": units,
        "by_clock": clocks,
        "calendar": [
            {
                "date": day.isoformat(),
                "weekday": day.isoweekday(),
                "is_working_day": app.calendar.is_working_day(day),
                "due": int(due_by_day.get(day, 0)),
            }
            for day in (today + timedelta(days=n) for n in range(CALENDAR_DAYS))
        ],
        "on_time_vs_late": {
            "since": since.isoformat(),
            "on_time": sum(m["on_time"] for m in months),
            "late": sum(m["late"] for m in months),
            "months": months,
        },
        "overdue": [
            {
                "ref": row.reference,
                "agency": row.agency,
                "agency_name": agency_name(row.agency),
                "state": row.state,
                "handler": row.handler,
                "clock": row.code,
                **_titles(app, row.code, row.rule_version),
                "due": row.due.isoformat(),
                "days_overdue": (today - row.due).days,
                "working_days_overdue": working_days_between(app.calendar, row.due, today),
            }
            for row in overdue_rows
        ],
        "overdue_limit": overdue_limit,
        # open cases no legal clock watches: never overdue, so shown here (clock_gaps.py)
        "without_clock": [
            {
                "ref": row.reference,
                "agency": row.agency,
                "agency_name": agency_name(row.agency),
                "state": row.state,
                "received_on": row.received_on.isoformat(),
                "historical_import": (row.attributes or {}).get("historical_import"),
            }
            for row in unwatched_rows
        ],
        "delivery": delivery,
    }


def _delivery(
    connection: Transaction, org: Organisation, scope: Scope, now: datetime, limit: int
) -> DeliveryHealth:
    """The queue's health (counts, installation-wide: they name no case), the oldest alert
    waiting and the officers whose address fails, of the agencies in scope, and the party
    notices of the cases in scope that nobody can deliver yet."""
    counts = dashboard_queries.delivery_counts(connection)
    officers = (
        None
        if scope.agencies is None
        else sorted(code for code, o in org.officers.items() if o.agency in scope.agencies)
    )
    oldest = dashboard_queries.oldest_waiting_alert(connection, officers)
    waiting: WaitingAlert | None = None
    if oldest is not None:
        queued_at = stored_instant(oldest.created_at)
        waiting = {
            "queued_at": queued_at.astimezone(LEGAL_TIMEZONE).isoformat(timespec="minutes"),
            "hours_waiting": round((now - queued_at).total_seconds() / 3600, 1),
            "attempts": oldest.attempts,
            "reason": oldest.last_error,
        }
    unreachable: list[UnreachableOfficer] = []
    for row in dashboard_queries.unreachable_officers(connection, officers, limit):
        officer = org.officers.get(row.officer)
        if officer is None:
            continue
        if officer.email and officer.email != row.to_address:
            continue  # mended in the organisation since: a retry goes to the new address
        agency = org.agencies.get(officer.agency)
        unreachable.append(
            {
                "officer": officer.code,
                "name": officer.name,
                "agency_name": agency.name if agency else officer.agency,
                "address": row.to_address,
                "status": row.status,
                "reason": row.last_error,
                "since": legal_date(stored_instant(row.when)).isoformat(),
            }
        )
    attention: list[NoticeNeedingAttention] = []
    for row in dashboard_queries.notices_needing_attention(connection, scope, limit):
        agency = org.agencies.get(row.agency)
        attention.append(
            {
                "id": row.id,
                "ref": row.reference,
                "agency_name": agency.name if agency else row.agency,
                "notice": row.template,
                "party": row.recipient_party or "",
                "queued_on": legal_date(stored_instant(row.created_at)).isoformat(),
            }
        )
    return {
        "queued": int(counts.get(NoticeStatus.QUEUED.value, 0)),
        "deferred": int(counts.get(NoticeStatus.DEFERRED.value, 0)),
        "refused": int(counts.get(NoticeStatus.REFUSED.value, 0)),
        "bounced": int(counts.get(NoticeStatus.BOUNCED.value, 0)),
        "dead": int(counts.get(NoticeStatus.DEAD.value, 0)),
        "oldest_waiting_alert": waiting,
        "unreachable_officers": unreachable,
        "needs_attention": attention,
    }


class _Titles(TypedDict):
    title: str
    title_vi: str


def _titles(app: Casework, code: str, version: str | None = None) -> _Titles:
    try:
        rule = app.rules.version(code, version) if version else app.rules.versions(code)[-1]
    except NotFound:
        return {"title": code, "title_vi": code}
    return {"title": rule.title, "title_vi": rule.title_in("vi")}


def _months_back(today: date, months: int) -> date:
    """The first day of the month `months` before today's."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _month_starts(first: date, count: int) -> list[date]:
    return [_months_back(first, -n) for n in range(count)]
