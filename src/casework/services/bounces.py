"""Read the bounce mailbox and mark the notices it returns (issue 25, item 3).

A notice a mail server accepted can still come back: a relay takes it, the next server
refuses it, and a delivery status notification goes to the envelope sender. casework sends
each notice from `bounce_address+<token>` (VERP), so the notification names its notice. A
returned notice to an officer is "bounced" and the administrator is alerted; one to a party
is queued again as a letter, which the next delivery run writes (printed, or needing
attention when no postal address is on record).

The notification quotes the notice, and a notice to a denouncer names him: what is kept of
it is the report's status and diagnostic, sealed in the case's vault when it quotes him, and
the notification itself is deleted once its notice is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from casework.adapters import outbox_store
from casework.adapters.audit_log import AuditEvent
from casework.adapters.bounce_mailbox import Bounce, BounceMailbox
from casework.domain.errors import ConfigurationError
from casework.domain.notice_status import WAITING, NoticeStatus
from casework.services.app import Casework
from casework.services.delivery import opened_senders, withheld_reply
from casework.services.delivery_problems import queue_problem_alerts
from casework.services.sealing import append_audit

BATCH = 500


@dataclass
class BounceReport:
    """What one reading of the bounce mailbox found."""

    read: int = 0
    bounced: int = 0  # notices marked as returned
    delayed: int = 0  # "delayed" reports: the notice is still on its way; nothing changes
    already: int = 0  # reports on notices already recorded as not delivered, or stale
    waiting: int = 0  # reports on notices being sent right now, or whose key will not open
    discarded: int = 0  # automatic replies quoting a notice to a sender: deleted unread
    unmatched: int = 0  # not a bounce of ours: marked seen and left for a person
    notes: list[str] = field(default_factory=list)


def read_bounces(app: Casework, now: datetime, limit: int = BATCH) -> BounceReport:
    """Read up to `limit` unread messages of the bounce mailbox and record what they say.

    A report is deleted only once what it says is recorded; one about a notice a delivery
    run holds right now (queued or deferred) is left unread for the next reading."""
    settings = app.settings
    if not settings.bounce_address or settings.bounce_maildir is None:
        raise ConfigurationError(
            "bounces are not read: set CASEWORK_BOUNCE_ADDRESS (the envelope sender, e.g. "
            "bounces@nghean.gov.vn) and CASEWORK_BOUNCE_MAILDIR (the Maildir it is delivered to)"
        )
    box = BounceMailbox(settings.bounce_maildir)
    report = BounceReport()
    bounces = list(box.unread(settings.bounce_address, limit))
    report.read = len(bounces)
    if not bounces:
        return report
    found = _notices_of(app, bounces)
    done: list[str] = []  # recorded, or nothing to record: deleted
    seen: list[str] = []  # left for a person
    returned: list[tuple[Any, Bounce]] = []
    for bounce in bounces:
        row = found.get(bounce.key)
        if row is None:
            report.unmatched += 1
            report.notes.append(f"message {bounce.key}: not a delivery report on a notice")
            seen.append(bounce.key)
        elif not bounce.is_report:
            if row.recipient_party == "denouncer":  # an auto-reply quoting his notice
                report.discarded += 1
                done.append(bounce.key)
            else:
                report.unmatched += 1
                report.notes.append(f"message {bounce.key}: a reply about notice {row.id}")
                seen.append(bounce.key)
        elif not bounce.failed:
            report.delayed += 1
            done.append(bounce.key)
        elif row.status in WAITING:
            report.waiting += 1  # a delivery run holds it: read again next time
        elif row.status != NoticeStatus.SENT.value:
            report.already += 1
            done.append(bounce.key)
        else:
            returned.append((row, bounce))
    done.extend(_record(app, returned, now, report))
    try:
        for key in seen:
            box.mark_seen(key)
        for key in done:  # only once recorded: a crash before reads them again
            box.remove(key)
    except OSError as error:
        raise ConfigurationError(
            f"casework cannot change the bounce Maildir {box.folder} ({error}): the user "
            "casework runs as must be able to write it (it deletes each report it recorded)"
        ) from error
    return report


def _notices_of(app: Casework, bounces: list[Bounce]) -> dict[str, Any]:
    """Bounce key → the notice it names (by its VERP token, or the returned Message-ID)."""
    domain = app.settings.sender().domain
    wanted: dict[str, list[Bounce]] = {}
    for bounce in bounces:
        ids = {f"<{token}@{domain}>" for token in bounce.tokens} | set(bounce.message_ids)
        for message_id in ids:
            wanted.setdefault(message_id, []).append(bounce)
    with app.reading() as session:
        rows = outbox_store.by_message_ids(session.connection(), wanted)
    found: dict[str, Any] = {}
    for row in rows:
        for bounce in wanted.get(row.message_id, []):
            found.setdefault(bounce.key, row)
    return found


def _is_stale(row: Any, bounce: Bounce) -> bool:
    """Whether `bounce` is about an address an officer's notice no longer goes to: queued
    again to a mended address, it carries the same Message-ID, and a late report on the old
    address must not mark it."""
    if row.recipient_party or row.retry_until is None or not row.to_address:
        return False
    address = row.to_address.casefold()
    return not any(
        address in (f.recipient.casefold(), f.original.casefold()) for f in bounce.failed
    )


def _record(
    app: Casework, returned: list[tuple[Any, Bounce]], now: datetime, report: BounceReport
) -> list[str]:
    """Record the returned notices; the keys of the reports recorded (or stale)."""
    if not returned:
        return []
    now = now.astimezone(UTC)
    done: list[str] = []
    events: list[AuditEvent] = []
    problems: list[tuple[Any, NoticeStatus, str]] = []
    # a case whose key will not open holds back its own reports only (read again later)
    senders, locked = opened_senders(app, {row.case_id for row, _ in returned if row.case_id})
    with app.transaction() as connection:
        refs = outbox_store.references_of(connection, {r.case_id for r, _ in returned if r.case_id})
        for row, bounce in returned:
            if row.case_id in locked:
                report.waiting += 1
                report.notes.append(f"notice {row.id}: {locked[row.case_id]}")
                continue
            if _is_stale(row, bounce):
                report.already += 1
                report.notes.append(f"notice {row.id}: a report on an earlier address, ignored")
                done.append(bounce.key)
                continue
            why = "bounced: " + "; ".join(f.describe() for f in bounce.failed)
            sealed = ""
            sender = senders.get(row.case_id)
            if sender is not None:
                to_sender = row.recipient_party == "denouncer"
                address = sender.identity["email"] if to_sender else ""
                why, sealed = withheld_reply(sender, why, address or "", to_sender)
            # a party is written to instead: the next delivery run makes the letter
            as_letter = bool(row.recipient_party)
            if not outbox_store.record_bounce(connection, row.id, why, sealed, as_letter, now):
                report.already += 1  # another reader, or a second copy, recorded it first
                done.append(bounce.key)
                continue
            done.append(bounce.key)
            if not as_letter:
                problems.append((row, NoticeStatus.BOUNCED, why))
            report.bounced += 1
            events.append(
                AuditEvent(
                    action="notice.bounced",
                    actor="casework:bounces",
                    case_ref=refs.get(row.case_id),
                    payload={
                        "outbox_id": row.id,
                        "message_id": row.message_id,
                        "template": row.template,
                        "to": row.recipient_officer or row.recipient_party,
                        "error": why,
                        "then": "letter" if as_letter else "administrator alerted",
                    },
                )
            )
        events.extend(queue_problem_alerts(app, connection, problems, refs, now))
        known = {ref: senders.get(case_id) for case_id, ref in refs.items() if case_id}
        append_audit(app, connection, events, now, known)
    return done
