"""SQLModel tables: the organisation, cases, confidential identities, clocks, history,
escalations and the audit trail. The schema itself is created by Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel


def _json(default: Any = None) -> Any:
    return Field(
        default_factory=lambda: default() if callable(default) else default,
        sa_column=Column(JSON, nullable=False),
    )


def _instant(nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index)
    )


class AgencyRow(SQLModel, table=True):
    __tablename__ = "agency"

    code: str = Field(primary_key=True)
    name: str
    kind: str
    head: str | None = None
    deputies: list[str] = _json(list)
    inspectorate: str | None = None
    superior: str | None = Field(default=None, index=True)


class EngineStateRow(SQLModel, table=True):
    """Small facts about the installation, e.g. which organisation file is loaded."""

    __tablename__ = "engine_state"

    key: str = Field(primary_key=True)
    value: str


# The engine_state key whose value changes whenever another organisation file is loaded.
ORGANISATION_STAMP = "organisation"


class OfficerRow(SQLModel, table=True):
    __tablename__ = "officer"

    code: str = Field(primary_key=True)
    name: str
    agency: str = Field(index=True)
    roles: list[str] = _json(list)
    email: str = ""
    title: str = ""


class RelationRow(SQLModel, table=True):
    __tablename__ = "officer_relation"

    id: int | None = Field(default=None, primary_key=True)
    officer: str = Field(index=True)
    kinship: str
    person_name: str = ""
    person_officer: str | None = None


_case_version = Column("version", Integer, nullable=False, default=1)


class ActingRow(SQLModel, table=True):
    """An officer holding an agency's head post for a period."""

    __tablename__ = "acting_head"

    id: int | None = Field(default=None, primary_key=True)
    officer: str
    agency: str = Field(index=True)
    start: date
    end: date
    reason: str = ""


class CaseRow(SQLModel, table=True):
    """A case. `version` is checked on every update (optimistic locking): an UPDATE whose
    version no longer matches changes nothing and raises, so no update is silently lost."""

    __tablename__ = "case_file"
    __mapper_args__ = {"version_id_col": _case_version}
    # the dashboard counts open and unassigned cases per agency from this index alone, and
    # finds the open cases without a deadline (next_due NULL) with one seek of it
    __table_args__ = (
        Index(
            "ix_case_file_agency_kind_state",
            "agency",
            "kind",
            "state",
            "next_due",
            "handler",
            "denounced_officer",
        ),
        # lists and dashboards by nearest deadline: a page is a range of one of these, which
        # also holds what a tab filters on (open, unassigned), so a deep page reads no row
        Index(
            "ix_case_file_agency_next_due", "agency", "next_due", "id", "kind", "state", "handler"
        ),
        Index("ix_case_file_next_due", "next_due", "id"),
        # lists by the date received, newest or oldest first (issue 27)
        Index("ix_case_file_agency_received_on", "agency", "received_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # what receipts, registers and officers call the case (TC-2026-000001): its kind's number
    # for the year received, taken in the intake transaction (adapters/reference_counters.py)
    reference: str = Field(index=True, unique=True)
    kind: str = Field(index=True)
    state: str = Field(index=True)
    agency: str = Field(index=True)  # the agency that must resolve the case
    handler: str | None = Field(default=None, index=True)
    received_on: date
    last_event_on: date | None = None  # date of the latest recorded step: steps go in order
    logged_at: datetime = _instant()
    logged_by: str | None = None
    channel: str = "letter"
    summary: str = ""
    forwarded_by: str | None = None
    denounced_name: str = ""
    denounced_officer: str | None = None
    denounced_agency: str | None = None
    denounced_email: str = ""  # where notices to a denounced person who is not an officer go
    # who or what the case is about, normalised; part of the identity's repeat key
    subject_key: str = ""
    complexity: str = "ordinary"
    attributes: dict[str, Any] = _json(dict)
    # the nearest due date of its running duty clocks (on a ladder), None if none runs: kept
    # by CaseStore.save_clock with every clock written, so that lists page by deadline on
    # an index instead of walking the clocks (issue 26: page 1,001 took 0.6 s at 10^5 cases)
    next_due: date | None = None
    version: int = Field(default=1, sa_column=_case_version)


class ReferenceCounterRow(SQLModel, table=True):
    """The last number given in a series of references (a kind's cases of one year: `TC-2026`).
    A number is taken in the same transaction as the record it numbers, so a record that is
    not written gives its number back and a series has no gaps."""

    __tablename__ = "reference_counter"

    series: str = Field(primary_key=True)
    last_number: int


class DenouncerIdentityRow(SQLModel, table=True):
    """The sender of a case (denouncer, complainant, petitioner), sealed: nothing in this row
    tells who he is without the installation key (LTC Arts. 8(3), 47, 56; ADR 0011)."""

    __tablename__ = "denouncer_identity"
    # one index answers "the first case this one repeats", whatever the planner knows of the
    # tables: joining case_file to the sender's rows let a planner without statistics walk
    # every case on a much-denounced subject (adapters/repeat_lookup.py)
    __table_args__ = (
        Index("ix_denouncer_identity_repeat_key", "repeat_key", "case_id"),
        # `casework keys rotate` finds the data keys still under an earlier key
        Index("ix_denouncer_identity_key_id", "key_id"),
    )

    case_id: int = Field(primary_key=True, foreign_key="case_file.id")
    # the id of the installation key that wraps `wrapped_key`, the case's data key
    key_id: str
    wrapped_key: str
    # name, address, contact, ID number, email: sealed under the data key
    identity: str
    # what reception typed that named the sender (the summary, the forwarder, attributes such
    # as the contested decision), sealed as typed ("" when nothing did): case_file then
    # holds the withheld text every reader sees
    typed: str = ""
    # keyed digests (the repeat key, adapters/keyring.py) of the normalised name and ID
    # number (or address): the same sender's letters share it, nobody can recompute it
    sender_key: str = ""
    # sender, kind, agency and subject: equal on a repeat and its first case (domain/repeats.py)
    repeat_key: str = ""


class CasePartyRow(SQLModel, table=True):
    """A party the case concerns, as resolved at intake (domain/parties.py): the denounced, or a
    complaint's respondent. `candidates` are the officers a typed name may be; a head who is not
    one of them may confirm, on the record, that the party is an outside person."""

    __tablename__ = "case_party"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    role: str  # denounced | respondent
    kind: str  # officer | agency | person
    name: str = ""
    officer: str | None = None
    agency: str | None = None
    candidates: list[str] = _json(list)
    outside_confirmed_by: str | None = None
    outside_confirmed_at: datetime | None = _instant(nullable=True)
    outside_reason: str = ""


class CaseSearchRow(SQLModel, table=True):
    """The words a search finds a case by (domain/search.case_words): its reference, its
    summary and forwarder as stored (withheld where they named the sender), the denounced
    person's name and a contested decision, folded. Written by intake; indexed by each store
    (adapters/case_search.py): SQLite's FTS5 trigram table, PostgreSQL's pg_trgm index."""

    __tablename__ = "case_search"

    case_id: int = Field(primary_key=True, foreign_key="case_file.id")
    words: str


class SenderWordRow(SQLModel, table=True):
    """A keyed digest (the repeat key, adapters/identity_vault.py) of one folded word of a
    case's sender's name: what a search by the sender's name looks up, whole words only. The
    name itself stays sealed; nobody without the key can tell a word from its digest."""

    __tablename__ = "sender_word"

    digest: str = Field(primary_key=True)
    case_id: int = Field(primary_key=True, foreign_key="case_file.id", index=True)


class CaseExclusionRow(SQLModel, table=True):
    """An officer who may not see or act on a case, and why (domain/parties.py). Derived from
    the parties, the recusals and the organisation; rewritten whenever one of them changes.
    Lists leave a viewer's excluded cases out by its primary key (adapters/case_visibility.py)."""

    __tablename__ = "case_exclusion"
    # a viewer's excluded cases, counted apart from the rest (adapters/case_visibility.py)
    __table_args__ = (Index("ix_case_exclusion_officer", "officer", "case_id"),)

    case_id: int = Field(primary_key=True)  # no foreign key, as on EscalationRow.case_id
    officer: str = Field(primary_key=True)
    reason: str


class CaseNoteRow(SQLModel, table=True):
    """An internal note on a case between its head and its handler (issue 27): who wrote it,
    when, and the text — stored withheld where it named the sender, the text as typed then
    sealed beside it (services/sealing.py)."""

    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    author: str
    written_at: datetime = _instant()
    text: str
    sealed: str = ""


class CaseRecusalRow(SQLModel, table=True):
    """An officer's recusal from a case, with his reason, on the record."""

    __tablename__ = "case_recusal"

    case_id: int = Field(primary_key=True, foreign_key="case_file.id")
    officer: str = Field(primary_key=True)
    reason: str
    recorded_at: datetime = _instant()


class ClockRow(SQLModel, table=True):
    """A legal clock with its provenance; `due` and `next_step_on` are what the sweep reads."""

    __tablename__ = "clock"
    __table_args__ = (
        Index("ix_clock_status_next_step_on", "status", "next_step_on"),
        # covering the dashboard's counts by clock and day (no row read for them)
        Index("ix_clock_status_due", "status", "due", "code", "ladder", "case_id"),
        # on-time vs late over the last months: a range of stopped clocks
        Index("ix_clock_status_stopped_on", "status", "stopped_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    code: str
    rule_version: str
    calendar_version: str
    start_on: date
    extensions: list[dict[str, Any]] = _json(list)
    pauses: list[dict[str, Any]] = _json(list)
    status: str
    due: date | None = None
    stopped_on: date | None = None
    ladder: str = "default"
    ladder_due: date | None = None  # the due date `next_step` counts toward
    next_step: int = 0
    next_step_on: date | None = None


class TransitionRow(SQLModel, table=True):
    """One applied trigger: the case's history."""

    __tablename__ = "transition"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    trigger: str
    from_state: str
    to_state: str
    occurred_on: date
    recorded_at: datetime = _instant()
    actor: str | None = None
    reason: str = ""
    data: dict[str, Any] = _json(dict)
    basis: str = ""
    # the reason and data as typed, sealed in the case's vault, when they named the sender:
    # `reason` and `data` then hold the withheld text every reader sees
    sealed: str = ""


class EscalationRow(SQLModel, table=True):
    """A step of the escalation ladder that fired for one clock and one due date."""

    __tablename__ = "escalation"
    __table_args__ = (UniqueConstraint("clock_id", "step", "due", name="uq_escalation_once"),)

    id: int | None = Field(default=None, primary_key=True)
    # indexed by uq_escalation_once, which leads with it
    clock_id: int = Field(foreign_key="clock.id")
    # the clock's case, copied for the dashboard's lookups. No foreign key: the clock's own
    # key already ties it to the case, and on PostgreSQL each key check locks the case row
    # (FOR KEY SHARE), which cost a sweep of 10^6 open cases half a second.
    case_id: int = Field(index=True)
    clock_code: str
    step: str
    due: date
    fires_on: date
    fired_at: datetime = _instant()
    recipients: list[dict[str, str]] = _json(list)


class EscalationAckRow(SQLModel, table=True):
    """One recipient's acknowledgement of an alert. Each recipient answers for himself: one
    head's acknowledgement never silences the alert for another (issue 20)."""

    __tablename__ = "escalation_ack"

    escalation_id: int = Field(primary_key=True, foreign_key="escalation.id")
    officer: str = Field(primary_key=True)
    acknowledged_at: datetime = _instant()


class OutboxRow(SQLModel, table=True):
    """A notice to send, written in the transaction that caused it (transactional outbox).

    `dedupe_key` makes the cause write it once; `message_id` is fixed at that moment, so a
    retry after a crash carries the same Message-ID and is recognisable as the same message.
    It is unique because it is named after the dedupe key; its index (migration 0019) finds
    the notice a bounce names.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True)
    message_id: str = Field(index=True)
    template: str
    language: str
    # no foreign key, for the reason given on EscalationRow.case_id: the outbox is written by
    # the sweep and by triggers whose case row exists in the same transaction
    case_id: int | None = Field(default=None, index=True)
    recipient_officer: str | None = None
    # "denouncer" or "denounced" for a notice to a party. A denouncer's address is looked up
    # only when the notice is delivered, so no copy of their identity sits in the outbox.
    recipient_party: str | None = None
    to_address: str  # "" = no email address: delivered as a printable letter
    # how it went out: "email" or "letter" (set on delivery); "letter" on a queued notice
    # means it goes as a letter (its e-mail bounced)
    channel: str = ""
    context: dict[str, Any] = _json(dict)
    # a notice to the sender: its whole context sealed in the case's vault, opened only to
    # send it; `context` then holds the case's reference alone
    sealed_context: str = ""
    status: str = "queued"  # a NoticeStatus (domain/notice_status.py)
    attempts: int = 0
    next_attempt_at: datetime = _instant()
    last_error: str = ""
    # the server's reply as it came, sealed, when it quoted the sender's address or name
    sealed_error: str = ""
    created_at: datetime = _instant()
    sent_at: datetime | None = _instant(nullable=True)
    # given up when still undelivered at this instant: set when an administrator queues a
    # dead message again; otherwise its creation plus CASEWORK_DELIVERY_MAX_AGE_HOURS
    retry_until: datetime | None = _instant(nullable=True)


class AuditRow(SQLModel, table=True):
    """An append-only, hash-chained record of everything that happened."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime = _instant()
    actor: str | None = None
    case_ref: str | None = Field(default=None, index=True)
    action: str
    payload: dict[str, Any] = _json(dict)
    prev_hash: str
    hash: str


class UserRow(SQLModel, table=True):
    """A login to the web app and API, for an officer of the organisation (the username is the
    officer's code). Roles start as the officer's and are administered with `casework user`."""

    __tablename__ = "app_user"

    username: str = Field(primary_key=True)
    password_hash: str
    roles: list[str] = _json(list)
    disabled: bool = False
    created_at: datetime = _instant()


class LoginFailureRow(SQLModel, table=True):
    """A failed sign-in: which login, from which client address, when. Kept in the database so
    that every web process counts the same attempts (services/sign_in_limits.py)."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True)
    client: str = Field(default="", index=True)
    failed_at: datetime = _instant()


class WebSessionRow(SQLModel, table=True):
    """A signed-in browser session, kept server-side: the cookie carries only a random
    identifier whose SHA-256 digest is stored here, so signing out, a new password or an
    administrator ends the session for every copy of the cookie (services/web_sessions.py)."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    session_digest: str = Field(unique=True)
    username: str = Field(foreign_key="app_user.username", index=True)
    client: str = ""
    started_at: datetime = _instant()
    last_seen_at: datetime = _instant()
    ended_at: datetime | None = _instant(nullable=True)
    # why it ended: signed out, idle, password changed, ended by an administrator …
    end_reason: str = ""


class ApiTokenRow(SQLModel, table=True):
    """A token for scripts; only its SHA-256 digest is stored, the token is shown once."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(foreign_key="app_user.username", index=True)
    token_digest: str = Field(unique=True)
    label: str = ""
    created_at: datetime = _instant()
    revoked_at: datetime | None = _instant(nullable=True)
    # a token stops working at its expiry; None (tokens made before expiry existed) never
    expires_at: datetime | None = _instant(nullable=True)
    last_used_at: datetime | None = _instant(nullable=True)
