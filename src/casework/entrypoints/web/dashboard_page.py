"""The supervisor's dashboard page: overdue and due-soon cases by unit and by clock, the alerts
waiting for the signed-in officer (acknowledged from here), a calendar of the next four weeks'
deadlines and a chart of clocks ended on time vs late. Server-rendered, no script."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from casework.domain.access import Action
from casework.domain.errors import CaseworkError
from casework.entrypoints.api.state import casework_of, now_of
from casework.entrypoints.web.alerts_page import acknowledge_and_return
from casework.entrypoints.web.i18n import words
from casework.entrypoints.web.pages import _back, _form, _page, in_reader_language
from casework.entrypoints.web.session import language, signed_in
from casework.services.authorisation import authorise, scope_of
from casework.services.dashboard import dashboard
from casework.services.escalations import list_escalations
from casework.services.outbox import record_handed

router = APIRouter(include_in_schema=False)

CHART_HEIGHT = 120  # pixels of the tallest bar
CHART_BAR = 28  # pixels per month


@router.get("/dashboard")
def dashboard_page(request: Request) -> HTMLResponse:
    principal = signed_in(request)
    app = casework_of(request)
    authorise(app, principal, Action.READ_DASHBOARD, now_of(request))
    scope = scope_of(app, principal)
    board = dashboard(app, scope, now_of(request), viewer=principal.username)
    alerts = list_escalations(app, principal, principal.username, unacknowledged=True)
    return _page(
        request,
        "dashboard.html",
        principal,
        alerts_waiting=len(alerts),
        board=board,
        alerts=alerts,
        can_acknowledge=principal.may(Action.ACKNOWLEDGE_ALERT),
        can_record_handed=principal.may(Action.RECORD_HANDED),
        weeks=calendar_weeks(board["calendar"], app.calendar.describe),
        chart=bar_chart(board["on_time_vs_late"]["months"]),
        overdue_clocks=sum(c["overdue"] for c in board["by_clock"]),
    )


@router.post("/dashboard/escalations/{escalation_id}/acknowledge")
async def acknowledge_alert(request: Request, escalation_id: int) -> RedirectResponse:
    return await acknowledge_and_return(request, escalation_id, "/dashboard")


@router.post("/dashboard/notices/{message_id}/handed")
async def record_notice_handed(request: Request, message_id: int) -> RedirectResponse:
    principal = signed_in(request)
    form = await _form(request)  # a form without this session's CSRF token is refused (403)
    texts = words(language(request))
    try:
        authorise(casework_of(request), principal, Action.RECORD_HANDED, now_of(request))
        ref = record_handed(
            casework_of(request), message_id, principal, str(form.get("how", "")), now_of(request)
        )
    except CaseworkError as refused:
        return _back(
            request, "/dashboard", f"{texts['refused']}: {in_reader_language(request, refused)}"
        )
    return _back(request, "/dashboard", texts["handed_done"].format(ref=ref), "ok")


def calendar_weeks(
    days: Sequence[Mapping[str, Any]], describe: Callable[[date], str]
) -> list[list[dict[str, Any] | None]]:
    """The days as rows of a Monday-first grid, a day off with the reason it is one; cells
    outside the period are None."""
    if not days:
        return []
    first = date.fromisoformat(days[0]["date"])
    cells: list[dict[str, Any] | None] = [None] * first.weekday()
    for day in days:
        on = date.fromisoformat(day["date"])
        note = "" if day["is_working_day"] else describe(on)
        cells.append({**day, "day": on.day, "month": on.month, "note": note})
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def bar_chart(months: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stacked bars (on time below, late above) per month, in SVG coordinates."""
    tallest = max((m["on_time"] + m["late"] for m in months), default=0) or 1
    bars = []
    for index, month in enumerate(months):
        on_time = round(CHART_HEIGHT * month["on_time"] / tallest)
        late = round(CHART_HEIGHT * month["late"] / tallest)
        bars.append(
            {
                **month,
                "x": index * CHART_BAR + 4,
                "on_time_y": CHART_HEIGHT - on_time,
                "on_time_h": on_time,
                "late_y": CHART_HEIGHT - on_time - late,
                "late_h": late,
                "label": month["month"][5:],
            }
        )
    return {
        "bars": bars,
        "width": len(months) * CHART_BAR + 8,
        "height": CHART_HEIGHT,
        "bar": CHART_BAR - 8,
    }
