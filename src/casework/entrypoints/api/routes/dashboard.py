"""/api/dashboard: overdue and due-soon cases by unit and by clock, the deadlines of the next
four weeks and on time vs late, for heads, supervisors and administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from casework.domain.access import Action
from casework.entrypoints.api.security import CurrentPrincipal
from casework.entrypoints.api.state import casework_of, now_of
from casework.services.authorisation import authorise, scope_of
from casework.services.dashboard import DEFAULT_HORIZON_WORKING_DAYS, dashboard
from casework.services.read_models import Dashboard

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])


@router.get("", summary="The dashboard of the agencies you may see")
def show(
    request: Request,
    principal: CurrentPrincipal,
    horizon_days: Annotated[int, Query(ge=0, le=60)] = DEFAULT_HORIZON_WORKING_DAYS,
) -> Dashboard:
    app = casework_of(request)
    authorise(app, principal, Action.READ_DASHBOARD, now_of(request))
    return dashboard(
        app, scope_of(app, principal), now_of(request), horizon_days, viewer=principal.username
    )
