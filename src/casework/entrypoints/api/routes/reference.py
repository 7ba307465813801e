"""Reference data every user reads: who am I, the organisation, the calendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from casework.domain.access import Action
from casework.entrypoints.api.responses import Me
from casework.entrypoints.api.security import CurrentPrincipal
from casework.entrypoints.api.state import casework_of
from casework.services.calendar_views import year_calendar
from casework.services.organisation import show_organisation
from casework.services.read_models import CalendarYear, OrganisationView

router = APIRouter(prefix="/api", tags=["reference"])


@router.get("/me", summary="The signed-in user: login, agency, roles")
def me(principal: CurrentPrincipal) -> Me:
    return {
        "username": principal.username,
        "agency": principal.agency,
        "roles": sorted(principal.roles),
    }


@router.get(
    "/organisation", summary="Agencies and officers (declared relations: administrators only)"
)
def organisation(request: Request, principal: CurrentPrincipal) -> OrganisationView:
    return show_organisation(casework_of(request), with_relations=principal.may(Action.ADMINISTER))


@router.get("/calendar/{year}", summary="A year's days off and worked weekend days")
def calendar(
    request: Request,
    principal: CurrentPrincipal,
    year: Annotated[int, Path(ge=1990, le=2100)],
) -> CalendarYear:
    return year_calendar(casework_of(request), year)
