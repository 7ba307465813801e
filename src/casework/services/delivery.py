"""Deliver the outbox: claim a batch, render and send it outside any transaction, record the
outcome. A crash between claim and record leaves the batch leased; after the lease the same
messages (same Message-IDs) are sent again, so nothing is lost and a repeat is recognisable."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from typing import Any

from casework.adapters import outbox_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.database import stored_instant
from casework.adapters.identity_vault import Sender
from casework.adapters.letters import LetterWriter
from casework.adapters.mailer import FolderMailer, Mailer, SmtpMailer, SmtpSettings
from casework.adapters.notice_templates import NoticeRenderer
from casework.adapters.outbox_store import REPLY_WITHHELD, Outcome
from casework.config import LEGAL_TIMEZONE, Settings
from casework.domain.errors import ConfigurationError, DeliveryFailed, VaultLocked
from casework.domain.notice_status import DELIVERED, PROBLEMS, NoticeStatus
from casework.resources import notifications_dir
from casework.services.app import Casework
from casework.services.delivery_problems import queue_problem_alerts
from casework.services.sealing import append_audit, sealed_texts

BULK_TEMPLATES = frozenset({"digest"})
"""Notices sent to many at once on a schedule, marked `Precedence: bulk`."""

LEASE = timedelta(minutes=10)  # at least; longer for big batches on a slow server


def lease_for(settings: Settings, batch: int) -> timedelta:
    """Long enough for a whole batch to time out message by message, so no other run can
    claim the same messages while this one may still be sending them."""
    return max(LEASE, timedelta(seconds=batch * settings.smtp_timeout + 60))


def build_mailer(settings: Settings) -> Mailer:
    """SMTP when a host is configured; otherwise .eml files in the mail folder."""
    if not settings.smtp_host:
        return FolderMailer(settings.resolved_mail_folder())
    return SmtpMailer(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
            helo=settings.smtp_helo,
            ca_file=str(settings.smtp_ca_file) if settings.smtp_ca_file else "",
            verify=settings.smtp_verify,
            envelope_sender=settings.envelope_sender(),
            verp=bool(settings.bounce_address),
        )
    )


@dataclass
class DeliveryReport:
    mailer: str
    claimed: int = 0
    sent: int = 0
    printed: int = 0
    retrying: int = 0  # deferred
    refused: int = 0
    dead: int = 0
    needs_attention: int = 0  # a party with no way to reach him: reception's, not a failure
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether the run left notices undelivered through a fault of the mail path (to
        retry, refused, or given up)."""
        return bool(self.retrying or self.refused or self.dead)

    def failure(self) -> DeliveryFailed:
        """What a failed run says, for the exit code and the engine's run state."""
        return DeliveryFailed(
            f"{self.retrying + self.refused + self.dead} of {self.claimed} notice(s) not "
            f"delivered by {self.mailer} ({self.retrying} to retry, {self.refused} refused, "
            f"{self.dead} dead): "
            + "; ".join(self.errors[:10])
            + (f"; and {len(self.errors) - 10} more" if len(self.errors) > 10 else "")
        )


def max_age(settings: Settings) -> timedelta:
    """How long an undelivered notice is retried before it is given up."""
    return timedelta(hours=settings.delivery_max_age_hours)


def _retry_until(settings: Settings, row: Any) -> datetime:
    """When `row` is given up if still undelivered: by age, not by its number of attempts,
    so an outage of a few hours, or a relay's rate limit, kills nothing."""
    if row.retry_until is not None:
        return stored_instant(row.retry_until)
    return stored_instant(row.created_at) + max_age(settings)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """First retry after `delivery_backoff_seconds`, doubling each time, at most a day."""
    seconds = settings.delivery_backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 86_400))


def compose(
    settings: Settings,
    row: Any,
    renderer: NoticeRenderer,
    now: datetime,
    context: Mapping[str, Any] | None = None,
    to_address: str | None = None,
) -> Message:
    """A multipart/alternative message (plain text and HTML, UTF-8); `context` and
    `to_address` replace the row's (a denouncer's address is known only at delivery).

    Built with the compat32 MIME classes: the `EmailMessage` API re-parses every header it
    is given and cost ~5 ms per message, a third of the delivery budget.
    """
    address = row.to_address if to_address is None else to_address
    if any(ch in address for ch in "\r\n,;") or "@" not in address:
        raise ValueError(f"{address!r} is not one email address")
    rendered = renderer.render(
        row.template, row.language, row.context if context is None else context
    )
    message = MIMEMultipart("alternative")
    message["Message-ID"] = row.message_id
    message["From"] = settings.sender().header()
    message["To"] = address
    reply_to = settings.reply_to()
    if reply_to is not None:
        message["Reply-To"] = reply_to.header()
    message["Subject"] = Header(rendered.subject, "utf-8").encode()
    # the hour the reader lives by (the legal timezone), as the law's dates are
    message["Date"] = format_datetime(stored_instant(row.created_at).astimezone(LEGAL_TIMEZONE))
    # RFC 3834: an out-of-office reply to a notice goes nowhere, and is not a bounce
    message["Auto-Submitted"] = "auto-generated"
    if row.template in BULK_TEMPLATES:
        message["Precedence"] = "bulk"
    message["X-Casework-Notice"] = row.template
    message.attach(MIMEText(rendered.text, "plain", "utf-8"))
    message.attach(MIMEText(rendered.html, "html", "utf-8"))
    return message


def _claim(app: Casework, now: datetime, batch: int) -> list[Any]:
    """Lease a batch of due messages (stored instants are UTC: SQLite keeps no offset)."""
    lease = lease_for(app.settings, batch)
    now = now.astimezone(UTC)
    with app.transaction() as connection:
        return outbox_store.claim(connection, now, batch, now + lease)


@dataclass(frozen=True)
class _Target:
    """Where one claimed message goes, and the data it is rendered with."""

    context: Mapping[str, Any]
    address: str
    reads_identity: bool = False
    sender: Sender | None = None
    postal: bool = False  # a postal address is on record: a letter can be posted


def _targets(
    app: Casework, rows: list[Any]
) -> tuple[dict[int, _Target | str], dict[int, Sender | None]]:
    """Each row's target, or why it has none. A denouncer's name, address and email, and the
    notice's sealed text, are opened here, at the last moment, and never stored in clear."""
    wanted = {r.case_id for r in rows if r.recipient_party == "denouncer" or r.sealed_context}
    senders, locked = opened_senders(app, wanted)
    denounced_addresses: dict[int, set[str]] = {}
    for row in rows:  # where notices to the denounced of these cases went
        if row.recipient_party == "denounced" and row.to_address:
            denounced_addresses.setdefault(row.case_id, set()).add(row.to_address.casefold())
    if wanted:
        with app.reading() as session:
            for case_id, address in outbox_store.denounced_addresses(session.connection(), wanted):
                denounced_addresses.setdefault(case_id, set()).add(address.casefold())
    targets: dict[int, _Target | str] = {}
    for row in rows:
        try:
            targets[row.id] = _target(row, senders, locked, denounced_addresses)
        except VaultLocked as error:  # this row's sealed text alone: the batch goes on
            targets[row.id] = HeldBack(f"the sealed notice cannot be opened: {error}")
    # what the audit entries of the batch are searched against (None: nothing to open)
    opened: dict[int, Sender | None] = {case_id: senders.get(case_id) for case_id in wanted}
    return targets, opened


class HeldBack(str):
    """Why a message cannot go now, for a reason that may heal (a key to restore): it is
    tried again, not given up."""


def _target(
    row: Any,
    senders: Mapping[int, Sender],
    locked: Mapping[int, str],
    denounced_addresses: Mapping[int, set[str]],
) -> _Target | str:
    """Where one message goes and what it says, or why it cannot go now."""
    if row.case_id in locked:  # this case's alone: the others of the batch go out
        return locked[row.case_id]
    if row.recipient_party != "denouncer":
        context = row.context
        if row.sealed_context:  # it names the sender: opened to be sent
            context = senders[row.case_id].case_key.open("notice", row.sealed_context)
        postal = bool(context.get("recipient", {}).get("address"))
        return _Target(context, row.to_address, postal=postal)
    sender = senders.get(row.case_id)
    if sender is None:
        return "the case has no denouncer identity to address this notice to"
    identity = sender.identity
    context = (
        sender.case_key.open("notice", row.sealed_context) if row.sealed_context else row.context
    )
    if identity["email"] and identity["email"].casefold() in denounced_addresses.get(
        row.case_id, set()
    ):
        return (
            "the denouncer's email address is also an address of the denounced person: "
            "not sent (LTC Art. 8(3)); correct the address"
        )
    recipient = {
        **context.get("recipient", {}),
        "name": identity["full_name"],
        "address": identity["address"],
    }
    postal = bool(identity["address"])
    return _Target({**context, "recipient": recipient}, identity["email"], True, sender, postal)


def opened_senders(app: Casework, case_ids: set[int]) -> tuple[dict[int, Sender], dict[int, str]]:
    """The senders of `case_ids`, opened, and why a case's would not open: a damaged row or
    a missing key holds back that case's notices only (they are tried again later)."""
    if not case_ids:
        return {}, {}
    with app.reading() as session:
        connection = session.connection()
        try:
            return app.vault.senders_of(connection, case_ids), {}
        except VaultLocked:
            pass
        senders: dict[int, Sender] = {}
        locked: dict[int, str] = {}
        for case_id in sorted(case_ids):
            try:
                senders.update(app.vault.senders_of(connection, [case_id]))
            except VaultLocked as error:
                locked[case_id] = HeldBack(f"the sealed notice cannot be opened: {error}")
    return senders, locked


@dataclass
class _Result:
    """What one claimed message came to in this run."""

    status: NoticeStatus
    error: str = ""
    channel: str = ""


NO_POSTAL_ADDRESS = (
    "no postal address on record to post the letter to: the letter is written, ready to "
    "print; reception must find where to deliver it"
)


def deliver_pending(
    app: Casework,
    now: datetime,
    mailer: Mailer | None = None,
    renderer: NoticeRenderer | None = None,
    batch: int | None = None,
    letters: LetterWriter | None = None,
) -> DeliveryReport:
    """Send one batch of due messages; returns what happened to it.

    A message with an email address goes through `mailer`. A notice to a party that has no
    address, or whose address was refused for good (or bounced, `channel` "letter"), is
    written by `letters` as a printable letter: "printed" when a postal address is on record,
    otherwise "needs attention" (domain/notice_status.py).
    """
    settings = app.settings
    mailer = mailer or build_mailer(settings)
    letters = letters or LetterWriter(settings.resolved_letters_folder())
    renderer = renderer or NoticeRenderer(notifications_dir())
    now = now.astimezone(UTC)
    report = DeliveryReport(mailer=mailer.describe())
    rows = _claim(app, now, batch or settings.delivery_batch)
    report.claimed = len(rows)
    if not rows:
        return report
    results: dict[int, _Result] = {}
    messages: list[Message] = []
    by_message_id: dict[str, int] = {}
    targets, senders = _targets(app, rows)
    with app.reading() as session:
        refs = outbox_store.references_of(
            session.connection(), {r.case_id for r in rows if r.case_id}
        )

    def as_letter(row: Any, target: _Target, why: str = "") -> _Result:
        """The notice written as a letter to print: printed if it can be posted."""
        try:
            letter = renderer.render(row.template, row.language, target.context)
            letters.write(refs.get(row.case_id) or "no-case", row.message_id, letter)
        except ConfigurationError as exc:  # a template problem will not heal by retrying
            return _Result(NoticeStatus.DEAD, "; ".join(filter(None, [why, str(exc)])))
        except OSError as exc:  # the letters folder: may heal (disk full, permissions)
            return _Result(NoticeStatus.DEFERRED, f"cannot write the letter: {exc}")
        if target.postal:
            return _Result(NoticeStatus.PRINTED, why, "letter")
        reason = "; ".join(filter(None, [why, NO_POSTAL_ADDRESS]))
        return _Result(NoticeStatus.NEEDS_ATTENTION, reason, "letter")

    for row in rows:
        target = targets[row.id]
        if isinstance(target, HeldBack):  # a key restored lets it go later
            results[row.id] = _Result(NoticeStatus.DEFERRED, target)
            continue
        if isinstance(target, str):
            results[row.id] = _Result(NoticeStatus.DEAD, target)
            continue
        if not target.address or (row.channel == "letter" and row.recipient_party):
            results[row.id] = as_letter(row, target, row.last_error)
            continue
        try:
            messages.append(compose(settings, row, renderer, now, target.context, target.address))
            by_message_id[row.message_id] = row.id
        except ConfigurationError as exc:  # a template problem will not heal by retrying
            results[row.id] = _Result(NoticeStatus.DEAD, str(exc))
        except Exception as exc:  # a bad address or header: this message only, never the batch
            why = f"cannot compose the message: {type(exc).__name__}: {exc}"
            results[row.id] = _Result(NoticeStatus.DEAD, why)
    rows_by_id = {row.id: row for row in rows}
    try:
        for result in mailer.send_batch(messages) if messages else []:
            row_id = by_message_id[result.message_id]
            row, target = rows_by_id[row_id], targets[row_id]
            if result.error is None:
                results[row_id] = _Result(NoticeStatus.SENT, "", "email")
            elif not result.permanent:
                results[row_id] = _Result(NoticeStatus.DEFERRED, result.error)
            elif row.recipient_party and isinstance(target, _Target):
                # a party whose address is refused for good is written to, if it can be
                why = f"e-mail refused: {result.error}"
                results[row_id] = as_letter(row, target, why)
            else:
                results[row_id] = _Result(NoticeStatus.REFUSED, result.error)
    except Exception as exc:  # the mailer itself failed: every message of the batch is retried
        for row_id in by_message_id.values():
            results.setdefault(
                row_id, _Result(NoticeStatus.DEFERRED, f"{type(exc).__name__}: {exc}")
            )
    sealed_errors: dict[int, str] = {}
    for row_id, target in targets.items():  # never store or log a denouncer's identity
        outcome = results.get(row_id)
        if outcome and outcome.error and isinstance(target, _Target) and target.sender:
            stored, sealed = withheld_reply(
                target.sender, outcome.error, target.address, target.reads_identity
            )
            if sealed:
                sealed_errors[row_id] = sealed
            outcome.error = stored
    read_identity = {
        row_id for row_id, t in targets.items() if isinstance(t, _Target) and t.reads_identity
    }
    _record(app, rows, results, read_identity, sealed_errors, senders, now, report)
    return report


def _sealed_error(row: Any, error: str, sealed: str) -> str:
    """The sealed reply to keep: this run's, or the one kept with the reason this run's
    builds on (a bounce's, when its letter is written)."""
    if not error:
        return ""
    if sealed:
        return sealed
    kept = str(row.sealed_error or "")
    if not kept:
        return ""
    # the bounce's report, kept while its letter is written (or waits to be)
    if row.channel == "letter" or (row.last_error and error.startswith(row.last_error)):
        return kept
    return ""


_TALLY = {
    NoticeStatus.SENT: "sent",
    NoticeStatus.PRINTED: "printed",
    NoticeStatus.DEFERRED: "retrying",
    NoticeStatus.REFUSED: "refused",
    NoticeStatus.DEAD: "dead",
    NoticeStatus.NEEDS_ATTENTION: "needs_attention",
}


def _count(report: DeliveryReport, status: NoticeStatus) -> None:
    name = _TALLY[status]
    setattr(report, name, getattr(report, name) + 1)


OWN_WORDS = ("cannot reach ", "not tried: ", "the server refused the envelope sender ")
"""How casework's own reasons begin: they quote no server, so nothing of the sender."""


def withheld_reply(
    sender: Sender, reply: str, address: str, to_sender: bool = False
) -> tuple[str, str]:
    """A server's reply about a notice of `sender`'s case as it may be stored, and the reply
    sealed (or ""). A reply about a notice to the sender himself (`to_sender`) is sealed
    whole: it may name a mailbox of his nobody recorded (a forward), which no search for what
    was recorded can find. Otherwise his address and any part of his identity are left out."""
    if to_sender and not reply.startswith(OWN_WORDS):
        return REPLY_WITHHELD, sender.case_key.seal("reply", reply)
    stored, sealed = sealed_texts(sender, reply, "reply")
    if address:
        stored = re.sub(re.escape(address), "<the denouncer's address>", stored, flags=re.I)
    if sealed:
        return REPLY_WITHHELD, sealed
    return stored, ""


def _record(
    app: Casework,
    rows: list[Any],
    results: dict[int, _Result],
    read_identity: set[int],
    sealed_errors: dict[int, str],
    senders: dict[int, Sender | None],
    now: datetime,
    report: DeliveryReport,
) -> None:
    settings = app.settings
    updates: list[Outcome] = []
    events: list[AuditEvent] = []
    problems: list[tuple[Any, NoticeStatus, str]] = []
    with app.transaction() as connection:
        refs = outbox_store.references_of(connection, {r.case_id for r in rows if r.case_id})
        for row in rows:
            result = results.get(row.id) or _Result(NoticeStatus.DEFERRED, "not sent")
            attempts = row.attempts + 1
            if result.status is NoticeStatus.DEFERRED and now >= _retry_until(settings, row):
                age = max_age(settings)
                hours = f"{age.total_seconds() / 3600:g}"
                result = _Result(
                    NoticeStatus.DEAD,
                    f"{result.error} (still undelivered {hours} hours after it was queued: "
                    "given up)",
                    result.channel,
                )
            status, error = result.status, result.error
            next_at = row.next_attempt_at
            if status is NoticeStatus.DEFERRED:
                next_at = now + backoff(settings, attempts)
            _count(report, status)
            if status not in DELIVERED and error:
                report.errors.append(f"message {row.id} ({status.value}): {error}")
            if status in PROBLEMS:
                problems.append((row, status, error))
            updates.append(
                Outcome(
                    id=row.id,
                    status=status.value,
                    attempts=attempts,
                    next_attempt_at=next_at,
                    last_error=error,
                    sent_at=now if status in DELIVERED else None,
                    # a notice whose e-mail came back stays a letter through any deferral
                    channel=result.channel or ("letter" if row.channel == "letter" else ""),
                    sealed_error=_sealed_error(row, error, sealed_errors.get(row.id, "")),
                )
            )
            if row.id in read_identity:
                events.append(
                    AuditEvent(
                        action="identity.read",
                        actor="casework:delivery",
                        case_ref=refs.get(row.case_id),
                        payload={
                            "purpose": f"address the notice {row.template} to the denouncer",
                            "outbox_id": row.id,
                            "basis": "LTC Arts. 8(3), 47",
                        },
                    )
                )
            events.append(
                AuditEvent(
                    action=f"notice.{status.value}",
                    actor="casework:delivery",
                    case_ref=refs.get(row.case_id),
                    payload={
                        "outbox_id": row.id,
                        "message_id": row.message_id,
                        "template": row.template,
                        "to": row.recipient_officer or row.recipient_party,
                        "channel": result.channel,
                        "attempt": attempts,
                        "error": error,
                    },
                )
            )
        outbox_store.record_outcomes(connection, updates)
        events.extend(queue_problem_alerts(app, connection, problems, refs, now))
        # searched against the senders opened above; the other cases' entries hold no typed
        # text (a server's reply to an officer names the officer), and a case whose key
        # will not open must not stop the batch's record
        known = {ref: senders.get(case_id) for case_id, ref in refs.items() if case_id}
        append_audit(app, connection, events, now, known)
