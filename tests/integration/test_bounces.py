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
from casework.domain.notice_status import NoticeStatus
from casework.services.app import Casework
from casework.services.bounces import read_bounces
from casework.services.dashboard import dashboard
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer
from casework.services.outbox import list_outbox, retry_dead
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


# -- what a review found (issue 25) ---------------------------------------------------------


def test_a_report_read_while_its_notice_is_being_sent_waits_for_the_next_reading(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    overdue_case(app)
    sweep(app, at("2024-02-07", 8))
    deliver_pending(app, at("2024-02-07", 8), verp_mailer(port))
    (row,) = _rows(app)
    with app.transaction() as connection:  # a delivery run holds it again (deferred)
        connection.execute(OUTBOX.update().values(status="deferred"))
    maildir.add(dsn(box.envelopes[0][1], row.to_address, row.message_id, "550 5.1.1 gone"))
    held = read_bounces(app, at("2024-02-07", 9))
    assert (held.waiting, len(maildir)) == (1, 1)  # not lost: read again next time
    with app.transaction() as connection:
        connection.execute(OUTBOX.update().values(status="sent"))
    assert read_bounces(app, at("2024-02-07", 10)).bounced == 1
    assert _rows(app)[0].status == "bounced"


def test_a_forwarded_mailbox_of_the_denouncer_named_by_a_bounce_is_sealed(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    """His mail forwards to a mailbox nobody recorded: the report names it, and nothing
    searched for what was recorded would find it. A report on a notice to him is sealed
    whole."""
    _, port = inbox
    ref = new_case(app)
    run(app, ref, NON_ACCEPTANCE)
    deliver_pending(app, at("2024-02-05", 10), verp_mailer(port))
    (row,) = _rows(app)
    forward = "hn1985@yahoo.example"
    maildir.add(dsn(BOUNCES, forward, row.message_id, f"550 5.1.1 <{forward}>: over quota"))
    assert read_bounces(app, at("2024-02-05", 11)).bounced == 1
    deliver_pending(app, at("2024-02-05", 11), letters=LetterWriter(tmp_path / "letters"))
    with app.reading() as session:
        audit = AuditRow.__table__  # type: ignore[attr-defined]
        payloads = " ".join(str(p) for p in session.execute(select(audit.c.payload)).scalars())
    (row,) = _rows(app)
    assert forward not in f"{row.last_error} {payloads}"
    assert row.sealed_error


def test_an_automatic_reply_quoting_a_notice_to_the_denouncer_is_deleted_unread(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int]
) -> None:
    _, port = inbox
    ref = new_case(app)
    run(app, ref, NON_ACCEPTANCE)
    deliver_pending(app, at("2024-02-05", 10), verp_mailer(port))
    (row,) = _rows(app)
    token = row.message_id.strip("<>").partition("@")[0]
    reply = (
        f"From: {IDENTITY.email}\nTo: bounces+{token}@agency.test\nSubject: Vắng mặt\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{IDENTITY.full_name} đang đi vắng.\n"
    )
    maildir.add(reply.encode("utf-8"))
    found = read_bounces(app, at("2024-02-05", 11))
    assert (found.discarded, len(maildir)) == (1, 0)
    assert _rows(app)[0].status == "sent"


def test_a_letter_stays_a_letter_through_a_deferral_and_a_retry(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    """A party whose e-mail came back is never e-mailed there again: not when writing the
    letter fails for a while, not when an administrator queues every problem again."""
    box, port = inbox
    plain = Denouncer(full_name="Nguyễn Văn Bảy", email="bay@example.vn")  # no postal address
    ref = new_case(app, denouncer=plain)
    run(app, ref, NON_ACCEPTANCE)
    deliver_pending(app, at("2024-02-05", 10), verp_mailer(port))
    (row,) = _rows(app)
    maildir.add(dsn(BOUNCES, "bay@example.vn", row.message_id, "550 5.1.1 no such user"))
    read_bounces(app, at("2024-02-05", 11))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the letters folder should be")
    stuck = deliver_pending(
        app, at("2024-02-05", 11), verp_mailer(port), letters=LetterWriter(blocked)
    )
    assert stuck.retrying == 1
    assert (_rows(app)[0].status, _rows(app)[0].channel) == ("deferred", "letter")
    letters = LetterWriter(tmp_path / "letters")
    later = deliver_pending(app, at("2024-02-05", 12), verp_mailer(port), letters=letters)
    assert later.needs_attention == 1
    assert retry_dead(app, None, at("2024-02-05", 13), "ubnd-quan-tri") == 1
    again = deliver_pending(app, at("2024-02-05", 13), verp_mailer(port), letters=letters)
    assert (again.sent, again.needs_attention) == (0, 1)
    assert len(box.messages) == 1  # the first e-mail only


def test_a_late_report_on_an_officers_old_address_does_not_mark_the_mended_notice(
    app: Casework, maildir: mailbox.Maildir, inbox: tuple[Inbox, int]
) -> None:
    _, port = inbox
    overdue_case(app)
    sweep(app, at("2024-02-07", 8))
    deliver_pending(app, at("2024-02-07", 8), verp_mailer(port))
    (row,) = _rows(app)
    maildir.add(dsn(BOUNCES, row.to_address, row.message_id, "550 5.1.1 gone"))
    read_bounces(app, at("2024-02-07", 9))
    retry_dead(app, row.id, at("2024-02-07", 10), "ubnd-quan-tri")
    with app.transaction() as connection:  # as if the organisation had been mended first
        connection.execute(
            OUTBOX.update()
            .where(OUTBOX.c.id == row.id)
            .values(to_address="lan.moi@thanhtra.nghean.example")
        )
    deliver_pending(app, at("2024-02-07", 10), verp_mailer(port))
    maildir.add(dsn(BOUNCES, row.to_address, row.message_id, "550 5.1.1 gone"))  # late
    late = read_bounces(app, at("2024-02-07", 11))
    assert (late.bounced, late.already) == (0, 1)
    assert _rows(app)[0].status == "sent"


def test_a_problem_no_administrator_may_hear_of_is_on_the_record(app: Casework) -> None:
    """The only administrator is excluded from the case (he is the person denounced): the
    case is not named to him, and the unsent alert is on the audit trail."""
    from casework.services.delivery_problems import administrators_for, problem_alerts

    ref = new_case(app, denounced_officer="ubnd-quan-tri")
    run(app, ref, NON_ACCEPTANCE)
    (row,) = _rows(app)
    with app.transaction() as connection:
        org = app.organisation(connection)
        alerts, events = problem_alerts(
            app,
            connection,
            org,
            [(row, NoticeStatus.DEAD, "given up")],
            {row.case_id: ref},
            at("2024-02-05").date(),
            at("2024-02-05"),
        )
    assert alerts == []
    assert [e.action for e in events] == ["notice.problem_unalerted"]
    assert administrators_for(org, "thanh-tra-tinh") == ["ubnd-quan-tri"]  # no case: told
