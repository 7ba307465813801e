"""Notices through Debian's Postfix, as an agency's IT staff would run it (issue 25, item 9):
a private instance of tests/mta.py on a loopback port, delivering to Maildirs. Each scenario
goes through casework's own mail path (settings → SmtpMailer → the outbox's record):
delivery to the right mailboxes, Postfix stopped and started again, a 4xx deferral until the
age limit, a 5xx unknown user, and a bounce Postfix writes for a relayed notice, read back
from the bounce Maildir. aiosmtpd stays for the fast tests (test_delivery.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.headerregistry import Address
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.conftest import EXAMPLE_ORG, at
from tests.integration.test_delivery import overdue_case
from tests.integration.test_party_notices import NON_ACCEPTANCE, new_case, run
from tests.mta import DOMAIN, Postfix, postfix  # noqa: F401 -- postfix: the module's fixture

from casework.adapters.letters import LetterWriter
from casework.adapters.outbox_store import OUTBOX
from casework.adapters.tables import AuditRow
from casework.services.app import Casework
from casework.services.bounces import read_bounces
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer
from casework.services.organisation import load_organisation_file
from casework.services.sweep import sweep

pytestmark = pytest.mark.integration

HANDLER = "lan.nt.thanhtra"  # Ngô Thị Lan, the handler of overdue_case
ADMIN = "quantri.ubnd"  # Vũ Minh Khoa, the administrator
SENDER = '"Thanh tra tỉnh Nghệ An" <thanhtra@agency.test>'


def _organisation(tmp_path: Path, handler: str = f"{HANDLER}@{DOMAIN}") -> Path:
    """The example organisation with every address at agency.test (lan.nt@thanhtra.… →
    lan.nt.thanhtra@agency.test), the handler's as given."""
    text = re.sub(
        r"([\w.-]+)@([\w-]+)\.nghean\.example", rf"\1.\2@{DOMAIN}", EXAMPLE_ORG.read_text()
    )
    text = text.replace(f"{HANDLER}@{DOMAIN}", handler)
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def mail_app(
    app: Casework,
    tmp_path: Path,
    postfix: Postfix,  # noqa: F811
) -> Iterator[Casework]:
    """casework sending through the private Postfix, with a bounce address of its own."""
    load_organisation_file(app, _organisation(tmp_path), "tests", at("2024-01-02"))
    app.settings = app.settings.model_copy(
        update={
            "smtp_host": postfix.host,
            "smtp_port": postfix.port,
            "smtp_security": "none",
            "smtp_timeout": 5,
            "mail_from": SENDER,
            "bounce_address": f"bounces@{DOMAIN}",
            "bounce_maildir": postfix.bounces,
            "letters_folder": tmp_path / "letters",
        }
    )
    if not postfix.running():
        postfix.start()
    yield app
    if not postfix.running():  # a test that stopped it: the next one finds it up
        postfix.start()


def _with_handler(app: Casework, tmp_path: Path, address: str) -> None:
    load_organisation_file(app, _organisation(tmp_path, address), "tests", at("2024-01-03"))


def _rows(app: Casework) -> list[Any]:
    with app.reading() as session:
        return list(session.execute(select(OUTBOX).order_by(OUTBOX.c.id)).all())


def _warning_to_the_handler(app: Casework) -> str:
    """An overdue-to-be case whose first ladder step (3 working days before due) warns the
    handler alone: one notice."""
    ref = overdue_case(app)
    sweep(app, at("2024-02-07", 8))
    return ref


def test_each_notice_reaches_its_mailbox_once_with_vietnamese_intact(
    mail_app: Casework,
    postfix: Postfix,  # noqa: F811
) -> None:
    ref = overdue_case(mail_app)
    before = {who: len(postfix.maildir(who)) for who in (HANDLER, "chanh-thanh-tra.thanhtra")}
    sweep(mail_app, at("2024-02-19", 8))  # due today: the handler and the head of the unit
    report = deliver_pending(mail_app, at("2024-02-19", 8))
    assert (report.sent, report.claimed, report.failed) == (2, 2, False)
    for who, count in before.items():
        arrived = postfix.wait_for(who, count + 1)[count:]
        assert len(arrived) == 1, who  # once
        message = arrived[0]
        assert ref in str(message["Subject"])
        assert "HẠN" in str(message["Subject"]).upper()  # decoded as it was written
        (sender,) = message["From"].addresses
        assert sender == Address("Thanh tra tỉnh Nghệ An", addr_spec="thanhtra@agency.test")
        assert message["Auto-Submitted"] == "auto-generated"
        token = str(message["Message-ID"]).strip("<>").partition("@")[0]
        assert message["Return-Path"] == f"<bounces+{token}@{DOMAIN}>"  # VERP, as delivered
        body = message.get_body(("plain",))
        assert body is not None
        assert "Luật Tố cáo" in body.get_content()
    assert {r.status for r in _rows(mail_app)} == {"sent"}


def test_postfix_stopped_then_started_loses_nothing_and_repeats_nothing(
    mail_app: Casework,
    postfix: Postfix,  # noqa: F811
) -> None:
    _warning_to_the_handler(mail_app)
    before = len(postfix.maildir(HANDLER))
    postfix.stop()
    down = deliver_pending(mail_app, at("2024-02-07", 8))
    assert (down.retrying, down.failed) == (1, True)
    (row,) = _rows(mail_app)
    assert row.status == "deferred"
    assert "cannot reach" in row.last_error
    postfix.start()
    assert deliver_pending(mail_app, at("2024-02-07", 8) + timedelta(seconds=30)).claimed == 0
    up = deliver_pending(mail_app, at("2024-02-07", 8) + timedelta(minutes=2))
    assert (up.sent, up.failed) == (1, False)
    arrived = postfix.wait_for(HANDLER, before + 1)[before:]
    assert [str(m["Message-ID"]) for m in arrived] == [row.message_id]
    postfix.flush()
    assert postfix.queue_is_empty()
    assert len(postfix.maildir(HANDLER)) == before + 1


def test_a_busy_mailbox_is_deferred_until_its_age_limit_then_the_administrator_is_told(
    mail_app: Casework,
    postfix: Postfix,  # noqa: F811
    tmp_path: Path,
) -> None:
    _with_handler(mail_app, tmp_path, f"busy-lan@{DOMAIN}")
    mail_app.settings = mail_app.settings.model_copy(update={"delivery_max_age_hours": 1})
    _warning_to_the_handler(mail_app)
    first = deliver_pending(mail_app, at("2024-02-07", 8))
    assert (first.retrying, first.refused, first.dead) == (1, 0, 0)
    (row,) = _rows(mail_app)
    assert row.status == "deferred"
    assert "450 4.2.1" in row.last_error
    admin_before = len(postfix.maildir(ADMIN))
    last = deliver_pending(mail_app, at("2024-02-07", 9))  # an hour on: given up
    assert last.dead == 1
    notice, alert = _rows(mail_app)
    assert notice.status == "dead"
    assert "given up" in notice.last_error
    assert (alert.template, alert.to_address) == ("delivery.problem", f"{ADMIN}@{DOMAIN}")
    assert deliver_pending(mail_app, at("2024-02-07", 9)).sent == 1
    (told,) = postfix.wait_for(ADMIN, admin_before + 1)[admin_before:]
    assert "KHÔNG GỬI ĐƯỢC" in str(told["Subject"])
    body = told.get_body(("plain",))
    assert body is not None
    assert "busy-lan@agency.test" in body.get_content()
    assert "450 4.2.1" in body.get_content()


def test_an_unknown_officer_address_is_refused_at_once_and_the_administrator_told(
    mail_app: Casework,
    postfix: Postfix,  # noqa: F811
    tmp_path: Path,
) -> None:
    _with_handler(mail_app, tmp_path, f"nosuch-lan@{DOMAIN}")
    _warning_to_the_handler(mail_app)
    report = deliver_pending(mail_app, at("2024-02-07", 8))
    assert (report.refused, report.failed) == (1, True)
    notice, alert = _rows(mail_app)
    assert notice.status == "refused"
    assert "550 5.1.1" in notice.last_error
    assert "User unknown" in notice.last_error
    assert alert.template == "delivery.problem"
    admin_before = len(postfix.maildir(ADMIN))
    assert (
        deliver_pending(
            mail_app,
            at(
                "2024-02-07",
                8,
            )
            + timedelta(minutes=1),
        ).sent
        == 1
    )
    (told,) = postfix.wait_for(ADMIN, admin_before + 1)[admin_before:]
    assert "BỊ TỪ CHỐI" in str(told["Subject"])
    assert "Ngô Thị Lan" in str(told["Subject"])


def test_a_bounce_postfix_writes_for_a_relayed_notice_marks_it_bounced(
    mail_app: Casework,
    postfix: Postfix,  # noqa: F811
    tmp_path: Path,
) -> None:
    _with_handler(mail_app, tmp_path, "lan@gone.test")
    _warning_to_the_handler(mail_app)
    before = len(postfix.maildir("bounces"))
    report = deliver_pending(mail_app, at("2024-02-07", 8))
    assert report.sent == 1  # accepted: Postfix relays it, and it fails beyond
    (dsn,) = postfix.wait_for("bounces", before + 1)[before:]
    assert dsn["Delivered-To"].lower().startswith("bounces+")
    found = read_bounces(mail_app, at("2024-02-07", 9))
    assert (found.bounced, found.unmatched) == (1, 0)
    notice, alert = _rows(mail_app)
    assert notice.status == "bounced"
    assert notice.last_error.startswith("bounced: 5.1.1 for lan@gone.test")
    assert alert.template == "delivery.problem"
    assert len(postfix.maildir("bounces")) == before  # the report is gone once recorded


def test_a_bounced_notice_to_the_denouncer_is_printed_and_his_identity_kept_sealed(
    mail_app: Casework,
    postfix: Postfix,  # noqa: F811
    tmp_path: Path,
) -> None:
    denouncer = Denouncer(
        full_name="Hoàng Thị Bích Ngọc",
        address="Số 12 ngõ 34 đường Lê Lợi, Vinh",
        email="ngoc.hoang@gone.test",
    )
    ref = new_case(mail_app, denouncer=denouncer)
    run(mail_app, ref, NON_ACCEPTANCE)
    before = len(postfix.maildir("bounces"))
    assert deliver_pending(mail_app, at("2024-02-05", 10)).sent == 1
    postfix.wait_for("bounces", before + 1)
    assert read_bounces(mail_app, at("2024-02-05", 11)).bounced == 1
    letters = LetterWriter(tmp_path / "letters")
    later = deliver_pending(mail_app, at("2024-02-05", 11), letters=letters)
    assert (later.printed, later.failed) == (1, False)
    (row,) = _rows(mail_app)
    assert (row.status, row.channel) == ("printed", "letter")
    assert len(list((tmp_path / "letters" / ref).glob("*.txt"))) == 1
    with mail_app.reading() as session:
        audit = AuditRow.__table__  # type: ignore[attr-defined]
        payloads = " ".join(str(p) for p in session.execute(select(audit.c.payload)).scalars())
    stored = f"{row.last_error} {payloads}"
    assert denouncer.email not in stored
    assert denouncer.full_name not in stored
