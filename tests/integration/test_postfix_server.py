"""The private Postfix of tests/mta.py, as a client sees it: it delivers to agency.test's
Maildir, refuses unknown and busy mailboxes at RCPT, goes down and comes back on its port, and
bounces what it relays to gone.test with a delivery status notification of its own."""

from __future__ import annotations

import smtplib
import tempfile
from email.message import EmailMessage, Message
from pathlib import Path
from shutil import rmtree

import pytest
from tests.mta import DOMAIN, Postfix, postfix  # noqa: F401 -- postfix: the module's fixture

pytestmark = pytest.mark.integration

SUBJECT = "Thông báo thụ lý đơn khiếu nại số 15/2026 — Ủy ban nhân dân xã Nghi Phong"
BODY = "Kính gửi bà Phạm Thị Hoa,\nỦy ban đã thụ lý đơn của bà ngày 6 tháng 7 năm 2026.\n"


def letter(to: str, subject: str = SUBJECT, sender: str = f"van-thu@{DOMAIN}") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(BODY)
    return message


def blocks(part: Message) -> list[Message]:
    """The header blocks a message/* part holds (the email package parses them as messages)."""
    payload = part.get_payload()
    assert isinstance(payload, list)
    return [block for block in payload if isinstance(block, Message)]


def send(
    server: Postfix, message: EmailMessage, sender: str | None = None
) -> dict[str, tuple[int, bytes]]:
    """Send `message` to `server` (MAIL FROM `sender`, or its From); the refused recipients."""
    with smtplib.SMTP(server.host, server.port, timeout=10) as smtp:
        return smtp.send_message(message, from_addr=sender)


def test_a_letter_arrives_in_its_maildir_with_its_vietnamese_subject(
    postfix: Postfix,  # noqa: F811
) -> None:
    # smtplib writes the subject as RFC 2047 encoded words; the Maildir has it back whole
    send(postfix, letter(f"ana@{DOMAIN}"))

    [arrived] = postfix.wait_for("ana", 1)

    assert arrived["Subject"] == SUBJECT
    assert arrived.get_content() == BODY
    assert arrived["Delivered-To"] == f"ana@{DOMAIN}"
    assert postfix.maildir("ana-khac") == []


def test_utf8_headers_pass_unencoded_with_smtputf8(
    postfix: Postfix,  # noqa: F811
) -> None:
    # as aiosmtplib sends to a server offering SMTPUTF8: the header's bytes as they are
    raw = (
        f"From: van-thu@{DOMAIN}\r\nTo: binh@{DOMAIN}\r\nSubject: {SUBJECT}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + BODY.replace("\n", "\r\n")
    ).encode()
    with smtplib.SMTP(postfix.host, postfix.port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("smtputf8")
        smtp.sendmail(f"van-thu@{DOMAIN}", [f"binh@{DOMAIN}"], raw, mail_options=["SMTPUTF8"])

    [arrived] = postfix.wait_for("binh", 1)

    assert arrived["Subject"] == SUBJECT
    assert arrived.get_content() == BODY


def test_an_unknown_user_is_refused_at_rcpt(
    postfix: Postfix,  # noqa: F811
) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(postfix, letter(f"nosuch1@{DOMAIN}"))

    code, reply = refused.value.recipients[f"nosuch1@{DOMAIN}"]
    assert code == 550
    assert reply.startswith(b"5.1.1 ")
    assert b"User unknown" in reply


def test_a_busy_mailbox_is_refused_for_now(
    postfix: Postfix,  # noqa: F811
) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(postfix, letter(f"busy1@{DOMAIN}"))

    code, reply = refused.value.recipients[f"busy1@{DOMAIN}"]
    assert code == 450
    assert reply.startswith(b"4.2.1 ")


def test_a_stopped_server_refuses_connections_and_comes_back_on_its_port(
    postfix: Postfix,  # noqa: F811
) -> None:
    port = postfix.port
    postfix.stop()
    try:
        with pytest.raises(ConnectionRefusedError):
            smtplib.SMTP(postfix.host, port, timeout=5)
    finally:
        postfix.start()  # the next tests of the module have it running, whatever happened

    assert postfix.port == port
    send(postfix, letter(f"chi@{DOMAIN}"))
    [arrived] = postfix.wait_for("chi", 1)
    assert arrived["Subject"] == SUBJECT


def test_mail_relayed_to_a_gone_mailbox_comes_back_as_a_delivery_status_notification(
    postfix: Postfix,  # noqa: F811
) -> None:
    bounces = f"bounces+abc123@{DOMAIN}"
    refused = send(postfix, letter("x@gone.test"), sender=bounces)
    assert refused == {}  # 250 to RCPT: accepted for relaying; the bounce comes afterwards

    postfix.flush()  # nothing is deferred here; flushing an idle queue is harmless
    [notice] = postfix.wait_for("bounces", 1)

    # the token stays in the envelope recipient and the headers Postfix adds
    assert notice["Delivered-To"] == bounces
    assert notice["X-Original-To"] == bounces
    assert notice["To"] == bounces
    assert notice["Return-Path"] == "<>"
    assert notice.get_content_type() == "multipart/report"
    assert notice.get_param("report-type") == "delivery-status"
    parts = {part.get_content_type(): part for part in notice.iter_parts()}
    # the delivery-status part: a block about the message, then one per recipient
    [about_message, per_recipient] = blocks(parts["message/delivery-status"])
    assert about_message["Reporting-MTA"] == "dns; mx.agency.test"
    assert per_recipient["Final-Recipient"] == "rfc822; x@gone.test"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.1.1"
    assert "mailbox gone" in per_recipient["Diagnostic-Code"]
    [returned] = blocks(parts["message/rfc822"])  # the letter itself, sent back
    assert returned["Subject"] == SUBJECT
    assert postfix.queue_is_empty()


def test_two_instances_run_side_by_side_each_with_its_own_port_and_mail(
    postfix: Postfix,  # noqa: F811
) -> None:
    # as two pytest-xdist workers do: nothing of one instance is the other's
    root = Path(tempfile.mkdtemp(prefix="casework-postfix-"))
    other = Postfix(root)
    try:
        other.start()
        assert other.port != postfix.port
        send(other, letter(f"dung@{DOMAIN}", subject="cho máy thứ hai"))
        send(postfix, letter(f"dung@{DOMAIN}", subject="cho máy thứ nhất"))

        [theirs] = other.wait_for("dung", 1)
        [ours] = postfix.wait_for("dung", 1)
    finally:
        other.stop()
        rmtree(root, ignore_errors=True)

    assert theirs["Subject"] == "cho máy thứ hai"
    assert ours["Subject"] == "cho máy thứ nhất"
    assert postfix.running()
