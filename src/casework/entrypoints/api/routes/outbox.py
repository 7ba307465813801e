"""/api/outbox: recording a notice to a party that was delivered by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from casework.domain.access import Action
from casework.domain.row_ids import MAX_ROW_ID
from casework.entrypoints.api.security import CurrentPrincipal
from casework.entrypoints.api.state import casework_of, now_of
from casework.services.authorisation import authorise
from casework.services.outbox import HOW_LIMIT, record_handed

router = APIRouter(prefix="/api/outbox", tags=["notices"])


class HandedBody(BaseModel):
    how: str = Field(min_length=1, max_length=HOW_LIMIT, description="how and when")


class Handed(BaseModel):
    id: int
    case: str
    recorded_by: str


@router.post(
    "/{message_id}/handed",
    summary="Record that a notice needing attention was delivered by hand",
)
def handed(
    request: Request,
    principal: CurrentPrincipal,
    message_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    body: HandedBody,
) -> Handed:
    app = casework_of(request)
    authorise(app, principal, Action.RECORD_HANDED, now_of(request))
    ref = record_handed(app, message_id, principal, body.how, now_of(request))
    return Handed(id=message_id, case=ref, recorded_by=principal.username)
