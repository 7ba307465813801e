"""The shapes of what the services give to read: a case, a list row, a clock, a timeline entry,
the allowed triggers, the dashboard, an alert, an audit entry, the organisation, the calendar.

They are TypedDicts: the services build plain JSON-ready dicts (the CLI prints them with
`--json`, the web UI renders them), mypy checks every one against its shape, and the REST API
declares them as its `response_model`s, so the OpenAPI document describes every response.
Dates are ISO strings (`2026-07-06`), instants ISO strings with their offset.

`typing_extensions.TypedDict`, not `typing.TypedDict`: pydantic reads the former on Python
3.11 (it needs the keys' requiredness, which `typing`'s lacks before 3.12).
"""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict

# --- clocks --------------------------------------------------------------------------------


class ExtensionRecord(TypedDict):
    """An extension decided on a clock."""

    decided_on: str
    days: int
    reason: str


class PauseRecord(TypedDict):
    """A pause of a clock; `resumed_on` None while it lasts."""

    paused_on: str
    reason: str
    resumed_on: str | None


class ClockView(TypedDict):
    """One legal clock of a case, as its page shows it."""

    code: str
    title: str
    title_vi: str
    stale: bool  # stored on another calendar than today's: `deadlines recompute`
    status: str  # running, paused, stopped, overdue, elapsed
    due: str | None
    days_left: int | None  # working days; negative once overdue; None unless running
    start_on: str
    stopped_on: str | None
    late: bool  # stopped after its due date
    paused_since: str | None
    paused_reason: str | None
    extensions: list[ExtensionRecord]
    pauses: list[PauseRecord]
    rule_version: str
    calendar_version: str
    basis: str
    explanation: list[str]  # how the due date was computed, step by step
    explanation_vi: list[str]  # the same, as the Vietnamese pages show it


# --- a case --------------------------------------------------------------------------------

TimelineEntry = TypedDict(
    "TimelineEntry",
    {
        "on": str,
        "trigger": str,
        "from": str,
        "to": str,
        "actor": str | None,
        "reason": str,
        "data": dict[str, Any],
        "basis": str,
    },
)
"""One step recorded on a case (its history): a typed text that named the sender is stored
withheld, as the summary is, and read as typed only in the identity view."""


class CaseEscalation(TypedDict):
    """One step of the escalation ladder that fired on the case."""

    clock: str
    step: str  # the ladder step's name
    due: str
    fires_on: str
    recipients: list[dict[str, str]]


class DenouncedView(TypedDict):
    """Who the case is about, as reception recorded it."""

    name: str
    officer: str | None
    agency: str | None


class IdentityView(TypedDict):
    """The sender's identity: masked (`identity` says why and how to read it) or, for a
    reader the law lets see it, its fields (the read is recorded on the audit trail)."""

    identity: NotRequired[str]
    full_name: NotRequired[str]
    address: NotRequired[str]
    contact: NotRequired[str]
    id_number: NotRequired[str]
    email: NotRequired[str]


class OfficerChoice(TypedDict):
    """An officer, by code and name."""

    officer: str
    name: str


class PartyView(TypedDict):
    """A party of the case, numbered from 1 as the commands take them."""

    number: int
    role: str
    kind: str
    name: str
    officer: str | None
    agency: str | None
    candidates: list[OfficerChoice]  # officers a typed name may be, until a head settles it
    pending: bool
    outside_confirmed_by: str | None
    outside_confirmed_at: str | None
    outside_reason: str


class CaseEvent(TypedDict):
    """What the timeline shows beside the steps: the receipt, and each assignment or
    unassignment of a handler (from the audit trail)."""

    at: str  # ISO 8601 instant
    on: str  # its day in Asia/Ho_Chi_Minh
    what: str  # "received", "assigned", "unassigned"
    actor: str | None
    handler: str | None


class CaseNote(TypedDict):
    """An internal note between the case's head and handler, as stored (withheld where it
    named the sender)."""

    id: int
    author: str
    at: str  # ISO 8601 instant
    text: str


class CaseView(TypedDict):
    """Everything about one case its reader may see."""

    ref: str
    kind: str
    state: str
    state_legal_name: str
    agency: str
    agency_name: str | None
    handler: str | None
    handler_name: str | None
    received_on: str
    channel: str
    summary: str
    forwarded_by: str | None
    complexity: str
    attributes: dict[str, Any]
    denounced: DenouncedView
    parties: list[PartyView]
    denouncer: IdentityView | None
    version: int
    allowed_triggers: list[str]  # the steps no guard stops today
    without_clock: bool  # open, and no legal clock watches it
    clocks: list[ClockView]
    history: list[TimelineEntry]
    escalations: list[CaseEscalation]
    notes: list[CaseNote]
    events: list[CaseEvent]
    # the identity view only: the case's audit entries whose payload named the sender, as
    # recorded (a recusal's or a party's reason, an assignment's, a step's)
    typed_entries: NotRequired[list[AuditEntry]]


class CaseListRow(TypedDict):
    """A case in a list, nearest due date first."""

    ref: str
    kind: str
    state: str
    agency: str
    handler: str | None
    received_on: str
    next_due: str | None
    overdue: bool
    summary: str


# --- the steps allowed now -----------------------------------------------------------------


class TriggerField(TypedDict):
    """A value a step takes."""

    name: str
    required: bool
    choices: list[str]
    description: str
    description_vi: str
    choice_labels_vi: dict[str, str]  # each choice as the Vietnamese UI shows it


class TriggerOption(TypedDict):
    """A step an officer may record from the case's state, and what stops it now."""

    trigger: str
    title: str
    title_vi: str
    to: str
    to_legal_name: str
    basis: str
    fields: list[TriggerField]
    blocked_by: list[str]  # empty when nothing does
    blocked_by_vi: list[str]  # the same, in Vietnamese


class AllowedTriggers(TypedDict):
    """The steps of a case's state, each with what stops it now."""

    ref: str
    state: str
    state_legal_name: str
    triggers: list[TriggerOption]
    barred_vi: list[str]


# --- which rule, and why -------------------------------------------------------------------


class ClockExplanation(TypedDict):
    """Which version of its rule a clock counts under, why, and its computation."""

    code: str
    title: str
    status: str
    start_on: str
    started_by: str | None
    due: str | None
    rule_version: str
    variant: str | None
    basis: str
    why: list[str]
    computation: list[str]
    calendar_version: str


class CaseExplanation(TypedDict):
    """Each clock of a case, explained."""

    ref: str
    kind: str
    received_on: str
    facts: list[str]  # the yes/no facts that hold
    today: str
    clocks: list[ClockExplanation]


# --- the dashboard -------------------------------------------------------------------------


class DashboardTotals(TypedDict):
    open: int
    overdue: int
    due_soon: int
    unassigned: int  # open cases no handler is assigned to


class DashboardUnit(TypedDict):
    """An agency's open, overdue and due-soon cases."""

    agency: str
    name: str
    open: int
    overdue: int
    due_soon: int


class DashboardClock(TypedDict):
    """Overdue and due-soon clocks of one rule."""

    code: str
    title: str
    title_vi: str
    overdue: int
    due_soon: int


class DashboardDay(TypedDict):
    """A day of the coming weeks with the deadlines that fall on it."""

    date: str
    weekday: int  # 1 Monday … 7 Sunday
    is_working_day: bool
    due: int


class MonthOutcome(TypedDict):
    month: str  # 2026-07
    on_time: int
    late: int


class OnTimeVsLate(TypedDict):
    """Deadlines met on time or late, by month."""

    since: str
    on_time: int
    late: int
    months: list[MonthOutcome]


class OverdueClock(TypedDict):
    """An overdue duty, oldest first."""

    ref: str
    agency: str
    agency_name: str
    state: str
    handler: str | None
    clock: str
    title: str
    title_vi: str
    due: str
    days_overdue: int
    working_days_overdue: int


class UnwatchedCase(TypedDict):
    """An open case no legal clock watches."""

    ref: str
    agency: str
    agency_name: str
    state: str
    received_on: str
    historical_import: Any  # why it was imported without a clock, if it was


class WaitingAlert(TypedDict):
    """The oldest notice to an officer not delivered yet."""

    queued_at: str  # ISO, in Asia/Ho_Chi_Minh
    hours_waiting: float
    attempts: int
    reason: str  # the last failure ("" if not tried yet)


class UnreachableOfficer(TypedDict):
    """An officer whose address was refused or bounced: he receives no alerts."""

    officer: str
    name: str
    agency_name: str
    address: str
    status: str  # refused | bounced
    reason: str
    since: str  # ISO date the failed notice was queued


class NoticeNeedingAttention(TypedDict):
    """A notice to a party nobody can deliver yet: no e-mail, no postal address."""

    id: int
    ref: str
    agency_name: str
    notice: str  # the notice's template, e.g. party.acceptance
    party: str  # denouncer | denounced
    queued_on: str  # ISO date


class DeliveryHealth(TypedDict):
    """Whether notices reach people (issue 25)."""

    queued: int
    deferred: int
    refused: int  # the problems below are counted over the whole outbox: an administrator's
    bounced: int  # `casework outbox list --status …` shows them
    dead: int
    oldest_waiting_alert: WaitingAlert | None
    unreachable_officers: list[UnreachableOfficer]
    needs_attention: list[NoticeNeedingAttention]


class Dashboard(TypedDict):
    """What a head sees first: overdue and due-soon cases of the agencies in scope."""

    as_of: str
    horizon_working_days: int
    horizon: str
    agencies: list[str] | None  # None: every agency
    totals: DashboardTotals
    by_unit: list[DashboardUnit]
    by_clock: list[DashboardClock]
    calendar: list[DashboardDay]
    on_time_vs_late: OnTimeVsLate
    overdue: list[OverdueClock]
    overdue_limit: int
    without_clock: list[UnwatchedCase]
    delivery: DeliveryHealth


# --- alerts and the audit trail ------------------------------------------------------------


class Acknowledgement(TypedDict):
    officer: str
    at: str


class Alert(TypedDict):
    """An alert of the escalation ladder, with who acknowledged it and who it waits for."""

    id: int
    case: str
    clock: str
    step: str  # the ladder step's name
    due: str
    fires_on: str
    recipients: list[str]
    open: bool  # False once raised into a later step or closed with its clock
    acknowledged: list[Acknowledgement]
    waiting_for: list[str]


class AuditEntry(TypedDict):
    """One entry of the audit trail, its payload withheld where it named the sender (the
    identity view reads it as recorded)."""

    id: int
    recorded_at: str
    actor: str | None
    case: str | None
    action: str
    payload: dict[str, Any]


# --- reference data ------------------------------------------------------------------------


class AgencyView(TypedDict):
    code: str
    name: str
    kind: str
    head: str | None
    deputies: list[str]
    inspectorate: str | None
    superior: str | None


class OfficerView(TypedDict):
    code: str
    name: str
    agency: str
    roles: list[str]
    email: str
    title: str


class RelationView(TypedDict):
    officer: str
    kinship: str
    person_name: str
    person_officer: str | None


ActingView = TypedDict(
    "ActingView", {"officer": str, "agency": str, "from": str, "to": str, "reason": str}
)
"""An officer acting for an agency's head, for a period."""


class OrganisationView(TypedDict):
    """The organisation in its file's shape; `relations` empty except for administrators."""

    name: str
    agencies: list[AgencyView]
    officers: list[OfficerView]
    relations: list[RelationView]
    acting: list[ActingView]


class CalendarException(TypedDict):
    """A day that is not an ordinary Monday–Friday working day or weekend day."""

    date: str
    weekday: str
    working: bool
    why: str


class CalendarYear(TypedDict):
    year: int
    working_days: int
    exceptions: list[CalendarException]
    calendar_version: str
