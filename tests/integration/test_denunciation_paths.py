"""The denunciation lifecycle through the service layer, on a real database.

Due dates are worked examples and other dates counted by hand on the 2024
Vietnamese calendar (Tết 2024-02-08..14, 2024-04-29..05-01 off, Sat 2024-05-04 worked,
National Day 2024-09-02/03).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests import scenarios
from tests.conftest import at
from tests.scenarios import clocks, state

from casework.domain.errors import ConcurrentUpdate, InvalidInput, TransitionRefused
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.intake import Denouncer, LogCase, log_case

pytestmark = pytest.mark.integration

RESOLVER = "thanh-tra-tinh"
HANDLER = "tt-xac-minh-1"


def new_case(app: Casework, received: str, **overrides: Any) -> str:
    command = LogCase(
        kind="denunciation",
        agency=RESOLVER,
        received_on=date.fromisoformat(received),
        summary="Cán bộ địa chính thu tiền trái quy định khi cấp giấy chứng nhận",
        denouncer=Denouncer("Phạm Thị Hoa", "Vinh, Nghệ An", "0912 000 111", "040190000001"),
        denounced_name="Lê Văn Cường",
        logged_by="tt-tiep-nhan",
    )
    for key, value in overrides.items():
        object.__setattr__(command, key, value)
    return log_case(app, command, at(received, 10)).ref


def step(app: Casework, ref: str, trigger: str, on: str, **data: str) -> None:
    scenarios.step(app, ref, trigger, on, HANDLER, **data)


def test_logging_starts_triage_clock_skipping_tet(app: Casework) -> None:
    ref = new_case(app, "2024-02-01")
    triage = clocks(app, ref, "2024-02-01")["denunciation.triage"]
    assert triage["due"] == "2024-02-19"
    assert triage["status"] == "running"
    assert triage["rule_version"] == "2019.1"
    assert triage["calendar_version"].startswith("holidays-")


def test_receipt_to_closure(app: Casework) -> None:
    ref = new_case(app, "2024-06-28")
    step(app, ref, "triage", "2024-07-01")
    step(app, ref, "accept", "2024-07-04")
    c = clocks(app, ref, "2024-07-04")
    assert c["denunciation.triage"]["status"] == "stopped"
    assert c["denunciation.resolve"]["due"] == "2024-08-05"  # nominal Sat 08-03, rolled
    assert c["denunciation.notify_acceptance"]["due"] == "2024-07-11"
    step(app, ref, "send_acceptance_notices", "2024-07-08")
    step(app, ref, "conclude", "2024-08-01", finding="partly_true")
    c = clocks(app, ref, "2024-08-01")
    assert c["denunciation.resolve"]["status"] == "stopped"
    assert c["denunciation.resolve"]["late"] is False
    assert c["denunciation.send_conclusion"]["due"] == "2024-08-08"
    assert c["denunciation.handle_conclusion"]["due"] == "2024-08-12"
    assert c["denunciation.publish_conclusion"]["due"] == "2024-08-12"
    with pytest.raises(TransitionRefused, match=r"denunciation\.send_conclusion"):
        step(app, ref, "close", "2024-08-02")
    step(app, ref, "send_conclusion", "2024-08-05")
    step(app, ref, "decide_handling", "2024-08-06", measures="kỷ luật khiển trách")
    step(app, ref, "publish_conclusion", "2024-08-07", channel="portal")
    step(app, ref, "close", "2024-08-30")
    view = show_case(app, ref, at("2024-08-30"))
    assert view["state"] == "closed"
    assert [h["trigger"] for h in view["history"]] == [
        "triage",
        "accept",
        "send_acceptance_notices",
        "conclude",
        "send_conclusion",
        "decide_handling",
        "publish_conclusion",
        "close",
    ]
    assert all(c["status"] == "stopped" for c in view["clocks"])
    assert view["allowed_triggers"] == []


def test_extension_on_the_unrolled_end(app: Casework) -> None:
    ref = new_case(app, "2024-07-01")
    step(app, ref, "accept", "2024-07-04")
    with pytest.raises(TransitionRefused, match="complex"):
        step(app, ref, "extend", "2024-07-20", reasons="hai nội dung")
    step(
        app, ref, "extend", "2024-07-20", reasons="hai nội dung cần xác minh", complexity="complex"
    )
    resolve = clocks(app, ref, "2024-07-20")["denunciation.resolve"]
    assert resolve["due"] == "2024-09-04"  # 08-03 + 30 = 09-02 (holiday), 09-03 (holiday)
    assert any("rolled forward" in line for line in resolve["explanation"])
    with pytest.raises(TransitionRefused, match="already extended 1"):
        step(app, ref, "extend", "2024-08-20", reasons="again")


def test_especially_complex_allows_two_extensions(app: Casework) -> None:
    ref = new_case(app, "2024-07-01")
    step(app, ref, "accept", "2024-07-04")
    step(app, ref, "extend", "2024-07-20", reasons="a, b", complexity="especially_complex")
    step(app, ref, "extend", "2024-08-20", reasons="a, b, c")
    assert clocks(app, ref, "2024-08-20")["denunciation.resolve"]["due"] == "2024-10-02"


def test_suspension_pauses_and_moves_the_due_date(app: Casework) -> None:
    ref = new_case(app, "2024-07-01")
    step(app, ref, "accept", "2024-07-04")
    step(app, ref, "suspend", "2024-07-15", grounds="await_other_body")
    c = clocks(app, ref, "2024-07-16")
    assert c["denunciation.resolve"]["status"] == "paused"
    assert c["denunciation.resolve"]["due"] is None
    assert c["denunciation.resolve"]["paused_since"] == "2024-07-15"
    assert c["denunciation.notify_suspension"]["due"] == "2024-07-22"
    step(app, ref, "send_suspension_notice", "2024-07-16")
    step(app, ref, "resume", "2024-07-25", grounds="kết quả đã có")
    assert clocks(app, ref, "2024-07-25")["denunciation.resolve"]["due"] == "2024-08-13"
    assert state(app, ref, "2024-07-25") == "inspection"


def test_referral_from_triage(app: Casework) -> None:
    ref = new_case(app, "2024-03-01")
    step(app, ref, "triage", "2024-03-04")
    step(app, ref, "refer", "2024-03-05", to_agency="Cơ quan CSĐT Công an tỉnh Nghệ An")
    c = clocks(app, ref, "2024-03-05")
    assert c["denunciation.triage"]["status"] == "stopped"
    assert c["denunciation.referral"]["due"] == "2024-03-06"
    step(app, ref, "transfer_file", "2024-03-06")
    step(app, ref, "close", "2024-03-07")
    assert state(app, ref, "2024-03-07") == "closed"


def test_forwarding_out_of_competence(app: Casework) -> None:
    ref = new_case(app, "2024-04-25")
    step(app, ref, "triage", "2024-04-26", competent="no")
    c = clocks(app, ref, "2024-04-26")
    # 5 WD after Thu 04-25: Fri 26, Thu 05-02, Fri 05-03, Sat 05-04 (worked), Mon 05-06
    assert c["denunciation.forward"]["due"] == "2024-05-06"
    with pytest.raises(TransitionRefused, match="outside this agency's competence") as refused:
        step(app, ref, "accept", "2024-04-26")
    # the refused trigger is not offered back as allowed now; the ways on are
    assert "accept" not in refused.value.allowed
    assert "forward" in refused.value.allowed
    step(app, ref, "forward", "2024-05-02", to_agency="UBND xã Nghi Lộc")
    assert state(app, ref, "2024-05-02") == "forwarded"
    assert clocks(app, ref, "2024-05-02")["denunciation.forward"]["status"] == "stopped"


def test_rejection_needs_reasons(app: Casework) -> None:
    ref = new_case(app, "2024-03-01")
    with pytest.raises(InvalidInput, match="reasons"):
        step(app, ref, "reject", "2024-03-04")
    step(app, ref, "reject", "2024-03-04", reasons="không đủ điều kiện thụ lý (Điều 29)")
    assert state(app, ref, "2024-03-04") == "not_accepted"


def test_termination_by_withdrawal_unless_overridden(app: Casework) -> None:
    ref = new_case(app, "2024-03-01")
    step(app, ref, "accept", "2024-03-04")
    with pytest.raises(TransitionRefused, match=r"Art\. 33\(3\)"):
        step(app, ref, "terminate", "2024-03-10", grounds="withdrawal", override="coercion")
    step(app, ref, "terminate", "2024-03-11", grounds="withdrawal")
    c = clocks(app, ref, "2024-03-11")
    assert c["denunciation.resolve"]["status"] == "stopped"
    assert c["denunciation.notify_suspension"]["status"] == "running"


def test_anonymous_denunciation_becomes_intelligence_without_clocks(app: Casework) -> None:
    ref = new_case(app, "2024-03-01", denouncer=None, anonymous=True)
    view = show_case(app, ref, at("2024-03-01"))
    assert view["state"] == "intelligence"
    assert view["clocks"] == []
    assert view["denouncer"] is None
    with pytest.raises(TransitionRefused, match="link_to_check"):
        step(app, ref, "close", "2024-03-05")
    step(app, ref, "link_to_check", "2024-03-05", check="KH 15/KH-TTr ngày 04/03/2024")
    step(app, ref, "close", "2024-03-06")
    view = show_case(app, ref, at("2024-03-06"))
    assert (view["state"], view["attributes"]["linked_check"]) == (
        "closed",
        "KH 15/KH-TTr ngày 04/03/2024",
    )
    assert view["clocks"] == []


def test_forwarded_by_press_starts_reply_clock(app: Casework) -> None:
    ref = new_case(app, "2024-07-04", forwarded_by="Báo Nghệ An")
    assert clocks(app, ref, "2024-07-04")["denunciation.forwarder_reply"]["due"] == "2024-07-24"


def test_invalid_inputs_are_refused_with_what_is_allowed(app: Casework) -> None:
    ref = new_case(app, "2024-03-01")
    with pytest.raises(
        TransitionRefused, match=r"Triggers allowed now: accept, file_without_handling, forward"
    ):
        step(app, ref, "conclude", "2024-03-02", finding="true")
    step(app, ref, "accept", "2024-03-02")
    with pytest.raises(InvalidInput, match="allowed: true, partly_true, untrue"):
        step(app, ref, "conclude", "2024-03-03", finding="maybe")
    with pytest.raises(InvalidInput, match="before the case was received"):
        step(app, ref, "suspend", "2024-02-28", grounds="reassessment")
    with pytest.raises(InvalidInput, match="does not take colour"):
        step(app, ref, "suspend", "2024-03-05", grounds="reassessment", colour="red")


def test_event_dates_are_in_order_and_not_in_the_future(app: Casework) -> None:
    ref = new_case(app, "2024-03-01")
    step(app, ref, "accept", "2024-03-10")
    with pytest.raises(InvalidInput, match="before the case's last recorded step"):
        step(app, ref, "suspend", "2024-03-05", grounds="reassessment")
    with pytest.raises(InvalidInput, match="in the future"):
        advance_case(
            app,
            AdvanceCase(ref, "suspend", on=date(2024, 3, 20), data={"grounds": "reassessment"}),
            at("2024-03-12"),
        )


def test_refused_action_writes_nothing(app: Casework) -> None:
    ref = new_case(app, "2024-03-01")
    before = show_case(app, ref, at("2024-03-02"))
    with pytest.raises(InvalidInput):
        step(app, ref, "reject", "2024-03-02")
    after = show_case(app, ref, at("2024-03-02"))
    assert before == after


def test_stale_version_is_a_conflict(app: Casework) -> None:
    ref = new_case(app, "2024-03-01")
    seen = show_case(app, ref, at("2024-03-01"))["version"]
    step(app, ref, "triage", "2024-03-02")
    with pytest.raises(ConcurrentUpdate, match="nothing was written"):
        advance_case(
            app,
            AdvanceCase(ref, "accept", on=date(2024, 3, 3), actor=HANDLER, expected_version=seen),
            at("2024-03-03"),
        )
    assert state(app, ref, "2024-03-03") == "triage"
    # a step the move made impossible is still "someone changed it", not a refused trigger
    with pytest.raises(ConcurrentUpdate, match=f"at version {seen + 1}, not {seen}"):
        advance_case(
            app,
            AdvanceCase(ref, "triage", on=date(2024, 3, 3), actor=HANDLER, expected_version=seen),
            at("2024-03-03"),
        )


def test_received_date_in_the_future_is_refused(app: Casework) -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        log_case(
            app,
            LogCase(
                kind="denunciation",
                agency=RESOLVER,
                received_on=date(2024, 3, 5),
                summary="x",
                denounced_name="y",
            ),
            at("2024-03-04"),
        )


def test_an_extension_must_be_decided_before_the_period_expires(app: Casework) -> None:
    ref = new_case(app, "2024-07-01")
    step(app, ref, "accept", "2024-07-04")  # resolve due 2024-08-05
    with pytest.raises(TransitionRefused, match="expired on 2024-08-05"):
        step(app, ref, "extend", "2024-08-06", reasons="x", complexity="complex")
    step(app, ref, "extend", "2024-08-05", reasons="x", complexity="complex")
    assert clocks(app, ref, "2024-08-05")["denunciation.resolve"]["due"] == "2024-09-04"


def test_expert_assessment_time_is_not_counted(app: Casework) -> None:
    ref = new_case(app, "2024-07-01")
    step(app, ref, "accept", "2024-07-04")  # nominal 08-03
    step(app, ref, "request_assessment", "2024-07-10", reasons="giám định chữ ký")
    assert clocks(app, ref, "2024-07-11")["denunciation.resolve"]["status"] == "paused"
    with pytest.raises(TransitionRefused, match="finish the current pause first"):
        step(app, ref, "suspend", "2024-07-11", grounds="reassessment")
    step(app, ref, "receive_assessment", "2024-07-22")  # 12 days → nominal 08-15 (Thu)
    assert clocks(app, ref, "2024-07-22")["denunciation.resolve"]["due"] == "2024-08-15"
    with pytest.raises(TransitionRefused, match="not paused"):
        step(app, ref, "receive_assessment", "2024-07-23")


def test_anonymous_letter_forwarded_by_the_press_still_gets_its_reply_clock(app: Casework) -> None:
    ref = new_case(app, "2024-07-04", denouncer=None, anonymous=True, forwarded_by="Báo Nghệ An")
    c = clocks(app, ref, "2024-07-04")
    assert state(app, ref, "2024-07-04") == "intelligence"
    assert list(c) == ["denunciation.forwarder_reply"]
    assert c["denunciation.forwarder_reply"]["due"] == "2024-07-24"
    advance_case(app, AdvanceCase(ref, "reply_to_forwarder", date(2024, 7, 20)), at("2024-07-20"))
    assert clocks(app, ref, "2024-07-20")["denunciation.forwarder_reply"]["status"] == "stopped"
