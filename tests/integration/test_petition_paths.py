"""The petition (kiến nghị, phản ánh) lifecycle through the service layer, on a real database.

Due dates are counted by hand on the 2026 Vietnamese calendar: Tết 2026-02-16..20 off; Hùng
Kings 04-27 (observed), 04-30 and 05-01 off; Saturday 08-22 worked in exchange for Monday
08-31; National Day 09-01 and 09-02 off; Vietnam Cultural Day 11-24 off. Day 1 of a period is
the day after its start. The reply to the sender is 10 working days from reception (LTCD Art.
28(1)), the answer 15 working days from the assignment by default (agency policy: LTCD
Arts. 25–28 set none), the report to a forwarding authority 7 working days from the answer
(LTCD Art. 27(2)).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from tests import scenarios
from tests.conftest import EXAMPLE_ORG, at
from tests.scenarios import clocks, state

from casework.adapters.letters import LetterWriter
from casework.adapters.mailer import FolderMailer
from casework.adapters.outbox_store import OUTBOX
from casework.config import Settings
from casework.domain.errors import ConfigurationError, InvalidInput, TransitionRefused
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework, bootstrap
from casework.services.case_views import show_case
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.organisation import load_organisation_file
from casework.services.schema import initialise
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration

COMMUNE = "xa-nghi-loc"
HANDLER = "nl-xac-minh"
RECEPTION = "nl-tiep-nhan"


def petition(app: Casework, received: str, forwarded_by: str | None = None) -> str:
    command = LogCase(
        kind="petition",
        agency=COMMUNE,
        received_on=date.fromisoformat(received),
        summary="Kiến nghị sửa chữa đường liên xóm 3 bị sạt lở sau mưa lũ",
        denouncer=Denouncer("Nguyễn Thị Hoa", "xóm 3, xã Nghi Lộc"),
        forwarded_by=forwarded_by,
        logged_by=RECEPTION,
    )
    return log_case(app, command, at(received, 10)).ref


def step(app: Casework, ref: str, trigger: str, on: str, actor: str = HANDLER, **data: str) -> None:
    scenarios.step(app, ref, trigger, on, actor, **data)


def test_intake_of_a_petition(app: Casework) -> None:
    ref = petition(app, "2026-07-06")
    assert ref.startswith("KNPA-2026-")
    view = show_case(
        app,
        ref,
        at("2026-07-06"),
        viewer=principal_of_officer(app, "nl-chu-tich"),
        reveal_identity=True,
    )
    assert view["state"] == "received"
    assert view["state_legal_name"] == "Tiếp nhận đơn kiến nghị, phản ánh"
    assert view["denouncer"]["full_name"] == "Nguyễn Thị Hoa"
    reply = {c["code"]: c for c in view["clocks"]}["petition.reply"]
    # Mon 07-06: 07, 08, 09, 10 (4), 13, 14, 15, 16, 17 (9), Mon 20 (10)
    assert (reply["due"], reply["status"], reply["rule_version"]) == (
        "2026-07-20",
        "running",
        "2014.1",
    )
    assert list(clocks(app, ref, "2026-07-06")) == ["petition.reply"]
    assert sorted(view["allowed_triggers"]) == ["assign", "forward", "reject"]


def test_a_petition_needs_its_sender(app: Casework) -> None:
    unsigned = LogCase(
        kind="petition",
        agency=COMMUNE,
        received_on=date(2026, 7, 6),
        summary="Kiến nghị về đường liên xóm",
        logged_by=RECEPTION,
    )
    with pytest.raises(InvalidInput, match="sender's name"):
        log_case(app, unsigned, at("2026-07-06"))
    with app.database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM case_file")).scalar_one() == 0


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Thu 02-12: Fri 13 (1); Tết 16..20 off; 23, 24, 25, 26, 27 (6); 03-02, 03, 04, 05 (10)
        ("2026-02-12", "2026-03-05"),
        # Tue 04-21: 22, 23, 24 (3); Mon 27 off; 28, 29 (5); 30 and 05-01 off;
        # 05-04, 05, 06, 07, 08 (10)
        ("2026-04-21", "2026-05-08"),
        # Thu 08-20: Fri 21 (1), Sat 22 worked (2), 24..28 (7); 08-31, 09-01, 09-02 off;
        # 09-03, 04 (9), Mon 07 (10)
        ("2026-08-20", "2026-09-07"),
        # Fri 11-20: Mon 23 (1); Tue 24 off; 25, 26, 27 (4); 30 (5); 12-01, 02, 03, 04 (9);
        # Mon 12-07 (10)
        ("2026-11-20", "2026-12-07"),
    ],
)
def test_reply_window_across_holidays(app: Casework, received: str, due: str) -> None:
    ref = petition(app, received)
    assert clocks(app, ref, received)["petition.reply"]["due"] == due


def test_assigned_studied_answered_closed(app: Casework) -> None:
    ref = petition(app, "2026-07-06")  # reply due Mon 07-20
    with pytest.raises(TransitionRefused, match="no handler"):
        advance_case(
            app, AdvanceCase(ref=ref, trigger="assign", on=date(2026, 7, 10)), at("2026-07-10")
        )
    step(app, ref, "assign", "2026-07-10", unit="Công chức Địa chính - Xây dựng")
    view = show_case(app, ref, at("2026-07-10"))
    assert (view["state"], view["handler"]) == ("assigned", HANDLER)
    c = {k["code"]: k for k in view["clocks"]}
    assert (c["petition.reply"]["status"], c["petition.reply"]["stopped_on"]) == (
        "stopped",
        "2026-07-10",
    )
    assert c["petition.reply"]["late"] is False
    resolve = c["petition.resolve"]
    # Fri 07-10: 13..17 (5), 20..24 (10), 27..31 (15): Fri 07-31
    assert (resolve["due"], resolve["status"], resolve["rule_version"]) == (
        "2026-07-31",
        "running",
        "2014.1",
    )
    with pytest.raises(TransitionRefused, match="not allowed from state 'assigned'"):
        step(app, ref, "close", "2026-07-13")
    step(app, ref, "study", "2026-07-13", plan="khảo sát hiện trường, hỏi ý kiến thôn")
    assert state(app, ref, "2026-07-13") == "under_study"
    with pytest.raises(InvalidInput, match="summary"):
        step(app, ref, "answer", "2026-07-29")
    step(app, ref, "answer", "2026-07-29", summary="Đưa vào kế hoạch sửa chữa quý III/2026")
    c = clocks(app, ref, "2026-07-29")
    assert (c["petition.resolve"]["stopped_on"], c["petition.resolve"]["late"]) == (
        "2026-07-29",
        False,
    )
    assert "petition.forwarder_report" not in c  # nobody forwarded it
    step(app, ref, "close", "2026-07-30")
    view = show_case(app, ref, at("2026-07-30"))
    assert view["state"] == "closed"
    assert view["allowed_triggers"] == []
    assert [h["trigger"] for h in view["history"]] == ["assign", "study", "answer", "close"]


def test_answer_straight_after_assignment_and_across_the_national_day(app: Casework) -> None:
    ref = petition(app, "2026-08-10")
    step(app, ref, "assign", "2026-08-14")
    # Fri 08-14: 17..21 (5), Sat 22 worked (6), 24..28 (11); 08-31, 09-01, 09-02 off;
    # 09-03, 04 (13), 07 (14), Tue 09-08 (15)
    assert clocks(app, ref, "2026-08-14")["petition.resolve"]["due"] == "2026-09-08"
    step(app, ref, "answer", "2026-09-09", summary="Trả lời bằng văn bản")
    resolve = clocks(app, ref, "2026-09-09")["petition.resolve"]
    assert (resolve["status"], resolve["late"]) == ("stopped", True)  # a day past 09-08


def test_a_late_reply_is_recorded_as_late(app: Casework) -> None:
    ref = petition(app, "2026-07-06")  # reply due Mon 07-20
    step(app, ref, "assign", "2026-07-21")
    reply = clocks(app, ref, "2026-07-21")["petition.reply"]
    assert (reply["status"], reply["stopped_on"], reply["late"]) == ("stopped", "2026-07-21", True)


def test_forwarded_to_the_competent_body_then_its_reply_recorded(app: Casework) -> None:
    ref = petition(app, "2026-07-06")
    with pytest.raises(InvalidInput, match="to_agency"):
        step(app, ref, "forward", "2026-07-08")
    step(app, ref, "forward", "2026-07-08", to_agency="Công ty Điện lực Nghệ An")
    c = clocks(app, ref, "2026-07-08")
    assert (c["petition.reply"]["status"], c["petition.reply"]["stopped_on"]) == (
        "stopped",
        "2026-07-08",
    )
    assert "petition.resolve" not in c  # the competent body answers, on its own clock
    assert state(app, ref, "2026-07-08") == "forwarded"
    with pytest.raises(InvalidInput, match="summary"):
        step(app, ref, "record_feedback", "2026-07-27")
    step(app, ref, "record_feedback", "2026-07-27", summary="Điện lực đã thay cột điện nghiêng")
    view = show_case(app, ref, at("2026-07-27"))
    assert (view["state"], view["attributes"]["feedback_received"]) == ("forwarded", "yes")
    step(app, ref, "close", "2026-07-28")
    assert state(app, ref, "2026-07-28") == "closed"


def test_rejection_needs_its_ground(app: Casework) -> None:
    ref = petition(app, "2026-07-06")
    with pytest.raises(InvalidInput, match="ground"):
        step(app, ref, "reject", "2026-07-07", reasons="đã được trả lời năm 2025")
    with pytest.raises(InvalidInput, match="not allowed for reject"):
        step(app, ref, "reject", "2026-07-07", ground="no_reason", reasons="…")
    with pytest.raises(InvalidInput, match="reasons"):
        step(app, ref, "reject", "2026-07-07", ground="already_resolved")
    step(
        app,
        ref,
        "reject",
        "2026-07-07",
        ground="already_resolved",
        reasons="đã được UBND xã trả lời ngày 12/3/2025, không có tình tiết mới",
    )
    view = show_case(app, ref, at("2026-07-07"))
    assert view["state"] == "not_accepted"
    (reply,) = view["clocks"]
    assert (reply["code"], reply["status"], reply["stopped_on"]) == (
        "petition.reply",
        "stopped",
        "2026-07-07",
    )
    assert view["history"][-1]["trigger"] == "reject"
    step(app, ref, "close", "2026-07-08")
    assert state(app, ref, "2026-07-08") == "closed"


def test_petition_forwarded_by_an_authority_reports_its_answer(app: Casework) -> None:
    ref = petition(app, "2026-08-10", forwarded_by="Đoàn ĐBQH tỉnh")
    assert list(clocks(app, ref, "2026-08-10")) == ["petition.reply"]  # nothing until the answer
    with pytest.raises(TransitionRefused, match="not allowed from state 'received'"):
        step(app, ref, "report_to_forwarder", "2026-08-11")
    step(app, ref, "assign", "2026-08-12")
    step(app, ref, "answer", "2026-08-27", summary="Đã sửa chữa xong đoạn đường sạt lở")
    report = clocks(app, ref, "2026-08-27")["petition.forwarder_report"]
    # Thu 08-27: Fri 28 (1); 08-31, 09-01, 09-02 off; 09-03, 04 (3); 07..10 (7): Thu 09-10
    assert (report["due"], report["status"], report["basis"]) == (
        "2026-09-10",
        "running",
        "LTCD Art. 27(2)",
    )
    with pytest.raises(TransitionRefused, match=r"petition\.forwarder_report"):
        step(app, ref, "close", "2026-08-28")
    assert state(app, ref, "2026-08-28") == "answered"
    step(app, ref, "report_to_forwarder", "2026-09-03")
    report = clocks(app, ref, "2026-09-03")["petition.forwarder_report"]
    assert (report["status"], report["stopped_on"], report["late"]) == (
        "stopped",
        "2026-09-03",
        False,
    )
    with pytest.raises(TransitionRefused, match="not running"):
        step(app, ref, "report_to_forwarder", "2026-09-03")
    step(app, ref, "close", "2026-09-04")
    assert state(app, ref, "2026-09-04") == "closed"


def test_report_to_forwarder_needs_a_forwarding_authority(app: Casework) -> None:
    ref = petition(app, "2026-07-06")
    step(app, ref, "assign", "2026-07-08")
    step(app, ref, "answer", "2026-07-20", summary="Trả lời bằng văn bản")
    with pytest.raises(TransitionRefused, match=r"petition\.forwarder_report is not running"):
        step(app, ref, "report_to_forwarder", "2026-07-21")


@pytest.fixture
def policy_app(database_url: str, tmp_path: Path) -> Iterator[Casework]:
    """An engine whose agency answers petitions within 20 working days, not 15."""
    engine_app = bootstrap(
        Settings(home=tmp_path, database_url=database_url, policy_lengths={"petition.resolve": 20})
    )
    initialise(engine_app)
    load_organisation_file(engine_app, EXAMPLE_ORG, "tests", at("2024-01-02"))
    yield engine_app
    engine_app.database.dispose()


def test_the_agency_sets_its_own_answer_period(policy_app: Casework) -> None:
    ref = petition(policy_app, "2026-07-06")
    step(policy_app, ref, "assign", "2026-07-10")
    c = clocks(policy_app, ref, "2026-07-10")
    # Fri 07-10: 15 WD end Fri 07-31; 08-03, 04, 05, 06 (19), Fri 08-07 (20)
    assert (c["petition.resolve"]["due"], c["petition.resolve"]["rule_version"]) == (
        "2026-08-07",
        "2014.1+policy20",
    )
    assert c["petition.reply"]["due"] == "2026-07-20"  # the law's 10 WD are untouched


def test_the_statutory_reply_cannot_be_set_by_policy(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'c.db'}",
        policy_lengths={"petition.reply": 20},
    )
    with pytest.raises(ConfigurationError, match=r"petition\.reply is set by law"):
        bootstrap(settings)


# The notices to the sender (LTCD Art. 28(1); the answer, Arts. 26(2)(a), 27(1)). The sender
# has no email address: each notice becomes a printed letter, addressed at delivery.


def outbox(app: Casework) -> list[tuple[str, str | None]]:
    with app.reading() as session:
        rows = session.execute(select(OUTBOX).order_by(OUTBOX.c.id)).all()
    return [(r.template, r.recipient_party) for r in rows]


def letters(app: Casework, ref: str, today: str, folder: Path) -> dict[str, str]:
    """Deliver what is pending; the letters printed for the case so far, by their first line."""
    report = deliver_pending(
        app, at(today, 17), FolderMailer(folder / "mail"), letters=LetterWriter(folder / "letters")
    )
    assert (report.printed, report.errors) == (report.claimed, [])  # posted to the address
    assert not list((folder / "mail").glob("*.eml"))  # nothing is emailed to the sender
    printed = [p.read_text(encoding="utf-8") for p in (folder / "letters" / ref).glob("*.txt")]
    return {t.splitlines()[0]: t for t in printed}


def test_the_sender_is_told_of_the_acceptance_then_given_the_answer(
    app: Casework, tmp_path: Path
) -> None:
    ref = petition(app, "2026-07-06")  # reply due Mon 07-20
    step(app, ref, "assign", "2026-07-10", unit="Công chức Địa chính - Xây dựng")
    assert outbox(app) == [("party.petition_accepted", "denouncer")]
    with app.reading() as session:
        (context,) = session.execute(select(OUTBOX.c.context)).scalars().all()
    stored = json.dumps(context, ensure_ascii=False)
    assert "Nguyễn Thị Hoa" not in stored  # the sender is looked up only at delivery
    assert "xóm 3, xã Nghi Lộc" not in stored
    printed = letters(app, ref, "2026-07-10", tmp_path)
    acceptance = printed[f"Thông báo thụ lý kiến nghị, phản ánh – hồ sơ {ref}"]
    assert "THÔNG BÁO VỀ VIỆC THỤ LÝ GIẢI QUYẾT KIẾN NGHỊ, PHẢN ÁNH" in acceptance
    assert "Kính gửi: Nguyễn Thị Hoa" in acceptance
    assert "Địa chỉ: xóm 3, xã Nghi Lộc" in acceptance
    assert (
        "Ngày 10/07/2026, Ủy ban nhân dân xã Nghi Lộc đã thụ lý để giải quyết đơn kiến nghị, "
        "phản ánh của Ông/Bà tiếp nhận ngày 06/07/2026 (điểm a khoản 1 Điều 28"
    ) in acceptance
    assert "Kiến nghị sửa chữa đường liên xóm 3 bị sạt lở sau mưa lũ" in acceptance
    assert (
        "Bộ phận được giao nghiên cứu, xem xét, giải quyết: Công chức Địa chính - Xây dựng"
        in acceptance
    )
    # the answer is due 15 working days from the assignment: Fri 07-31
    assert "giải quyết và trả lời Ông/Bà: đến hết ngày 31/07/2026" in acceptance
    assert "petition.resolve" not in acceptance  # the clock is named, not its code
    assert "- Hạn: hết ngày 31/07/2026" in acceptance
    assert (
        "Căn cứ pháp lý của thông báo này: điểm a khoản 2 Điều 26, điểm a khoản 1 Điều 28 "
        "Luật Tiếp công dân năm 2013"
    ) in acceptance
    assert f"/cases/{ref}" in acceptance
    assert "Âu Văn Yên" in acceptance  # signed by the chairman of the commune

    step(app, ref, "study", "2026-07-13", plan="khảo sát hiện trường")
    step(
        app,
        ref,
        "answer",
        "2026-07-29",
        summary="Đưa vào kế hoạch sửa chữa quý III/2026",
        decision_no="125/UBND-ĐC",
    )
    assert outbox(app) == [
        ("party.petition_accepted", "denouncer"),
        ("party.petition_answer", "denouncer"),
    ]
    printed = letters(app, ref, "2026-07-29", tmp_path)
    assert len(printed) == 2
    answer = printed[f"Trả lời kiến nghị, phản ánh – hồ sơ {ref}"]
    assert "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT KIẾN NGHỊ, PHẢN ÁNH" in answer
    assert "Kính gửi: Nguyễn Thị Hoa" in answer
    assert (
        "Ngày 29/07/2026, Ủy ban nhân dân xã Nghi Lộc đã trả lời bằng văn bản số 125/UBND-ĐC"
        in answer
    )
    assert "Kết quả giải quyết: Đưa vào kế hoạch sửa chữa quý III/2026" in answer
    assert "Văn bản trả lời được gửi kèm thông báo này." in answer
    # the answer came two days before its due date
    assert "- Hạn: ngày 31/07/2026; đã kết thúc ngày 29/07/2026" in answer
    assert (
        "Căn cứ pháp lý của thông báo này: điểm a khoản 2 Điều 26, khoản 1 Điều 27 "
        "Luật Tiếp công dân năm 2013"
    ) in answer
    step(app, ref, "close", "2026-07-30")
    assert len(outbox(app)) == 2  # closing tells nobody


def test_an_acceptance_without_a_unit_says_the_agency_handles_it(
    app: Casework, tmp_path: Path
) -> None:
    ref = petition(app, "2026-08-10")
    step(app, ref, "assign", "2026-08-14")
    (acceptance,) = letters(app, ref, "2026-08-14", tmp_path).values()
    assert "Ủy ban nhân dân xã Nghi Lộc trực tiếp nghiên cứu, xem xét, giải quyết" in acceptance
    assert "Bộ phận được giao" not in acceptance
    # across the National Day: Tue 09-08 (see test_answer_straight_after_assignment...)
    assert "đến hết ngày 08/09/2026" in acceptance


def test_the_sender_is_told_where_the_petition_was_forwarded(app: Casework, tmp_path: Path) -> None:
    ref = petition(app, "2026-07-06")  # reply due Mon 07-20
    step(app, ref, "forward", "2026-07-08", to_agency="Công ty Điện lực Nghệ An")
    assert outbox(app) == [("party.petition_forwarded", "denouncer")]
    (forwarding,) = letters(app, ref, "2026-07-08", tmp_path).values()
    assert forwarding.startswith(f"Thông báo chuyển đơn kiến nghị, phản ánh – hồ sơ {ref}")
    assert "THÔNG BÁO VỀ VIỆC CHUYỂN ĐƠN KIẾN NGHỊ, PHẢN ÁNH" in forwarding
    assert "Kính gửi: Nguyễn Thị Hoa" in forwarding
    assert "không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã Nghi Lộc" in forwarding
    assert (
        "Ngày 08/07/2026, Ủy ban nhân dân xã Nghi Lộc đã chuyển đơn (hoặc bản ghi lại nội dung "
        "trình bày) của Ông/Bà đến Công ty Điện lực Nghệ An là cơ quan, tổ chức, đơn vị có "
        "thẩm quyền"
    ) in forwarding
    assert "điểm b khoản 2 Điều 26, điểm d khoản 1 Điều 28 Luật Tiếp công dân" in forwarding
    # the 10-working-day reply, kept: told on 07-08, due 07-20
    assert "petition.reply" not in forwarding
    assert "- Hạn: ngày 20/07/2026; đã kết thúc ngày 08/07/2026" in forwarding
    assert (
        "điểm b khoản 2 Điều 26, điểm d khoản 1 Điều 28 Luật Tiếp công dân năm 2013; "
        "Thông tư số 05/2021/TT-TTCP"
    ) in forwarding
    step(app, ref, "record_feedback", "2026-07-27", summary="Điện lực đã thay cột điện nghiêng")
    step(app, ref, "close", "2026-07-28")
    assert len(outbox(app)) == 1


def test_the_sender_is_told_why_the_petition_is_not_accepted(app: Casework, tmp_path: Path) -> None:
    ref = petition(app, "2026-07-06")  # reply due Mon 07-20
    step(
        app,
        ref,
        "reject",
        "2026-07-07",
        ground="already_resolved",
        reasons="đã được UBND xã trả lời ngày 12/3/2025, không có tình tiết mới",
    )
    assert outbox(app) == [("party.petition_not_accepted", "denouncer")]
    (refusal,) = letters(app, ref, "2026-07-07", tmp_path).values()
    assert refusal.startswith(f"Thông báo không thụ lý kiến nghị, phản ánh – hồ sơ {ref}")
    assert "THÔNG BÁO VỀ VIỆC KHÔNG THỤ LÝ ĐƠN KIẾN NGHỊ, PHẢN ÁNH" in refusal
    assert "Kính gửi: Nguyễn Thị Hoa" in refusal
    assert (
        "Ngày 07/07/2026, Ủy ban nhân dân xã Nghi Lộc không thụ lý, giải quyết đơn kiến nghị, "
        "phản ánh của Ông/Bà tiếp nhận ngày 06/07/2026 (điểm c khoản 1 Điều 28"
    ) in refusal
    assert (
        "Lý do: đã được UBND xã trả lời ngày 12/3/2025, không có tình tiết mới (trường hợp đơn "
        "không được thụ lý, xử lý: vụ việc đã được cơ quan, người có thẩm quyền xem xét, trả lời "
        "theo đúng quy định và không có nội dung, tình tiết mới)"
    ) in refusal
    assert "already_resolved" not in refusal
    assert "- Hạn: ngày 20/07/2026; đã kết thúc ngày 07/07/2026" in refusal
    assert (
        "Căn cứ pháp lý của thông báo này: điểm c khoản 1 Điều 28 Luật Tiếp công dân năm 2013; "
        "Thông tư số 05/2021/TT-TTCP"
    ) in refusal
