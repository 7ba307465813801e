"""/api/cases: log, list, show, the allowed triggers, advance, assign, explain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as FastApiPath
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from casework.domain.access import Action, Principal
from casework.entrypoints.api.fields import Line, LineQuery, Text
from casework.entrypoints.api.responses import (
    AdvancedCase,
    Assigned,
    BulkDone,
    CaseIdentity,
    CasePage,
    CaseParties,
    LoggedCase,
    NoteWritten,
    Recused,
    bulk_done,
)
from casework.entrypoints.api.security import CurrentPrincipal
from casework.entrypoints.api.state import casework_of, now_of
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import legal_date
from casework.services.assignment import assign_case
from casework.services.authorisation import authorise, authorise_case, authorise_intake
from casework.services.authorisation import scoped_filter as narrowed
from casework.services.bulk_actions import MAX_ITEMS, assign_many
from casework.services.case_export import export_csv
from casework.services.case_notes import write_note
from casework.services.case_parties import confirm_outside, identify, parties_of, recuse
from casework.services.case_views import (
    MAX_DUE_WITHIN,
    CaseFilter,
    allowed_triggers,
    list_cases,
    show_case_to,
)
from casework.services.intake import log_case
from casework.services.intake_form import intake_command
from casework.services.letter_intake import letter_receipt
from casework.services.read_models import AllowedTriggers, CaseExplanation, CaseView, PartyView
from casework.services.rule_explanations import explain_case

router = APIRouter(prefix="/api/cases", tags=["cases"])
_LABELS = {
    "received": "received_on",
    "denouncer": "sender",
    "also_denounced": "more_denounced",
    "complaint.decision_known_on": "complaint.decision_known_on",
}
"""The intake's fields as the API's body names them (services/intake_form.py)."""


class Sender(BaseModel):
    """The denouncer, complainant or sender: confidential, stored apart from the case."""

    full_name: Line = Field(min_length=1)
    address: Line = ""
    contact: Line = ""
    id_number: Line = ""
    email: Line = ""


class Complaint(BaseModel):
    decision_known_on: date | None = Field(
        None,
        description="the day the complainant received or learnt of the contested decision; "
        "required, except for a second complaint, which takes it from its first case",
    )
    contested_decision: Line = ""
    remote_area_reason: Line = Field("", description="set for a remote area, with the reason")
    disciplinary: bool = False
    dismissal: bool = False
    issuer_level: Literal["other", "provincial_chair", "minister"] = "other"
    second_instance_of: Line | None = None


class OtherParty(BaseModel):
    """One more party a denunciation names: an officer, an agency, or a name as typed."""

    name: Line = ""
    officer: Line | None = None
    agency: Line | None = None


class NewCase(BaseModel):
    """A letter, visit, call or forwarded file, as the reception officer records it."""

    kind: Line = Field(description="denunciation, complaint, petition or letter")
    agency: Line = ""
    received_on: date
    summary: Text = ""
    sender: Sender | None = Field(None, description="none for an anonymous letter")
    anonymous: bool = Field(
        False,
        description="a denunciation naming no identifiable denouncer: recorded as intelligence "
        "(LTC Art. 25), with no legal clock; without it, a denunciation needs its sender",
    )
    denounced_name: Line = ""
    denounced_officer: Line | None = None
    denounced_agency: Line | None = None
    denounced_email: Line = ""
    more_denounced: list[OtherParty] = Field(
        default_factory=list, description="a denunciation's other denounced parties"
    )
    channel: Line = "letter"
    forwarded_by: Line | None = None
    complaint: Complaint | None = None
    from_letter: Line | None = None
    redenunciation_of: Line | None = None
    redenunciation_ground: Literal["unlawful", "late"] = "unlawful"
    historical: Line = Field(
        "",
        description="why a case received before every deadline rule is logged all the same "
        "(an old file imported); it then has no legal clock",
    )


class Advance(BaseModel):
    trigger: Line
    on: date | None = Field(None, description="the date of the decision or event; today if none")
    reason: Text = ""
    data: dict[Line, Text] = Field(default_factory=dict, description="the fields the trigger takes")
    expected_version: int | None = Field(
        None, description="refuse with 409 if the case changed since this version was read"
    )


class Assign(BaseModel):
    officer: Line
    reason: Text = ""


class Reason(BaseModel):
    reason: Text = Field(description="recorded on the case; required")


class Identify(BaseModel):
    officer: Line = Field(description="code of the officer the party is")
    reason: Text = ""


def _authorise(request: Request, principal: Principal, action: Action, ref: str) -> None:
    authorise(casework_of(request), principal, action, now_of(request), ref=ref)


def scoped_filter(
    request: Request,
    principal: CurrentPrincipal,
    state: LineQuery = None,
    kind: LineQuery = None,
    agency: LineQuery = None,
    handler: LineQuery = None,
    overdue: bool = False,
    due_within: Annotated[
        int | None, Query(ge=0, le=MAX_DUE_WITHIN, description="working days")
    ] = None,
    q: Annotated[
        str,
        Query(
            max_length=400,
            description="words of the reference, names or summary, with or without "
            "diacritics; the sender's name only where you may see the sender",
        ),
    ] = "",
    clock: LineQuery = None,
    received_from: Annotated[date | None, Query(description="received on or after")] = None,
    received_to: Annotated[date | None, Query(description="received on or before")] = None,
    status: Annotated[
        Literal["open", "closed"] | None, Query(description="open: not in a final state")
    ] = None,
    upcoming: Annotated[bool, Query(description="only cases not yet overdue")] = False,
    unassigned: Annotated[bool, Query(description="only cases without a handler")] = False,
    sort: Annotated[Literal["due", "newest", "oldest"], Query()] = "due",
) -> CaseFilter:
    """The list's filters, within the cases the principal may read: their agencies, and never
    the denunciations of themselves."""
    return narrowed(
        casework_of(request),
        principal,
        CaseFilter(
            state=state,
            kind=kind,
            agency=agency,
            handler=handler,
            overdue=overdue,
            due_within=due_within,
            search=q,
            clock=clock,
            received_from=received_from,
            received_to=received_to,
            status=status,
            upcoming=upcoming,
            unassigned=unassigned,
            sort=sort,
        ),
    )


ScopedFilter = Annotated[CaseFilter, Depends(scoped_filter)]


@router.get("", summary="List cases, nearest due date first")
def list_(
    request: Request,
    filters: ScopedFilter,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> CasePage:
    # one more than the page tells whether there is a next page
    rows = list_cases(
        casework_of(request), replace(filters, limit=limit + 1, offset=offset), now_of(request)
    )
    return {
        "items": rows[:limit],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(rows) > limit else None,
    }


@router.get(
    "/export.csv",
    summary="Every matching case as CSV: no sender identity, no denounced person's name",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export(request: Request, filters: ScopedFilter) -> StreamingResponse:
    app = casework_of(request)
    chunks = export_csv(app, filters, now_of(request))
    first = next(chunks)  # bad filters fail here, as problem+json, before any byte is sent
    return StreamingResponse(
        _prepend(first, chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="casework-cases.csv"'},
    )


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


@router.post("", status_code=201, summary="Log a case (reception)")
def create(request: Request, principal: CurrentPrincipal, body: NewCase) -> LoggedCase:
    app = casework_of(request)
    # who may log at all is asked before the body is read: a refusal tells nothing of it
    authorise(app, principal, Action.LOG_CASE, now_of(request))
    command = intake_command(
        {
            **body.model_dump(exclude={"sender", "more_denounced", "complaint", "received_on"}),
            "received": body.received_on,
            "denouncer": body.sender.model_dump() if body.sender else None,
            "also_denounced": [party.model_dump() for party in body.more_denounced],
            "complaint": body.complaint.model_dump() if body.complaint else None,
        },
        principal.username,
        legal_date(now_of(request)),
        lambda letter: letter_receipt(app, letter),
        labels=_LABELS,
    )
    authorise_intake(app, principal, command, now_of(request))
    logged = log_case(app, command, now_of(request))
    return {
        "ref": logged.ref,
        "state": logged.state,
        "clocks": [{"code": str(c["code"]), "due": c["due"]} for c in logged.clocks],
        "repeat_of": logged.repeat_of,
        "candidates": [
            {"typed": c["typed"], "officer": c["officer"], "name": c["name"]}
            for c in logged.candidates
        ],
    }


@router.get("/{ref}", summary="A case: state, clocks, history, escalations (identity masked)")
def show(request: Request, principal: CurrentPrincipal, ref: str) -> CaseView:
    return show_case_to(casework_of(request), principal, ref, now_of(request))


@router.get(
    "/{ref}/identity",
    summary="The denouncer's or complainant's identity, for those the law lets see it (logged)",
)
def identity(
    request: Request, principal: CurrentPrincipal, ref: str, response: Response
) -> CaseIdentity:
    response.headers["Cache-Control"] = "no-store"  # nothing keeps a copy of the identity
    view = show_case_to(casework_of(request), principal, ref, now_of(request), reveal_identity=True)
    return {
        "ref": view["ref"],
        "identity": view["denouncer"],
        "summary": view["summary"],
        "history": view["history"],
        "typed_entries": view.get("typed_entries", []),
    }


@router.get("/{ref}/triggers", summary="The triggers allowed now, with their fields and blockers")
def triggers(request: Request, principal: CurrentPrincipal, ref: str) -> AllowedTriggers:
    _authorise(request, principal, Action.READ_CASES, ref)
    return allowed_triggers(casework_of(request), ref, now_of(request), actor=principal.username)


@router.post("/{ref}/advance", summary="Apply a trigger as of a date")
def advance(request: Request, principal: CurrentPrincipal, ref: str, body: Advance) -> AdvancedCase:
    _authorise(request, principal, Action.ADVANCE_CASE, ref)
    result = advance_case(
        casework_of(request),
        AdvanceCase(
            ref=ref,
            trigger=body.trigger,
            on=body.on,
            actor=principal.username,
            reason=body.reason,
            data=body.data,
            expected_version=body.expected_version,
        ),
        now_of(request),
    )
    return {
        "ref": result.ref,
        "trigger": result.trigger,
        "from": result.from_state,
        "to": result.to_state,
        "on": result.on.isoformat(),
    }


class AssignMany(BaseModel):
    refs: list[Line] = Field(description="the cases, by reference", max_length=MAX_ITEMS)
    officer: Line
    reason: Text = ""


@router.post("/bulk-assign", summary="Assign several cases to one handler, each on its own")
def assign_several(request: Request, principal: CurrentPrincipal, body: AssignMany) -> BulkDone:
    result = assign_many(
        casework_of(request), body.refs, body.officer, principal, body.reason, now_of(request)
    )
    return bulk_done(result)


class Note(BaseModel):
    text: Text = Field(description="the note, kept on the case and on the audit trail")


@router.post(
    "/{ref}/notes",
    status_code=201,
    summary="Write an internal note on a case (handlers, heads, supervisors)",
)
def note(request: Request, principal: CurrentPrincipal, ref: str, body: Note) -> NoteWritten:
    number = write_note(casework_of(request), ref, principal, body.text, now_of(request))
    return {"ref": ref, "note": number, "author": principal.username}


@router.post("/{ref}/assign", summary="Assign a handler (conflicts of interest refused)")
def assign(request: Request, principal: CurrentPrincipal, ref: str, body: Assign) -> Assigned:
    _authorise(request, principal, Action.ASSIGN_CASE, ref)
    previous = assign_case(
        casework_of(request), ref, body.officer, principal.username, body.reason, now_of(request)
    )
    return {"ref": ref, "handler": body.officer, "previous": previous or None}


@router.get("/{ref}/explain", summary="Which rule version applied to each clock, and why")
def explain(request: Request, principal: CurrentPrincipal, ref: str) -> CaseExplanation:
    _authorise(request, principal, Action.READ_CASES, ref)
    return explain_case(casework_of(request), ref, now_of(request))


@router.get("/{ref}/parties", summary="Who the case concerns, with the officers a name may be")
def parties(request: Request, principal: CurrentPrincipal, ref: str) -> CaseParties:
    access = authorise_case(
        casework_of(request), principal, Action.READ_CASES, now_of(request), ref
    )
    return {"ref": ref, "parties": parties_of(casework_of(request), ref, access)}


@router.post(
    "/{ref}/parties/{number}/identify",
    summary="Record that a party is an officer of the organisation (reception or a head)",
)
def identify_party(
    request: Request,
    principal: CurrentPrincipal,
    ref: str,
    number: Annotated[int, FastApiPath(ge=1, le=1000)],
    body: Identify,
) -> PartyView:
    _authorise(request, principal, Action.IDENTIFY_PARTY, ref)
    return identify(
        casework_of(request), principal, ref, number, body.officer, body.reason, now_of(request)
    )


@router.post(
    "/{ref}/parties/{number}/confirm-outside",
    summary="Confirm, as a head who is not a candidate, that a party is an outside person",
)
def confirm_party_outside(
    request: Request,
    principal: CurrentPrincipal,
    ref: str,
    number: Annotated[int, FastApiPath(ge=1, le=1000)],
    body: Reason,
) -> PartyView:
    _authorise(request, principal, Action.CONFIRM_OUTSIDE, ref)
    return confirm_outside(
        casework_of(request), principal, ref, number, body.reason, now_of(request)
    )


@router.post("/{ref}/recuse", summary="Step aside from a case, with a reason (ND31 Art. 10(3))")
def recuse_from(request: Request, principal: CurrentPrincipal, ref: str, body: Reason) -> Recused:
    _authorise(request, principal, Action.RECUSE, ref)
    recuse(casework_of(request), principal, ref, body.reason, now_of(request))
    return {"ref": ref, "recused": principal.username}
