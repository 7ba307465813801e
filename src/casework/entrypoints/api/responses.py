"""The REST API's own response shapes: pages of the services' read models
(services/read_models.py) and the answers to its commands. Each route returns one of these
or a read model, so the OpenAPI document describes every response."""

from __future__ import annotations

from typing_extensions import TypedDict

from casework.services.bulk_actions import BulkResult
from casework.services.read_models import (
    Alert,
    AuditEntry,
    CaseListRow,
    IdentityView,
    PartyView,
    TimelineEntry,
)


class CasePage(TypedDict):
    """A page of cases; `next_offset` None on the last page."""

    items: list[CaseListRow]
    limit: int
    offset: int
    next_offset: int | None


class LoggedClock(TypedDict):
    code: str
    due: str | None


class NameCandidate(TypedDict):
    """An officer a typed denounced name may be: excluded from the case until a head
    settles it."""

    typed: str
    officer: str
    name: str


class LoggedCase(TypedDict):
    """A case just logged: its reference, state and clocks; the earlier case it repeats
    (only where the reader may see that one); the officers a typed name may be."""

    ref: str
    state: str
    clocks: list[LoggedClock]
    repeat_of: str | None
    candidates: list[NameCandidate]


AdvancedCase = TypedDict(
    "AdvancedCase", {"ref": str, "trigger": str, "from": str, "to": str, "on": str}
)
"""A step recorded: from which state to which, as of which date."""


class Assigned(TypedDict):
    ref: str
    handler: str
    previous: str | None


class CaseIdentity(TypedDict):
    """The sender's identity, or None for an anonymous case; with the summary and the steps'
    reasons and fields as typed (those that named him are withheld everywhere else)."""

    ref: str
    identity: IdentityView | None
    summary: str
    history: list[TimelineEntry]
    typed_entries: list[AuditEntry]


class CaseParties(TypedDict):
    ref: str
    parties: list[PartyView]


class Recused(TypedDict):
    ref: str
    recused: str


class AlertPage(TypedDict):
    items: list[Alert]


class NoteWritten(TypedDict):
    ref: str
    note: int
    author: str


class BulkRefusal(TypedDict):
    item: str  # the case reference, or the alert's number
    detail: str
    detail_vi: str


class BulkDone(TypedDict):
    """What a bulk action did: each item done (a case reference) and each refused, with why;
    one refused item stops no other."""

    done: list[str]
    refused: list[BulkRefusal]


class Acknowledged(TypedDict):
    id: int
    case: str
    acknowledged_by: str


class AuditPage(TypedDict):
    """Audit entries, newest first; `next_before_id` pages back (None on the last page)."""

    items: list[AuditEntry]
    next_before_id: int | None


class AuditVerification(TypedDict):
    """The hash chain recomputed: intact, or the first entry that breaks it and why."""

    intact: bool
    entries: int
    first_broken_id: int | None
    problem: str | None


class Me(TypedDict):
    username: str
    agency: str
    roles: list[str]


def bulk_done(result: BulkResult) -> BulkDone:
    """A bulk action's result as the API answers it."""
    return {
        "done": list(result.done),
        "refused": [
            {"item": item, "detail": str(why), "detail_vi": why.vi or str(why)}
            for item, why in result.refused
        ],
    }
