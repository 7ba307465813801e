"""Escalation emails through the transactional outbox, to a real SMTP server on loopback
(aiosmtpd) or to a folder of .eml files; time moves with the `now` the services are given."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from tests.conftest import at

from casework.adapters.mailer import FolderMailer, SmtpMailer, SmtpSettings
from casework.config import Settings
from casework.domain.access import Principal
from casework.services.app import Casework, bootstrap
from casework.services.assignment import assign_case
from casework.services.delivery import _claim, deliver_pending, lease_for
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.outbox import list_outbox, retry_dead
from casework.services.sweep import sweep
from casework.services.users import principal_of_officer


def admin(app: Casework) -> Principal:
    """The example organisation's administrator, who looks after the outbox."""
    return principal_of_officer(app, "ubnd-quan-tri")


pytestmark = pytest.mark.integration


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[str] = []
        self.envelopes: list[tuple[str, str]] = []  # (EHLO name, MAIL FROM)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.extend(envelope.rcpt_tos)
        self.envelopes.append((session.host_name, envelope.mail_from))
        return "250 OK"


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {status: count for status, count in counts.items() if count}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailServer:
    """A real SMTP server on loopback that can go down and come back on the same port."""

    def __init__(self, inbox: Inbox, port: int) -> None:
        self.inbox, self.port = inbox, port
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int, MailServer]]:
    inbox = Inbox()
    server = MailServer(inbox, free_port())
    server.start()
    yield inbox, server.port, server
    server.stop()


def mailer_for(port: int) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5))


def overdue_case(app: Casework) -> str:
    ref = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 2, 1),
            summary="Thu tiền trái quy định",
            denouncer=Denouncer("Phạm Thị Hoa", id_number="0401"),
            denounced_name="Lê Văn Cường",
            logged_by="tt-tiep-nhan",
        ),
        at("2024-02-01"),
    ).ref
    assign_case(app, ref, "tt-xac-minh-1", None, "", at("2024-02-01"))
    return ref


def test_each_step_reaches_exactly_the_right_people_once(
    app: Casework, smtp: tuple[Inbox, int, MailServer]
) -> None:
    inbox, port, _ = smtp
    ref = overdue_case(app)
    expected = {
        "2024-02-07": {"lan.nt@thanhtra.nghean.example"},  # warn 3 WD before Mon 02-19 (Tết)
        "2024-02-19": {"lan.nt@thanhtra.nghean.example", "chanh-thanh-tra@thanhtra.nghean.example"},
        # resolver head and same-level inspectorate are one person here: one email
        "2024-02-20": {"chanh-thanh-tra@thanhtra.nghean.example"},
        "2024-02-26": {"chu-tich@ubnd.nghean.example"},
    }
    for day, addresses in expected.items():
        inbox.messages.clear()
        inbox.recipients.clear()
        sweep(app, at(day, 8))
        deliver_pending(app, at(day, 8), mailer_for(port))
        assert set(inbox.recipients) == addresses, day
        assert len(inbox.recipients) == len(addresses), day
        for message in inbox.messages:
            assert ref in message["Subject"] or ref in message.get_body(("plain",)).get_content()
        assert deliver_pending(app, at(day, 9), mailer_for(port)).claimed == 0
        sweep(app, at(day, 10))
        assert deliver_pending(app, at(day, 10), mailer_for(port)).claimed == 0
    everything = " ".join(
        m.get_body(("plain",)).get_content() + m.get_body(("html",)).get_content()
        for m in inbox.messages
    )
    assert "Phạm Thị Hoa" not in everything


def test_the_sender_with_a_vietnamese_name_arrives_as_one_address_with_its_headers(
    app: Casework, smtp: tuple[Inbox, int, MailServer]
) -> None:
    """Issue 25: a display name in the sender setting, in Vietnamese, reaches the server as
    one address; the envelope names the address alone; the EHLO name, Reply-To, RFC 3834's
    Auto-Submitted and a Date in Asia/Ho_Chi_Minh are set."""
    inbox, port, _ = smtp
    settings = Settings(
        home=app.settings.home,
        database_url=app.settings.resolved_database_url(),
        mail_from='"Thanh tra tỉnh Nghệ An" <thanhtra@nghean.gov.vn>',
        mail_reply_to="Tiếp công dân <tiepdan@nghean.gov.vn>",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_helo="casework.nghean.gov.vn",
    )
    named = bootstrap(settings, app.database)
    overdue_case(named)
    sweep(named, at("2024-02-07", 8))
    report = deliver_pending(named, at("2024-02-07", 8))
    assert report.sent == 1, report.errors
    message = inbox.messages[0]
    sender = message["From"].addresses
    assert [(a.display_name, a.addr_spec) for a in sender] == [
        ("Thanh tra tỉnh Nghệ An", "thanhtra@nghean.gov.vn")
    ]
    assert message["Reply-To"].addresses[0].addr_spec == "tiepdan@nghean.gov.vn"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].endswith("+0700")
    assert message["Message-ID"].endswith("@nghean.gov.vn>")
    assert ">>" not in message["Message-ID"]
    assert inbox.envelopes == [("casework.nghean.gov.vn", "thanhtra@nghean.gov.vn")]


def test_vietnamese_subjects_and_bodies_arrive_intact(
    app: Casework, smtp: tuple[Inbox, int, MailServer]
) -> None:
    inbox, port, _ = smtp
    overdue_case(app)
    sweep(app, at("2024-02-20", 8))
    deliver_pending(app, at("2024-02-20", 8), mailer_for(port))
    assert inbox.messages
    for message in inbox.messages:
        body = message.get_body(("plain",)).get_content()
        assert any(ch in message["Subject"] + body for ch in "ạảấầẩẫậắằẳẵặđ")
        assert message["Message-ID"].endswith("@localhost>")


def test_mail_server_down_then_back_every_message_arrives_once(
    app: Casework, smtp: tuple[Inbox, int, MailServer]
) -> None:
    inbox, port, controller = smtp
    overdue_case(app)
    sweep(app, at("2024-02-27", 8))
    controller.stop()
    first = deliver_pending(app, at("2024-02-27", 8), mailer_for(port))
    assert first.sent == 0
    assert first.retrying == first.claimed > 0
    assert (
        deliver_pending(app, at("2024-02-27", 8) + timedelta(seconds=30), mailer_for(port)).claimed
        == 0
    )
    controller.start()
    later = deliver_pending(app, at("2024-02-27", 8) + timedelta(minutes=2), mailer_for(port))
    assert later.sent == first.claimed
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == len(set(ids)) == first.claimed
    assert _nonzero(list_outbox(app, admin(app))["counts"]) == {"sent": first.claimed}


def test_an_outage_of_hours_kills_no_notice(
    app: Casework, smtp: tuple[Inbox, int, MailServer]
) -> None:
    """Issue 25: notices die by age (48 hours by default), not by their number of attempts:
    a mail server down for a morning, tried every few minutes, loses nothing."""
    _, port, controller = smtp
    overdue_case(app)
    sweep(app, at("2024-02-20", 8))
    controller.stop()
    start = at("2024-02-20", 8)
    for minutes in range(0, 6 * 60, 20):
        report = deliver_pending(app, start + timedelta(minutes=minutes), mailer_for(port))
        assert report.dead == 0, minutes
    controller.start()
    report = deliver_pending(app, start + timedelta(days=1), mailer_for(port))
    assert report.sent > 0
    assert list_outbox(app, admin(app))["counts"]["dead"] == 0


def test_dead_letters_past_their_age_and_can_be_retried(
    app: Casework, smtp: tuple[Inbox, int, MailServer]
) -> None:
    inbox, port, controller = smtp
    app.settings = replace_settings(app, delivery_max_age_hours=1)
    overdue_case(app)
    sweep(app, at("2024-02-20", 8))
    controller.stop()
    now = at("2024-02-20", 8)
    deliver_pending(app, now, mailer_for(port))
    report = deliver_pending(app, now + timedelta(hours=1), mailer_for(port))
    assert report.dead == report.claimed > 0
    assert list_outbox(app, admin(app), "dead")["counts"]["dead"] == report.dead
    # the administrator is alerted to each notice given up (one alert each, queued)
    alerts = list_outbox(app, admin(app), "queued")["messages"]
    assert {m["template"] for m in alerts} == {"delivery.problem"}
    assert len(alerts) == report.dead
    controller.start()
    assert retry_dead(app, None, now + timedelta(hours=2), "admin") == report.dead
    again = deliver_pending(app, now + timedelta(hours=2), mailer_for(port))
    assert again.sent == 2 * report.dead  # the notices, and the alerts about them
    assert len(inbox.messages) == 2 * report.dead
    subjects = [str(m["Subject"]) for m in inbox.messages]
    assert sum("không gửi được" in s.lower() for s in subjects) == report.dead


def test_a_crash_after_claiming_loses_nothing_and_repeats_the_same_message_id(
    app: Casework, tmp_path: Path
) -> None:
    overdue_case(app)
    sweep(app, at("2024-02-20", 8))
    now = at("2024-02-20", 8)
    claimed = _claim(app, now, 100)  # … and the process dies before sending
    assert claimed
    folder = FolderMailer(tmp_path / "mail")
    assert deliver_pending(app, now + timedelta(minutes=1), folder).claimed == 0  # leased
    report = deliver_pending(app, now + lease_for(app.settings, 100) + timedelta(seconds=1), folder)
    assert report.sent == len(claimed)
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == len(claimed)
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] in {row.message_id for row in claimed}


def test_notices_are_written_with_the_sweep_in_one_transaction(app: Casework) -> None:
    overdue_case(app)
    result = sweep(app, at("2024-02-27", 8))
    with app.database.connect() as connection:
        queued = connection.execute(text("SELECT count(*) FROM outbox_message")).scalar_one()
    assert queued == result.notices_queued > 0
    assert sweep(app, at("2024-02-27", 9)).notices_queued == 0


def replace_settings(app: Casework, **changes: Any) -> Any:
    return app.settings.model_copy(update=changes)


def test_one_bad_message_is_dead_lettered_and_the_rest_of_the_batch_goes_out(
    app: Casework, tmp_path: Path
) -> None:
    overdue_case(app)
    sweep(app, at("2024-02-27", 8))
    with app.database.begin() as connection:
        first = connection.execute(text("SELECT min(id) FROM outbox_message")).scalar_one()
        connection.execute(
            text("UPDATE outbox_message SET to_address = :bad WHERE id = :id"),
            {"bad": "someone@example.test\nBcc: everyone@example.test", "id": first},
        )
    report = deliver_pending(app, at("2024-02-27", 8), FolderMailer(tmp_path / "mail"))
    assert report.dead == 1
    assert report.sent == report.claimed - 1


class DroppingInbox(Inbox):
    """An inbox whose server hangs up in the middle of the first `drops` messages: the
    connection closes after DATA, before any reply, as a crashing or overloaded relay does."""

    def __init__(self, drops: int) -> None:
        super().__init__()
        self.drops = drops

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.drops > 0:
            self.drops -= 1
            server.transport.close()
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


def test_a_server_that_drops_connections_for_a_while_loses_nothing(app: Casework) -> None:
    inbox = DroppingInbox(drops=3)
    server = MailServer(inbox, free_port())
    server.start()
    try:
        overdue_case(app)
        sweep(app, at("2024-02-27", 8))
        now = at("2024-02-27", 8)
        first = deliver_pending(app, now, mailer_for(server.port))
        assert first.claimed > 0
        assert first.retrying > 0  # the dropped message and what followed it on that connection
        assert first.sent + first.retrying == first.claimed
        moment = now
        for _ in range(6):  # the backoff doubles; each run takes what is due again
            moment += timedelta(minutes=30)
            deliver_pending(app, moment, mailer_for(server.port))
        ids = [m["Message-ID"] for m in inbox.messages]
        assert len(ids) == len(set(ids)) == first.claimed
        assert _nonzero(list_outbox(app, admin(app))["counts"]) == {"sent": first.claimed}
    finally:
        server.stop()


class _Dropping(Inbox):
    """Accepts every message but one, for which it drops the connection mid-conversation."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if "drop@" in " ".join(envelope.rcpt_tos):
            server.transport.close()
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


def test_a_dropped_connection_is_reopened_and_the_batch_goes_on() -> None:
    """Issue 25, item 6: the message whose connection dropped is left for a later run (never
    sent twice in this one); the rest of the batch goes out on a new connection."""
    from email.message import Message

    inbox = _Dropping()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        messages = []
        for number, to in enumerate(("a@example.vn", "drop@example.vn", "c@example.vn")):
            message = Message()
            message["Message-ID"] = f"<{number}@example.vn>"
            message["From"] = "casework@example.vn"
            message["To"] = to
            message.set_payload("x")
            messages.append(message)
        results = mailer_for(controller.port).send_batch(messages)
    finally:
        controller.stop()
    assert [r.error is None for r in results] == [True, False, True]
    assert not results[1].permanent  # tried again in a later run
    assert sorted(inbox.recipients) == ["a@example.vn", "c@example.vn"]


class _RateLimited(Inbox):
    """Takes two messages, then answers a rate limit until told otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.limit: int | None = 2
        self.tried = 0

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.tried += 1
        if self.limit is not None and len(self.messages) >= self.limit:
            return "451 4.7.1 Rate limit exceeded, slow down"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_rate_limit_slows_the_batch_down_and_kills_nothing(app: Casework) -> None:
    """Issue 25, item 4: a relay's rate limit stops this run's batch (the rest are not
    tried against the same refusal) and every notice goes out later; none dies."""
    inbox = _RateLimited()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        for _ in range(3):  # three cases due today: six alerts (handler and head each)
            overdue_case(app)
        sweep(app, at("2024-02-19", 8))
        first = deliver_pending(app, at("2024-02-19", 8), mailer_for(controller.port))
        assert first.claimed > 3
        assert (first.sent, first.retrying, first.dead) == (2, first.claimed - 2, 0)
        assert inbox.tried == 3  # the third was refused; the rest waited
        assert any("slow down" in e for e in first.errors)
        inbox.limit = None
        later = deliver_pending(
            app, at("2024-02-19", 8) + timedelta(minutes=5), mailer_for(controller.port)
        )
        assert (later.sent, later.failed) == (first.claimed - 2, False)
    finally:
        controller.stop()
    assert len(inbox.messages) == first.claimed


class _AtMail(Inbox):
    """Answers MAIL FROM as told for the messages to `big@`, accepts the rest."""

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply
        self.mails = 0

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.mails += 1
        if self.mails == 2:
            return self.reply
        envelope.mail_from = address
        return "250 OK"


def _three() -> list[Any]:
    from email.message import Message

    messages = []
    for number in range(3):
        message = Message()
        message["Message-ID"] = f"<{number}@example.vn>"
        message["From"] = "casework@example.vn"
        message["To"] = f"to{number}@example.vn"
        message.set_payload("x")
        messages.append(message)
    return messages


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # Postfix's own rate limit, at MAIL FROM: slow down, the rest wait
        ("450 4.7.1 Error: too much mail from 127.0.0.1", [None, "too much mail", "slow down"]),
        # the second message is too big: its own failure, for good; the rest go on
        ("552 5.3.4 Message size exceeds fixed limit", [None, "552 5.3.4", None]),
        # our address refused: nothing more is tried, and the reason says what to check
        ("553 5.7.1 Sender address rejected", [None, "envelope sender", "envelope sender"]),
    ],
    ids=["rate-limit", "too-big", "sender-refused"],
)
def test_a_refusal_at_mail_from_is_read_for_what_it_is(
    reply: str, expected: list[str | None]
) -> None:
    server = _AtMail(reply)
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        results = mailer_for(controller.port).send_batch(_three())
    finally:
        controller.stop()
    for result, want in zip(results, expected, strict=True):
        if want is None:
            assert result.error is None
        else:
            assert result.error is not None
            assert want in result.error
    assert results[1].permanent is (reply.startswith("552"))
