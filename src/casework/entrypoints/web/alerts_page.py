"""The page "Cảnh báo của tôi": the alerts addressed to the signed-in officer, whatever his
role (a handler is warned before his deadlines too), with the ladder level, who was told,
who acknowledged, and his own acknowledgement (issue 26)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from casework.domain.access import Action
from casework.domain.errors import CaseworkError
from casework.entrypoints.api.state import casework_of, now_of
from casework.entrypoints.web.case_list_page import bulk_said
from casework.entrypoints.web.i18n import words
from casework.entrypoints.web.pages import _back, _form, _page, in_reader_language
from casework.entrypoints.web.session import language, signed_in
from casework.services.authorisation import authorise
from casework.services.bulk_actions import acknowledge_many
from casework.services.escalations import acknowledge, list_escalations

router = APIRouter(include_in_schema=False)


@router.get("/alerts")
def alerts_page(
    request: Request, show_all: Annotated[int, Query(alias="all", ge=0, le=1)] = 0
) -> HTMLResponse:
    principal = signed_in(request)
    waiting_only = not show_all
    alerts = list_escalations(
        casework_of(request), principal, principal.username, unacknowledged=waiting_only
    )
    return _page(
        request,
        "alerts.html",
        principal,
        alerts=alerts,
        waiting_only=waiting_only,
        can_acknowledge=principal.may(Action.ACKNOWLEDGE_ALERT),
    )


@router.post("/alerts/acknowledge")
async def acknowledge_ticked(request: Request) -> RedirectResponse:
    """Acknowledge the alerts ticked on the page; back with what was done and refused."""
    principal = signed_in(request)
    await _form(request)  # a form without this session's CSRF token is refused (403)
    ticked = (await request.form()).getlist("ids")
    texts = words(language(request))
    try:
        numbers = [int(str(number)) for number in ticked]
        result = acknowledge_many(casework_of(request), numbers, principal, now_of(request))
    except ValueError:
        return _back(request, "/alerts", f"{texts['refused']}: {texts['bulk_no_such_alert']}")
    except CaseworkError as refused:
        return _back(
            request, "/alerts", f"{texts['refused']}: {in_reader_language(request, refused)}"
        )
    message = bulk_said(request, result, "bulk_acknowledged")
    return _back(request, "/alerts", message, "" if result.refused else "ok")


@router.post("/alerts/{escalation_id}/acknowledge")
async def acknowledge_from_alerts(request: Request, escalation_id: int) -> RedirectResponse:
    return await acknowledge_and_return(request, escalation_id, "/alerts")


async def acknowledge_and_return(
    request: Request, escalation_id: int, back: str
) -> RedirectResponse:
    """The signed-in officer acknowledges an alert addressed to him (from this page or the
    dashboard), then goes `back` with what happened."""
    principal = signed_in(request)
    await _form(request)  # a form without this session's CSRF token is refused (403)
    texts = words(language(request))
    try:
        authorise(casework_of(request), principal, Action.ACKNOWLEDGE_ALERT, now_of(request))
        ref = acknowledge(casework_of(request), escalation_id, principal, now_of(request))
    except CaseworkError as refused:
        return _back(request, back, f"{texts['refused']}: {in_reader_language(request, refused)}")
    return _back(request, back, texts["acknowledged"].format(ref=ref), "ok")
