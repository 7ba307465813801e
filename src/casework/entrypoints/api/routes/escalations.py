"""/api/escalations: alerts of the escalation ladder, and their acknowledgement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from casework.domain.access import Action
from casework.domain.row_ids import MAX_ROW_ID
from casework.entrypoints.api.responses import Acknowledged, AlertPage, BulkDone, bulk_done
from casework.entrypoints.api.security import CurrentPrincipal
from casework.entrypoints.api.state import casework_of, now_of
from casework.services.authorisation import authorise
from casework.services.bulk_actions import MAX_ITEMS, acknowledge_many
from casework.services.escalations import acknowledge, list_escalations

router = APIRouter(prefix="/api/escalations", tags=["escalations"])


@router.get("", summary="The signed-in user's alerts, newest first")
def list_(
    request: Request,
    principal: CurrentPrincipal,
    unacknowledged: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AlertPage:
    items = list_escalations(
        casework_of(request),
        principal,
        principal.username,
        unacknowledged=unacknowledged,
        limit=limit,
    )
    return {"items": items}


class AcknowledgeMany(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ROW_ID)]] = Field(max_length=MAX_ITEMS)


@router.post("/acknowledge", summary="Acknowledge several alerts addressed to you")
def ack_several(request: Request, principal: CurrentPrincipal, body: AcknowledgeMany) -> BulkDone:
    result = acknowledge_many(casework_of(request), body.ids, principal, now_of(request))
    return bulk_done(result)


@router.post("/{escalation_id}/acknowledge", summary="Acknowledge an alert addressed to you")
def ack(
    request: Request,
    principal: CurrentPrincipal,
    escalation_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
) -> Acknowledged:
    authorise(casework_of(request), principal, Action.ACKNOWLEDGE_ALERT, now_of(request))
    ref = acknowledge(casework_of(request), escalation_id, principal, now_of(request))
    return {"id": escalation_id, "case": ref, "acknowledged_by": principal.username}
