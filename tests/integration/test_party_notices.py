"""The notices the law sends to the parties: which trigger sends which notice to whom, how they
reach a real SMTP server or the letters folder, and the proof that nothing the denounced person
receives ever contains any part of the denouncer's identity (LTC Arts. 8(3), 56)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import inspect, select
from tests.conftest import at
from tests.integration.test_delivery import Inbox, free_port, mailer_for

from casework.adapters.case_store import CLOCKS
from casework.adapters.letters import LetterWriter
from casework.adapters.mailer import FolderMailer
from casework.adapters.outbox_store import OUTBOX, REPLY_WITHHELD
from casework.adapters.tables import AuditRow, DenouncerIdentityRow
from casework.domain.access import Principal
from casework.domain.confidentiality import IDENTITY_FIELDS, IdentityDisclosure, fold
from casework.domain.errors import InvalidInput, TransitionRefused
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer, LogCase, OtherDenounced, log_case
from casework.services.outbox import show_message
from casework.services.users import principal_of_officer


def admin(app: Casework) -> Principal:
    """The example organisation's administrator, who looks after the outbox."""
    return principal_of_officer(app, "ubnd-quan-tri")


pytestmark = pytest.mark.integration

IDENTITY = Denouncer(
    full_name="Hoàng Thị Bích Ngọc",
    address="Số 12 ngõ 34 đường Lê Lợi, phường Hưng Bình, Vinh",
    contact="0912 345 678",
    id_number="040190001234",
    email="ngoc.hoang@example.vn",
)
DENOUNCED_OFFICER = "hn-chu-tich"  # Đoàn Văn Uy, chairman of a commune
DENOUNCED_OFFICER_EMAIL = "chutich@hungnguyen.nghean.example"

Step = tuple[str, str, dict[str, str]]  # trigger, date, fields
BY = "tt-xac-minh-1"  # a verifier: may not see the identity
HEAD = "tt-chanh-thanh-tra"  # the head of the resolving agency: may

FULL_RESOLUTION: list[Step] = [
    ("triage", "2024-02-02", {}),
    ("accept", "2024-02-15", {"decision_no": "15/QĐ-TTr"}),
    ("send_acceptance_notices", "2024-02-16", {"content": "Thu tiền cấp giấy chứng nhận sai"}),
    ("extend", "2024-03-01", {"reasons": "phải xác minh ở nhiều nơi", "complexity": "complex"}),
    ("suspend", "2024-03-04", {"grounds": "await_other_body"}),
    ("send_suspension_notice", "2024-03-05", {}),
    ("resume", "2024-03-11", {"grounds": "đã có kết quả của cơ quan khác"}),
    ("conclude", "2024-03-25", {"finding": "partly_true"}),
    ("send_conclusion", "2024-03-26", {}),
]
TERMINATION: list[Step] = [
    ("triage", "2024-02-02", {}),
    ("accept", "2024-02-15", {}),
    ("send_acceptance_notices", "2024-02-16", {"content": "Thu tiền cấp giấy chứng nhận sai"}),
    ("terminate", "2024-02-20", {"grounds": "already_decided"}),
    ("send_suspension_notice", "2024-02-21", {}),
]
NON_ACCEPTANCE: list[Step] = [("reject", "2024-02-05", {"reasons": "không rõ người bị tố cáo"})]
FORWARDING: list[Step] = [
    ("triage", "2024-02-02", {"competent": "no"}),
    ("forward", "2024-02-05", {"to_agency": "UBND huyện Hưng Nguyên"}),
]


def new_case(
    app: Casework,
    summary: str = "Chủ tịch xã thu tiền cấp giấy chứng nhận trái quy định",
    denouncer: Denouncer | None = IDENTITY,
    anonymous: bool = False,
    **denounced: Any,
) -> str:
    who = denounced or {"denounced_officer": DENOUNCED_OFFICER}
    return log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 2, 1),
            summary=summary,
            denouncer=denouncer,
            anonymous=anonymous,
            logged_by="tt-tiep-nhan",
            **who,
        ),
        at("2024-02-01"),
    ).ref


def run(app: Casework, ref: str, steps: list[Step], by: str = BY) -> None:
    for trigger, day, data in steps:
        advance_case(app, AdvanceCase(ref, trigger, date.fromisoformat(day), by, "", data), at(day))


def queued(app: Casework) -> list[tuple[str, str]]:
    with app.reading() as session:
        rows = session.execute(select(OUTBOX).order_by(OUTBOX.c.id)).all()
    return [(r.template, r.recipient_party) for r in rows]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            FULL_RESOLUTION,
            [
                ("party.acceptance", "denouncer"),
                ("party.content_notice", "denounced"),
                ("party.extension", "denouncer"),
                ("party.extension", "denounced"),
                ("party.suspension", "denouncer"),
                ("party.suspension", "denounced"),
                ("party.continuation", "denouncer"),
                ("party.continuation", "denounced"),
                ("party.conclusion_notice", "denouncer"),
                ("party.conclusion", "denounced"),
            ],
        ),
        (
            TERMINATION,
            [
                ("party.acceptance", "denouncer"),
                ("party.content_notice", "denounced"),
                ("party.termination", "denouncer"),
                ("party.termination", "denounced"),
            ],
        ),
        (NON_ACCEPTANCE, [("party.non_acceptance", "denouncer")]),
        (FORWARDING, [("party.forwarding", "denouncer")]),
    ],
    ids=["resolution", "termination", "non-acceptance", "forwarding"],
)
def test_each_decision_queues_the_notices_the_law_requires_in_its_transaction(
    app: Casework, steps: list[Step], expected: list[tuple[str, str]]
) -> None:
    ref = new_case(app)
    run(app, ref, steps)
    assert queued(app) == expected
    history = show_case(app, ref, at("2024-04-01"))
    assert not any(c["status"] == "running" and "notify" in c["code"] for c in history["clocks"])


def test_an_anonymous_case_sends_nothing_to_a_denouncer(app: Casework) -> None:
    ref = new_case(app, denouncer=None, anonymous=True)
    assert show_case(app, ref, at("2024-02-01"))["state"] == "intelligence"
    assert queued(app) == []


def test_the_denounced_officer_is_emailed_and_the_denouncer_gets_their_own_notice(
    app: Casework, tmp_path: Path
) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        ref = new_case(app)
        run(app, ref, FULL_RESOLUTION[:3])
        report = deliver_pending(
            app,
            at("2024-02-16", 10),
            mailer_for(controller.port),
            letters=LetterWriter(tmp_path / "letters"),
        )
    finally:
        controller.stop()
    assert (report.sent, report.dead) == (2, 0)
    assert sorted(inbox.recipients) == [DENOUNCED_OFFICER_EMAIL, IDENTITY.email]
    by_address = {str(m["To"]): m for m in inbox.messages}
    to_denouncer = by_address[IDENTITY.email].get_body(("plain",)).get_content()
    assert "Kính gửi: Hoàng Thị Bích Ngọc" in to_denouncer
    assert "THÔNG BÁO VIỆC THỤ LÝ TỐ CÁO" in to_denouncer
    to_denounced = by_address[DENOUNCED_OFFICER_EMAIL]
    assert "Thông báo về nội dung tố cáo" in str(to_denounced["Subject"])
    body = to_denounced.get_body(("plain",)).get_content()
    assert "Kính gửi: Đoàn Văn Uy" in body
    assert "Thu tiền cấp giấy chứng nhận sai" in body  # the content as reworded for them
    # each names the case, the clock and its due date, the legal basis and a link
    for text in (to_denouncer, body):
        assert ref in text
        assert "denunciation.resolve" not in text  # no internal code: the law, in Vietnamese
        assert "Luật Tố cáo" in text
        assert "18/03/2024" in text
        assert "Mẫu 0" in text
        assert f"/cases/{ref}" in text
    assert not (tmp_path / "letters").exists()  # both had an email address: no letters


def test_a_party_without_an_email_address_gets_a_printable_letter(
    app: Casework, tmp_path: Path
) -> None:
    plain = Denouncer(full_name=IDENTITY.full_name, address=IDENTITY.address)
    ref = new_case(app, denouncer=plain, denounced_name="Công ty TNHH Cát Vàng")
    run(app, ref, NON_ACCEPTANCE)
    folder = tmp_path / "mail"
    report = deliver_pending(
        app, at("2024-02-05", 10), FolderMailer(folder), letters=LetterWriter(tmp_path / "letters")
    )
    assert (report.printed, report.claimed) == (1, 1)  # a postal address: it can be posted
    assert not report.failed
    assert not folder.exists()
    letters = sorted((tmp_path / "letters" / ref).iterdir())
    assert [p.suffix for p in letters] == [".html", ".txt"]
    text = letters[1].read_text(encoding="utf-8")
    assert "Kính gửi: Hoàng Thị Bích Ngọc" in text
    assert "Địa chỉ: Số 12 ngõ 34" in text
    assert "Lý do: không rõ người bị tố cáo" in text
    assert "<!DOCTYPE html>" in letters[0].read_text(encoding="utf-8")
    with app.reading() as session:
        row = session.execute(select(OUTBOX)).one()
    assert (row.status, row.channel, row.to_address) == ("printed", "letter", "")


def test_the_denouncers_address_is_read_at_delivery_logged_and_never_stored_or_shown(
    app: Casework, tmp_path: Path
) -> None:
    ref = new_case(app)
    run(app, ref, NON_ACCEPTANCE)
    with app.reading() as session:
        row = session.execute(select(OUTBOX)).one()
    stored = f"{row.to_address} {row.context}"
    for name in IDENTITY_FIELDS:
        assert fold(getattr(IDENTITY, name)) not in fold(stored), name
    shown = show_message(app, admin(app), row.id, at("2099-01-01"))
    assert IDENTITY.full_name not in str(shown)
    assert IDENTITY.email not in str(shown)
    assert "sealed" in shown["text"]
    deliver_pending(
        app, at("2024-02-05", 10), FolderMailer(tmp_path), letters=LetterWriter(tmp_path)
    )
    with app.reading() as session:
        audit = AuditRow.__table__  # type: ignore[attr-defined]
        actions = list(session.execute(select(audit.c.action)).scalars())
    assert "identity.read" in actions


# --- the proof: nothing that reaches the denounced person holds any part of the identity ---


def test_no_identity_column_is_in_clear() -> None:
    """The sender's row holds no part of the identity in clear: it is sealed whole in
    `identity` (and what reception typed naming him in `typed`), under a wrapped data key; the digests
    are keyed (ADR 0011). A new column must be one of these, or the vault misses it."""
    columns = {c.name for c in inspect(DenouncerIdentityRow).columns}
    assert columns == {
        "case_id",
        "key_id",
        "wrapped_key",
        "identity",
        "typed",
        "sender_key",
        "repeat_key",
    }


def _declared_denounced_notices(app: Casework) -> set[str]:
    return {
        notice.notice
        for spec in app.definitions.lifecycle("denunciation").transitions
        for notice in spec.notices
        if "denounced" in notice.to
    }


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def test_no_message_to_the_denounced_contains_any_part_of_the_denouncers_identity(
    app: Casework, tmp_path: Path, smtp_inbox: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_inbox
    # by email (the denounced is an officer) and by letter (a person without an address)
    for steps in (FULL_RESOLUTION, TERMINATION):
        run(app, new_case(app), steps)
        run(app, new_case(app, denounced_name="Trần Văn Tư"), steps)
    letters = LetterWriter(tmp_path / "letters")
    while deliver_pending(app, at("2024-04-01"), mailer_for(port), letters=letters).claimed:
        pass
    with app.reading() as session:
        rows = session.execute(select(OUTBOX)).all()
    # the person reception recorded without any address cannot be posted to: reception's
    assert {r.status for r in rows} == {"sent", "needs_attention"}
    assert {r.recipient_party for r in rows if r.status == "needs_attention"} == {"denounced"}
    to_denounced = [r for r in rows if r.recipient_party == "denounced"]
    assert {r.template for r in to_denounced} == _declared_denounced_notices(app)
    assert {r.channel for r in to_denounced} == {"email", "letter"}

    texts: list[tuple[str, str]] = []
    for message in inbox.messages:
        if str(message["To"]) == DENOUNCED_OFFICER_EMAIL:
            raw = message.as_bytes(policy=email.policy.SMTPUTF8).decode("utf-8", "replace")
            decoded = "".join(str(message[h]) for h in message) + "".join(
                part.get_content()
                for part in message.walk()
                if part.get_content_maintype() == "text"
            )
            texts.append((str(message["Message-ID"]), raw + decoded))
    for row in to_denounced:
        texts.append((f"outbox {row.id}", f"{row.to_address} {row.context}"))
        if row.channel == "letter":
            base = letters.path_for(str(row.context["case"]["ref"]), row.message_id)
            for suffix in (".txt", ".html"):
                texts.append((str(base) + suffix, Path(str(base) + suffix).read_text("utf-8")))
    assert len(texts) >= 2 * len(to_denounced)
    for where, text in texts:
        for name in IDENTITY_FIELDS:
            value = fold(getattr(IDENTITY, name))
            assert value not in fold(text), f"the denouncer's {name} reached {where}"

    # the same check does see the identity where it belongs: the denouncer's own notices
    to_denouncer = [m for m in inbox.messages if str(m["To"]) == IDENTITY.email]
    assert to_denouncer
    assert all(
        fold(IDENTITY.full_name) in fold(m.get_body(("plain",)).get_content()) for m in to_denouncer
    )


@pytest.mark.parametrize(
    ("summary", "steps", "leaked"),
    [
        # the summary names the denouncer, written without diacritics and in capitals
        ("HOANG THI BICH NGOC phản ánh chủ tịch xã thu tiền", FULL_RESOLUTION[:3], "full_name"),
        # extension reasons quote the denouncer's phone with other spacing
        ("Chủ tịch xã thu tiền", FULL_RESOLUTION[:4], "contact"),
    ],
)
def test_a_notice_that_would_reveal_the_denouncer_refuses_the_step_and_writes_nothing(
    app: Casework, summary: str, steps: list[Step], leaked: str
) -> None:
    ref = new_case(app, summary=summary)
    *before, (trigger, day, data) = steps
    if trigger == "send_acceptance_notices":
        data = {}  # no reworded content: the summary itself would be told
    else:
        data = {**data, "reasons": "người tố cáo (ĐT 0912.345.678) đề nghị xác minh thêm"}
    run(app, ref, before)
    version = show_case(app, ref, at(day))["version"]
    queued_before = queued(app)
    clocks_before = clock_rows(app)
    with pytest.raises(IdentityDisclosure, match=f"denouncer's {leaked}"):
        run(app, ref, [(trigger, day, data)], by=HEAD)  # the resolver may be told which part
    with pytest.raises(IdentityDisclosure) as refused:
        run(app, ref, [(trigger, day, data)])  # a verifier may not: no confirmation of a guess
    assert leaked not in str(refused.value)
    view = show_case(app, ref, at(day))
    assert view["version"] == version
    assert queued(app) == queued_before
    assert clock_rows(app) == clocks_before  # the notify clock still runs, nothing extended
    with app.reading() as session:
        audit = AuditRow.__table__  # type: ignore[attr-defined]
        refusals = session.execute(
            select(audit.c.actor).where(audit.c.action == "identity.disclosure_refused")
        ).scalars()
        assert sorted(a or "" for a in refusals) == sorted([HEAD, BY])


def clock_rows(app: Casework) -> list[tuple[Any, ...]]:
    with app.reading() as session:
        rows = session.execute(
            select(CLOCKS.c.code, CLOCKS.c.status, CLOCKS.c.due, CLOCKS.c.extensions).order_by(
                CLOCKS.c.id
            )
        ).all()
    return [tuple(r) for r in rows]


def test_a_denouncer_who_shares_a_name_with_the_signing_head_does_not_block_the_case(
    app: Casework,
) -> None:
    namesake = Denouncer(full_name="Trần Quốc Dũng", address="Vinh")  # the Chánh Thanh tra
    ref = new_case(app, summary="Chủ tịch xã thu tiền", denouncer=namesake)
    run(app, ref, FULL_RESOLUTION[:3])
    assert ("party.content_notice", "denounced") in queued(app)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # suspended, then terminated before the suspension was sent: both decisions go out
        (
            [*FULL_RESOLUTION[:3], ("suspend", "2024-03-04", {"grounds": "reassessment"}),
             ("terminate", "2024-03-06", {"grounds": "death"}),
             ("send_suspension_notice", "2024-03-07", {})],
            ["party.suspension", "party.suspension", "party.termination", "party.termination"],
        ),
        # an expert assessment paused the clock when the conclusion stopped it: no due date
        (
            [*FULL_RESOLUTION[:3], ("request_assessment", "2024-03-01", {"reasons": "giám định"}),
             ("conclude", "2024-03-20", {"finding": "untrue"}),
             ("send_conclusion", "2024-03-21", {})],
            ["party.conclusion_notice", "party.conclusion"],
        ),
    ],
    ids=["suspension-then-termination", "concluded-while-paused"],
)  # fmt: skip
def test_decisions_are_notified_in_order_and_every_notice_is_delivered(
    app: Casework, tmp_path: Path, steps: list[Step], expected: list[str]
) -> None:
    ref = new_case(app, denounced_name="Trần Văn Tư")
    run(app, ref, steps)
    templates = [t for t, _ in queued(app)][2:]  # after Mẫu 05 and 06
    assert templates == expected
    letters = LetterWriter(tmp_path / "letters")
    report = deliver_pending(
        app, at("2024-04-01"), FolderMailer(tmp_path / "mail"), letters=letters
    )
    # delivered, but for the letters to the person denounced, whose address nobody recorded
    assert not report.failed
    assert report.sent + report.needs_attention == report.claimed == len(expected) + 2
    with app.reading() as session:
        to_denounced = session.execute(
            select(OUTBOX).where(OUTBOX.c.recipient_party == "denounced")
        ).all()
    assert report.needs_attention == len(to_denounced)
    assert all("no postal address" in e for e in report.errors)


def test_resolution_continues_only_after_the_suspension_was_sent(app: Casework) -> None:
    ref = new_case(app)
    run(app, ref, [*FULL_RESOLUTION[:3], ("suspend", "2024-03-04", {"grounds": "reassessment"})])
    with pytest.raises(TransitionRefused, match="record send_suspension_notice first"):
        run(app, ref, [("resume", "2024-03-05", {"grounds": "có kết quả"})])
    run(app, ref, [("send_suspension_notice", "2024-03-05", {})])
    run(app, ref, [("resume", "2024-03-06", {"grounds": "có kết quả"})])
    assert [t for t, _ in queued(app)][-4:] == [
        "party.suspension", "party.suspension", "party.continuation", "party.continuation"
    ]  # fmt: skip


def test_the_denouncers_address_cannot_be_the_denounced_persons(app: Casework) -> None:
    same = Denouncer(full_name="Hoàng Thị Bích Ngọc", email=DENOUNCED_OFFICER_EMAIL.upper())
    with pytest.raises(InvalidInput, match="also an address of the denounced"):
        new_case(app, denouncer=same)


class Bouncer(Inbox):
    """Refuses the denouncer's mailbox for good (550), accepts everything else."""

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == IDENTITY.email:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_bounced_party_notice_becomes_a_letter_and_the_address_is_never_logged(
    app: Casework, tmp_path: Path
) -> None:
    inbox = Bouncer()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        ref = new_case(app)
        run(app, ref, NON_ACCEPTANCE)
        letters = LetterWriter(tmp_path / "letters")
        report = deliver_pending(
            app, at("2024-02-05", 10), mailer_for(controller.port), letters=letters
        )
    finally:
        controller.stop()
    assert (report.printed, report.dead, report.refused) == (1, 0, 0)
    assert len(list((tmp_path / "letters" / ref).glob("*.txt"))) == 1
    with app.reading() as session:
        row = session.execute(select(OUTBOX)).one()
        audit = AuditRow.__table__  # type: ignore[attr-defined]
        payloads = " ".join(str(p) for p in session.execute(select(audit.c.payload)).scalars())
    assert (row.status, row.channel) == ("printed", "letter")
    # the refusal is kept, sealed: the server's reply quoted the denouncer's address
    assert (row.last_error, bool(row.sealed_error)) == (REPLY_WITHHELD, True)
    assert IDENTITY.email not in f"{row.last_error} {payloads}"


def test_each_party_a_denunciation_names_gets_the_notices_to_the_denounced(
    app: Casework,
) -> None:
    ref = new_case(
        app,
        denounced_officer=DENOUNCED_OFFICER,
        more_denounced=(
            OtherDenounced(officer="nl-chu-tich"),
            OtherDenounced(agency="so-xay-dung"),
            OtherDenounced(name="ông Trần Văn Tư, chủ doanh nghiệp"),
        ),
    )
    run(app, ref, FULL_RESOLUTION[:3])
    with app.reading() as session:
        rows = session.execute(
            select(OUTBOX).where(OUTBOX.c.template == "party.content_notice").order_by(OUTBOX.c.id)
        ).all()
    assert [(r.recipient_officer, r.to_address) for r in rows] == [
        (DENOUNCED_OFFICER, DENOUNCED_OFFICER_EMAIL),
        ("nl-chu-tich", "chutich@nghiloc.nghean.example"),
        ("xd-giam-doc", "giamdoc@sxd.nghean.example"),  # the agency, through its head
        (None, ""),  # a person with no address: a printed letter
    ]
    assert [r.context["recipient"]["name"] for r in rows][1:] == [
        "Âu Văn Yên",
        "Sở Xây dựng",
        "ông Trần Văn Tư, chủ doanh nghiệp",
    ]


def test_no_line_of_a_notice_is_longer_than_smtp_allows(app: Casework, tmp_path: Path) -> None:
    """RFC 5322 §2.1.1: at most 998 octets a line. A reason typed as one long paragraph of
    Vietnamese is wrapped by the transfer encoding, not sent as one line a server may cut."""
    ref = new_case(app)
    reasons = "Đơn không nêu rõ hành vi vi phạm, thời gian và địa điểm xảy ra sự việc; " * 60
    run(app, ref, [("reject", "2024-02-05", {"reasons": reasons.strip()})])
    folder = tmp_path / "mail"
    report = deliver_pending(app, at("2024-02-05", 10), FolderMailer(folder))
    assert report.sent == 1
    (raw,) = [path.read_bytes() for path in folder.glob("*.eml")]
    assert max(len(line) for line in raw.split(b"\n")) <= 998
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    body = parsed.get_body(("plain",))
    assert body is not None
    assert reasons.strip()[:200] in " ".join(body.get_content().split())


class _RefusesOurSender(Inbox):
    """A relay that will not take mail from casework's address (553 at MAIL FROM)."""

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return f"553 5.7.1 <{address}>: Sender address rejected: not owned by user"


def test_a_relay_that_refuses_our_sender_turns_nothing_into_letters(
    app: Casework, tmp_path: Path
) -> None:
    """Issue 25: the sender refused is the installation's fault, not the recipients': every
    notice waits (deferred) and the run fails saying what to check; no party's notice is
    printed instead, no officer's is refused."""
    controller = Controller(_RefusesOurSender(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        ref = new_case(app)
        run(app, ref, NON_ACCEPTANCE)  # to the denouncer, who has an e-mail and an address
        report = deliver_pending(
            app,
            at("2024-02-05", 10),
            mailer_for(controller.port),
            letters=LetterWriter(tmp_path / "letters"),
        )
    finally:
        controller.stop()
    assert report.claimed > 0
    assert (report.retrying, report.refused, report.printed) == (report.claimed, 0, 0)
    assert all("refused the envelope sender" in e for e in report.errors)
    assert "CASEWORK_MAIL_FROM" in str(report.failure())
    assert not (tmp_path / "letters").exists()
