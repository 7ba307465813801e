"""Bounces (issue 25, item 3): each notice goes out from bounce_address+<token> (VERP); the
delivery status notifications that come back to that address are read from a Maildir and
mark their notices: an officer's as bounced (the administrator alerted, the dashboard
listing him), a party's as a letter to print. A notification quotes the notice, which may
name the denouncer: nothing of it is kept in clear, and it is deleted once recorded."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from tests.conftest import at
from tests.integration.test_delivery import Inbox, admin, free_port, overdue_case
from tests.integration.test_party_notices import IDENTITY, NON_ACCEPTANCE, new_case, run

from casework.adapters.letters import LetterWriter
from casework.adapters.mailer import SmtpMailer, SmtpSettings
from casework.adapters.outbox_store import OUTBOX, REPLY_WITHHELD
from casework.adapters.tables import AuditRow
from casework.domain.errors import ConfigurationError
from casework.services.app import Casework
from casework.services.bounces import read_bounces
from casework.services.dashboard import dashboard
from casework.services.delivery import deliver_pending
from casework.services.outbox import list_outbox
from casework.services.sweep import sweep

pytestmark = pytest.mark.integration

BOUNCES = "bounces@agency.test"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def maildir(app: Casework, tmp_path: Path) -> mailbox.Maildir:
    folder = tmp_path / "bounces"
    box = mailbox.Maildir(folder, create=True)
    app.settings = app.settings.model_copy(
        update={"bounce_address": BOUNCES, "bounce_maildir": folder}
    )
    return box


def verp_mailer(port: int) -> SmtpMailer:
    return SmtpMailer(
        SmtpSettings(
            host="127.0.0.1",
            port=port,
            security="none",
            timeout=5,
            envelope_sender=BOUNCES,
            verp=True,
        )
    )


def dsn(to: str, recipient: str, message_id: str, diagnostic: str, action: str = "failed") -> str:
    """A delivery status notification as Postfix writes one (RFC 3464)."""
    return f"""From: MAILER-DAEMON@relay.example (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain; charset=us-ascii

This is the mail system at host relay.example.
<{recipient}>: host mx.example said: {diagnostic}

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {"5.1.1" if action == "failed" else "4.4.1"}
Diagnostic-Code: smtp; {diagnostic}

--B
Content-Type: text/rfc822-headers

Message-ID: {message_id}
To: {recipient}
Subject: a notice

--B--
"""


def _rows(app: Casework) -> list[Any]:
    with app.reading() as session:
        return list(session.execute(select(OUTBOX).order_by(OUTBOX.c.id)).all())


def test_each_notice_goes_from_its_own_bounce_address(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    overdue_case(app)
    sweep(app, at("2024-02-20", 8))
    report = deliver_pending(app, at("2024-02-20", 8), verp_mailer(port))
    assert report.sent == report.claimed > 1
    senders = [mail_from for _, mail_from in box.envelopes]
    tokens = {s.removeprefix("bounces+").removesuffix("@agency.test") for s in senders}
    assert len(tokens) == len(senders)  # one per notice
    ids = {str(m["Message-ID"]).strip("<>").partition("@")[0] for m in box.messages}
    assert tokens == ids
    assert all(m["From"] == "casework@localhost" for m in box.messages)  # From: unchanged


def test_a_bounced_officer_notice_alerts_the_administrator_and_lists_him(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    overdue_case(app)
    sweep(app, at("2024-02-07", 8))  # the handler's warning: one notice
    deliver_pending(app, at("2024-02-07", 8), verp_mailer(port))
    (row,) = _rows(app)
    envelope = box.envelopes[0][1]
    maildir.add(dsn(envelope, row.to_address, row.message_id, "550 5.1.1 user unknown"))
    maildir.add("From: someone@example.org\nTo: bounces@agency.test\nSubject: hello\n\nhi\n")
    found = read_bounces(app, at("2024-02-07", 9))
    assert (found.read, found.bounced, found.unmatched) == (2, 1, 1)
    notice, alert = _rows(app)
    assert notice.status == "bounced"
    assert notice.last_error.startswith("bounced: 5.1.1 for lan.nt@thanhtra.nghean.example")
    assert (alert.template, alert.recipient_officer) == ("delivery.problem", "ubnd-quan-tri")
    # the report is gone once recorded; the letter nobody understood stays, seen
    assert [m.get_flags() for m in maildir] == ["S"]
    assert read_bounces(app, at("2024-02-07", 10)).read == 0
    # a second report on the same notice changes nothing
    maildir.add(dsn(envelope, row.to_address, row.message_id, "550 5.1.1 user unknown"))
    assert read_bounces(app, at("2024-02-07", 11)).already == 1
    board = dashboard(app, None, at("2024-02-07", 11), viewer="ubnd-quan-tri")
    (officer,) = board["delivery"]["unreachable_officers"]
    assert (officer["officer"], officer["status"]) == ("tt-xac-minh-1", "bounced")
    assert "user unknown" in officer["reason"]
    # the alert goes out; the administrator then sees it in the queue's counts
    deliver_pending(app, at("2024-02-07", 11), verp_mailer(port))
    subject = str(box.messages[-1]["Subject"])
    assert "BỊ TRẢ LẠI" in subject
    assert "Ngô Thị Lan" in subject
    assert list_outbox(app, admin(app))["counts"]["bounced"] == 1


def test_a_bounced_notice_to_the_denouncer_becomes_a_letter_and_names_nobody(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    _, port = inbox
    ref = new_case(app)
    run(app, ref, NON_ACCEPTANCE)
    letters = LetterWriter(tmp_path / "letters")
    assert deliver_pending(app, at("2024-02-05", 10), verp_mailer(port), letters=letters).sent == 1
    (row,) = _rows(app)
    quoted = f"550 5.1.1 <{IDENTITY.email}>: no mailbox for {IDENTITY.full_name}"
    report = dsn("bounces+x@agency.test", IDENTITY.email, row.message_id, quoted)
    maildir.add(report.encode("utf-8"))  # the server quoted his name as it was written
    assert read_bounces(app, at("2024-02-05", 11)).bounced == 1
    (row,) = _rows(app)
    assert (row.status, row.channel, row.last_error) == ("queued", "letter", REPLY_WITHHELD)
    assert row.sealed_error  # the report itself, sealed in the case's vault
    assert len(maildir) == 0
    later = deliver_pending(app, at("2024-02-05", 11) + timedelta(minutes=1), letters=letters)
    assert (later.printed, later.failed) == (1, False)
    (row,) = _rows(app)
    assert (row.status, row.channel) == ("printed", "letter")
    assert row.sealed_error  # kept with the reason
    with app.reading() as session:
        audit = AuditRow.__table__  # type: ignore[attr-defined]
        payloads = " ".join(str(p) for p in session.execute(select(audit.c.payload)).scalars())
    stored = f"{row.last_error} {payloads}"
    assert IDENTITY.email not in stored
    assert IDENTITY.full_name not in stored


def test_a_delayed_report_changes_nothing(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    overdue_case(app)
    sweep(app, at("2024-02-07", 8))
    deliver_pending(app, at("2024-02-07", 8), verp_mailer(port))
    (row,) = _rows(app)
    maildir.add(
        dsn(box.envelopes[0][1], row.to_address, row.message_id, "451 try later", "delayed")
    )
    assert read_bounces(app, at("2024-02-07", 9)).delayed == 1
    assert _rows(app)[0].status == "sent"


def test_reading_bounces_without_a_bounce_address_says_what_to_set(app: Casework) -> None:
    with pytest.raises(ConfigurationError, match="CASEWORK_BOUNCE_ADDRESS"):
        read_bounces(app, at("2024-02-07", 9))


def test_a_bounce_maildir_not_made_yet_is_empty_and_a_wrong_folder_is_named(
    app: Casework, tmp_path: Path
) -> None:
    settings = {"bounce_address": BOUNCES, "bounce_maildir": tmp_path / "not-yet"}
    app.settings = app.settings.model_copy(update=settings)
    assert read_bounces(app, at("2024-02-07", 9)).read == 0  # Postfix makes it on first use
    (tmp_path / "plain").mkdir()
    app.settings = app.settings.model_copy(update={"bounce_maildir": tmp_path / "plain"})
    with pytest.raises(ConfigurationError, match="is not a Maildir"):
        read_bounces(app, at("2024-02-07", 9))
