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
from casework.domain.notice_status import NoticeStatus
from casework.services.app import Casework, legal_date
from casework.services.delivery import withheld_reply
from casework.services.delivery_problems import problem_alerts
from casework.services.sealing import append_audit

BATCH = 500


@dataclass
class BounceReport:
    """What one reading of the bounce mailbox found."""

    read: int = 0
    bounced: int = 0  # notices marked as returned
    delayed: int = 0  # "delayed" reports: the notice is still on its way; nothing changes
    already: int = 0  # reports on notices already recorded as not delivered
    unmatched: int = 0  # not a bounce of ours: marked seen and left for a person
    notes: list[str] = field(default_factory=list)


def read_bounces(app: Casework, now: datetime, limit: int = BATCH) -> BounceReport:
    """Read up to `limit` unread messages of the bounce mailbox and record what they say."""
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
    domain = settings.sender().domain
    wanted: dict[str, list[Bounce]] = {}
    for bounce in bounces:
        ids = {f"<{token}@{domain}>" for token in bounce.tokens} | set(bounce.message_ids)
        for message_id in ids:
            wanted.setdefault(message_id, []).append(bounce)
    with app.reading() as session:
        rows = outbox_store.by_message_ids(session.connection(), wanted)
    found: dict[str, Any] = {}  # bounce key → its notice's row
    for row in rows:
        for bounce in wanted.get(row.message_id, []):
            found.setdefault(bounce.key, row)
    recorded: list[str] = []
    returned: list[tuple[Any, Bounce]] = []
    for bounce in bounces:
        row = found.get(bounce.key)
        if row is None or not bounce.is_report:
            report.unmatched += 1
            report.notes.append(f"message {bounce.key}: not a delivery report on a notice")
            box.mark_seen(bounce.key)
        elif not bounce.failed:
            report.delayed += 1
            recorded.append(bounce.key)
        elif row.status != NoticeStatus.SENT.value:
            report.already += 1
            recorded.append(bounce.key)
        else:
            returned.append((row, bounce))
            recorded.append(bounce.key)
    _record(app, returned, now, report)
    for key in recorded:  # only once recorded: a crash before reads them again
        box.remove(key)
    return report


def _record(
    app: Casework, returned: list[tuple[Any, Bounce]], now: datetime, report: BounceReport
) -> None:
    if not returned:
        return
    now = now.astimezone(UTC)
    events: list[AuditEvent] = []
    problems: list[tuple[Any, NoticeStatus, str]] = []
    with app.transaction() as connection:
        case_ids = {row.case_id for row, _ in returned if row.case_id}
        refs = outbox_store.references_of(connection, case_ids)
        # a key that will not open stops the run (VaultLocked) before anything is recorded
        # that could name a sender unsealed; the bounces wait in the mailbox
        senders = app.vault.senders_of(connection, case_ids)
        for row, bounce in returned:
            why = "bounced: " + "; ".join(f.describe() for f in bounce.failed)
            sealed = ""
            sender = senders.get(row.case_id)
            if sender is not None:
                address = sender.identity["email"] if row.recipient_party == "denouncer" else ""
                why, sealed = withheld_reply(sender, why, address or "")
            # a party is written to instead: the next delivery run makes the letter
            as_letter = bool(row.recipient_party)
            outbox_store.record_bounce(connection, row.id, why, sealed, as_letter, now)
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
                        "then": "letter" if row.recipient_party else "administrator alerted",
                    },
                )
            )
        if problems:
            org = app.organisation(connection)
            alerts, alerted = problem_alerts(
                app, connection, org, problems, refs, legal_date(now), now
            )
            outbox_store.queue(connection, alerts)
            events.extend(alerted)
        known = {ref: senders.get(case_id) for case_id, ref in refs.items() if case_id}
        append_audit(app, connection, events, now, known)
