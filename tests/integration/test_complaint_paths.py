"""The complaint lifecycle through the service layer, on a real database.

Due dates are counted by hand on the 2026 Vietnamese calendar: Tết 2026-02-16..20 off,
Hùng Kings 04-27 (observed), 04-30 and 05-01 off; Saturday 08-22 worked in exchange for
Monday 08-31; National Day 09-01 and 09-02 off. The complaint acceptance window is 10 working
days for complaints received until 2026-06-30 and 7 from 2026-07-01 (ND155 Art. 10).
"""

from __future__ import annotations

import email
import email.policy
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, text
from tests import scenarios
from tests.conftest import at
from tests.scenarios import clocks, state

from casework.adapters.case_store import case_ids_of
from casework.adapters.letters import LetterWriter
from casework.adapters.mailer import FolderMailer
from casework.adapters.outbox_store import OUTBOX
from casework.domain.confidentiality import TEXT_WITHHELD
from casework.domain.errors import InvalidInput, TransitionRefused
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.complaint_intake import ComplaintFacts
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.rule_explanations import Scenario, explain_case, what_if
from casework.services.sweep import sweep
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration

COMMUNE = "xa-nghi-loc"
PROVINCE = "ubnd-tinh"
HANDLER = "nl-xac-minh"
FAR = "xã đặc biệt khó khăn, cách trụ sở 60 km"


def complaint(
    app: Casework,
    received: str,
    known: str | None = None,
    agency: str = COMMUNE,
    **facts: Any,
) -> str:
    second_of = facts.get("second_instance_of")
    command = LogCase(
        kind="complaint",
        agency=agency,
        received_on=date.fromisoformat(received),
        summary="Khiếu nại quyết định thu hồi đất, mức bồi thường thấp",
        denouncer=None if second_of else Denouncer("Hồ Văn Lực", "xóm 3, xã Nghi Lộc"),
        denounced_officer=None if second_of else "nl-chu-tich",
        logged_by="ubnd-tiep-nhan" if agency == PROVINCE else "nl-tiep-nhan",
        complaint=ComplaintFacts(
            # a second complaint takes the date from its first case unless one is typed
            decision_known_on=None
            if second_of and not known
            else date.fromisoformat(known or received),
            **{"contested_decision": "QĐ 45/QĐ-UBND ngày 15/05/2026", **facts},
        ),
    )
    return log_case(app, command, at(received, 10)).ref


def step(app: Casework, ref: str, trigger: str, on: str, actor: str = HANDLER, **data: str) -> None:
    scenarios.step(app, ref, trigger, on, actor, **data)


def accepted(app: Casework, received: str, accept_on: str, **facts: Any) -> str:
    ref = complaint(app, received, **facts)
    step(app, ref, "accept", accept_on)
    return ref


@pytest.mark.parametrize(
    ("received", "version", "due"),
    [
        # Mon 06-29: 10 WD, 06-30 … 07-13
        ("2026-06-29", "2012.1", "2026-07-13"),
        # Tue 06-30, the last day of the old rule: 10 WD → Tue 07-14
        ("2026-06-30", "2012.1", "2026-07-14"),
        # Wed 07-01, the first day of ND155: 7 WD → Fri 07-10, earlier than the day before's
        ("2026-07-01", "2026.1", "2026-07-10"),
        # Thu 07-02: 7 WD, 07-03 … 07-13
        ("2026-07-02", "2026.1", "2026-07-13"),
    ],
)
def test_acceptance_window_follows_the_rule_in_force_on_receipt(
    app: Casework, received: str, version: str, due: str
) -> None:
    ref = complaint(app, received, known="2026-06-01")
    accept = clocks(app, ref, received)["complaint.accept"]
    assert (accept["rule_version"], accept["due"]) == (version, due)
    length = "10 working days" if version == "2012.1" else "7 working days"
    assert length in accept["explanation"][0]


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Thu 02-12 under the old rule: Fri 02-13 (1), Tết 02-16..20, 02-23 … 03-05 (10)
        ("2026-02-12", "2026-03-05"),
        # Thu 08-20: Fri 21 (1), Sat 22 worked (2), Mon 24 … Fri 28 (7)
        ("2026-08-20", "2026-08-28"),
        # Tue 08-25: 26, 27, 28 (3); 08-31, 09-01, 09-02 off; 09-03, 04, 07, 08 (7)
        ("2026-08-25", "2026-09-08"),
    ],
)
def test_acceptance_window_across_holidays(app: Casework, received: str, due: str) -> None:
    ref = complaint(app, received)
    assert clocks(app, ref, received)["complaint.accept"]["due"] == due


def test_first_instance_from_receipt_to_decision_in_force(app: Casework) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08", known="2026-05-20")
    c = clocks(app, ref, "2026-07-08")
    assert c["complaint.limitation"]["status"] == "stopped"  # 90 days from 05-20: 08-18
    assert c["complaint.limitation"]["due"] == "2026-08-18"
    assert c["complaint.accept"]["stopped_on"] == "2026-07-08"
    assert c["complaint.resolve_first"]["due"] == "2026-08-07"  # 30 days from 07-08
    assert "complaint.resolve_second" not in c
    with pytest.raises(TransitionRefused, match="at least 5 days before"):
        step(app, ref, "schedule_dialogue", "2026-07-20", dialogue_on="2026-07-24")
    step(app, ref, "schedule_dialogue", "2026-07-20", dialogue_on="2026-07-25", place="UBND xã")
    step(app, ref, "hold_dialogue", "2026-07-25", result="disagreement")
    step(app, ref, "decide", "2026-08-03", outcome="partly_right")
    c = clocks(app, ref, "2026-08-03")
    assert c["complaint.resolve_first"]["late"] is False
    assert c["complaint.send_first_decision"]["due"] == "2026-08-06"  # 3 WD: 04, 05, 06
    # 30 days from 08-03 is Wed 09-02, a holiday: Thu 09-03
    assert c["complaint.decision_effective"]["due"] == "2026-09-03"
    step(app, ref, "send_decision", "2026-08-05")
    # the parties' window: 30 days from 08-05, Fri 09-04; a window is not on the ladder
    window = clocks(app, ref, "2026-09-10")["complaint.second_instance_window"]
    assert (window["due"], window["status"]) == ("2026-09-04", "elapsed")
    with pytest.raises(TransitionRefused, match="from the day after"):
        step(app, ref, "enter_into_force", "2026-09-03")
    step(app, ref, "enter_into_force", "2026-09-04")
    step(app, ref, "record_enforcement", "2026-09-20", measures="chi trả bổ sung")
    step(app, ref, "close", "2026-09-25")
    assert state(app, ref, "2026-09-25") == "closed"


def test_limitation_and_an_objective_obstacle(app: Casework) -> None:
    ref = complaint(app, "2026-08-20", known="2026-05-20")  # 90 days: 08-18
    with pytest.raises(TransitionRefused, match="ended on 2026-08-18"):
        step(app, ref, "accept", "2026-08-21")
    with pytest.raises(InvalidInput, match=r"no day of the interval .* lies within"):
        step(
            app,
            ref,
            "record_obstacle",
            "2026-08-21",
            reasons="ốm",
            **{"from": "2026-05-01", "to": "2026-05-05"},
        )
    # in hospital 06-01 to 06-10, both days included: 10 days not counted, due 08-28
    step(
        app,
        ref,
        "record_obstacle",
        "2026-08-21",
        reasons="nằm viện, giấy ra viện trong hồ sơ",
        **{"from": "2026-06-01", "to": "2026-06-10"},
    )
    assert clocks(app, ref, "2026-08-21")["complaint.limitation"]["due"] == "2026-08-28"
    step(app, ref, "accept", "2026-08-21")
    assert state(app, ref, "2026-08-21") == "verification"


def test_refusal_names_its_ground(app: Casework) -> None:
    ref = complaint(app, "2026-07-02")
    with pytest.raises(InvalidInput, match="ground"):
        step(app, ref, "reject", "2026-07-03", reasons="không có quyền lợi trực tiếp")
    step(app, ref, "reject", "2026-07-03", ground="no_direct_interest", reasons="…")
    assert state(app, ref, "2026-07-03") == "not_accepted"
    assert clocks(app, ref, "2026-07-03")["complaint.accept"]["status"] == "stopped"


def test_a_remote_area_is_recorded_with_its_reason(app: Casework) -> None:
    with pytest.raises(InvalidInput, match="needs its reason"):
        complaint(app, "2026-07-02", remote_area=True)
    ref = complaint(app, "2026-07-02", remote_area=True, remote_area_reason=FAR)
    assert show_case(app, ref, at("2026-07-02"))["attributes"]["remote_area_reason"] == FAR


def test_remote_area_and_complexity_lengthen_the_resolution(app: Casework) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08", remote_area=True, remote_area_reason=FAR)
    resolve = clocks(app, ref, "2026-07-08")["complaint.resolve_first"]
    assert resolve["due"] == "2026-08-22"  # 45 days from 07-08: Sat 08-22, a working Saturday
    assert "remote" in " ".join(resolve["explanation"]).lower()
    step(app, ref, "declare_complex", "2026-08-10", reasons="nhiều hộ", complexity="complex")
    # +15 on 08-22: Sun 09-06, rolled to Mon 09-07
    assert clocks(app, ref, "2026-08-10")["complaint.resolve_first"]["due"] == "2026-09-07"
    with pytest.raises(TransitionRefused):
        step(app, ref, "declare_complex", "2026-08-20", reasons="again", complexity="complex")


def test_disciplinary_complaint_has_its_own_periods(app: Casework) -> None:
    ref = complaint(app, "2026-07-02", known="2026-06-20", disciplinary=True)
    c = clocks(app, ref, "2026-07-02")
    assert c["complaint.limitation"]["due"] == "2026-07-06"  # 15 days: Sun 07-05 → Mon 07-06
    # acceptance in 7 working days, as any complaint from 07-01 (ND155 Art. 10 names
    # disciplinary ones): 07-03, 06, 07, 08, 09, 10, 13
    assert c["complaint.accept"]["due"] == "2026-07-13"
    late = complaint(app, "2026-07-08", known="2026-06-20", disciplinary=True)
    with pytest.raises(TransitionRefused, match="limitation"):
        step(app, late, "accept", "2026-07-09")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # before 07-01: 10 working days, not 10 calendar days (which gave Mon 07-06):
        # 06-26, 29, 30, 07-01, 02, 03, 06, 07, 08, 09
        ("2026-06-25", "2026-07-09"),
        # over Hùng Kings (Mon 04-27 observed), 04-30 and 05-01: 04-28, 29, 05-04, 05, 06, 07,
        # 08, 11, 12, 13 (10 calendar days gave Mon 05-04)
        ("2026-04-24", "2026-05-13"),
        # from 07-01, over the 08-31 swap and National Day: 7 working days 08-28, 09-03, 04,
        # 07, 08, 09, 10 (10 calendar days gave Mon 09-07)
        ("2026-08-27", "2026-09-10"),
    ],
)
def test_a_disciplinary_complaint_is_accepted_in_working_days_as_any_other(
    app: Casework, received: str, due: str
) -> None:
    ref = complaint(app, received, disciplinary=True)
    accept = clocks(app, ref, received)["complaint.accept"]
    assert accept["due"] == due
    plain = complaint(app, received)
    assert clocks(app, plain, received)["complaint.accept"]["due"] == due


def test_suspension_of_resolution_only_from_1_july_2026(app: Casework) -> None:
    old = accepted(app, "2026-06-01", "2026-06-05")
    with pytest.raises(TransitionRefused, match="2026-07-01"):
        step(app, old, "suspend", "2026-06-20", grounds="awaiting_related_matter", reasons="x")
    ref = accepted(app, "2026-07-02", "2026-07-08")  # resolve due 08-07
    step(app, ref, "suspend", "2026-07-20", grounds="awaiting_related_matter", reasons="chờ tòa")
    assert clocks(app, ref, "2026-07-21")["complaint.resolve_first"]["status"] == "paused"
    # 3 WD from 07-20 for the suspension decision to reach the parties
    assert clocks(app, ref, "2026-07-21")["complaint.notify_suspension"]["due"] == "2026-07-23"
    with pytest.raises(TransitionRefused, match="send_suspension_notice"):
        step(app, ref, "resume", "2026-07-30", reasons="đã có bản án")
    step(app, ref, "send_suspension_notice", "2026-07-21")
    step(app, ref, "resume", "2026-07-30", reasons="đã có bản án")
    # paused 07-20 → 07-30: 10 days not counted, 08-07 + 10 = 08-17
    assert clocks(app, ref, "2026-07-30")["complaint.resolve_first"]["due"] == "2026-08-17"


def test_suspending_enforcement_is_a_measure_not_a_pause(app: Casework) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")
    step(app, ref, "suspend_enforcement", "2026-07-10", reasons="cưỡng chế gây hậu quả")
    view = show_case(app, ref, at("2026-07-10"))
    assert view["attributes"]["enforcement_suspended"] == "yes"
    assert view["state"] == "verification"
    resolve = next(c for c in view["clocks"] if c["code"] == "complaint.resolve_first")
    assert (resolve["status"], resolve["due"]) == ("running", "2026-08-07")


def test_no_show_at_the_dialogue_lets_the_case_continue_from_1_july_2026(app: Casework) -> None:
    old = accepted(app, "2026-05-04", "2026-05-08")
    step(app, old, "schedule_dialogue", "2026-05-20", dialogue_on="2026-05-22")  # no 5-day rule
    with pytest.raises(TransitionRefused, match="2026-07-01"):
        step(app, old, "hold_dialogue", "2026-05-22", result="no_show")
    step(app, old, "hold_dialogue", "2026-05-22", result="agreement")
    ref = accepted(app, "2026-07-02", "2026-07-08")
    step(app, ref, "schedule_dialogue", "2026-07-10", dialogue_on="2026-07-15")
    step(app, ref, "hold_dialogue", "2026-07-15", result="no_show")
    step(app, ref, "decide", "2026-07-20", outcome="wrong")


def test_withdrawal_ends_the_case_and_notifies(app: Casework) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")
    step(app, ref, "withdraw", "2026-07-15", reasons="đơn rút có chữ ký")
    c = clocks(app, ref, "2026-07-15")
    assert c["complaint.resolve_first"]["status"] == "stopped"
    assert c["complaint.notify_suspension"]["due"] == "2026-07-20"  # 3 WD: 16, 17, 20
    with pytest.raises(TransitionRefused, match="notify_suspension"):
        step(app, ref, "close", "2026-07-16")
    step(app, ref, "send_suspension_notice", "2026-07-16")
    step(app, ref, "close", "2026-07-17")


def _decided_and_sent(app: Casework, **facts: Any) -> str:
    ref = accepted(app, "2026-07-02", "2026-07-08", **facts)
    step(app, ref, "schedule_dialogue", "2026-07-20", dialogue_on="2026-07-27")
    step(app, ref, "hold_dialogue", "2026-07-27", result="disagreement")
    step(app, ref, "decide", "2026-08-03", outcome="wrong")
    step(app, ref, "send_decision", "2026-08-05")
    return ref


def test_second_instance_is_a_case_of_its_own_linked_to_the_first(app: Casework) -> None:
    first = _decided_and_sent(app)
    step(app, first, "appeal", "2026-08-20", route="second_complaint", to_agency=PROVINCE)
    second = complaint(
        app, "2026-08-20", known="2026-08-05", agency=PROVINCE, second_instance_of=first
    )
    view = show_case(
        app,
        second,
        at("2026-08-20"),
        viewer=principal_of_officer(app, "ubnd-chu-tich"),
        reveal_identity=True,
    )
    assert second.startswith("KN-2026-")
    assert view["attributes"]["first_instance_ref"] == first
    assert view["attributes"]["contested_decision"] == "QĐ 45/QĐ-UBND ngày 15/05/2026"
    assert view["denouncer"]["full_name"] == "Hồ Văn Lực"
    assert view["denounced"]["officer"] == "nl-chu-tich"
    c = {k["code"]: k for k in view["clocks"]}
    # 30 days from receipt of the first decision (LKN Art. 33(1)), not 90: 09-04
    assert c["complaint.limitation"]["due"] == "2026-09-04"
    # 7 WD from Thu 08-20: Fri 21, Sat 22 (worked), 24, 25, 26, 27, 28
    assert c["complaint.accept"]["due"] == "2026-08-28"
    step(app, second, "accept", "2026-08-24", actor="ubnd-xac-minh")
    c = clocks(app, second, "2026-08-24")
    assert "complaint.resolve_first" not in c
    assert c["complaint.resolve_second"]["due"] == "2026-10-08"  # 45 days from 08-24
    with pytest.raises(TransitionRefused, match="dialogue"):
        step(app, second, "decide", "2026-09-20", actor="ubnd-xac-minh", outcome="right")
    step(app, second, "schedule_dialogue", "2026-09-10", "ubnd-xac-minh", dialogue_on="2026-09-16")
    step(app, second, "hold_dialogue", "2026-09-16", "ubnd-xac-minh", result="disagreement")
    step(app, second, "decide", "2026-09-20", "ubnd-xac-minh", outcome="right")
    c = clocks(app, second, "2026-09-20")
    assert c["complaint.send_second_decision"]["due"] == "2026-09-28"  # 7 days: Sun → Mon
    assert "complaint.second_instance_window" not in c
    # the first case keeps its own history
    history = [h["trigger"] for h in show_case(app, first, at("2026-09-20"))["history"]]
    assert history == [
        "accept",
        "schedule_dialogue",
        "hold_dialogue",
        "decide",
        "send_decision",
        "appeal",
    ]
    with pytest.raises(InvalidInput, match="already a second-instance complaint"):
        complaint(app, "2026-10-01", agency=PROVINCE, second_instance_of=second)


def test_a_decision_naming_the_complainant_is_sealed_and_followed_as_typed(
    app: Casework,
) -> None:
    """A contested decision on the complainant's own household names him: stored withheld,
    the respondent is told it as typed in a sealed notice, and the second instance takes it
    over as typed (issue 24)."""
    named = "QĐ 45/QĐ-UBND thu hồi đất của hộ ông Hồ Văn Lực"
    first = _decided_and_sent(app, contested_decision=named)
    head = principal_of_officer(app, "ubnd-chu-tich")
    commune_head = principal_of_officer(app, "nl-chu-tich")
    shown = show_case(app, first, at("2026-08-06"), viewer=commune_head)
    assert shown["attributes"]["contested_decision"] == TEXT_WITHHELD
    with app.reading() as session:
        dialogue = session.execute(
            select(OUTBOX.c.context, OUTBOX.c.sealed_context).where(
                OUTBOX.c.case_id == case_ids_of(session.connection(), {first})[first],
                OUTBOX.c.recipient_party == "denounced",
            )
        ).all()
    assert dialogue
    assert all(row.sealed_context for row in dialogue)
    assert not any("Hồ Văn Lực" in str(row.context) for row in dialogue)
    step(app, first, "appeal", "2026-08-20", route="second_complaint", to_agency=PROVINCE)
    second = complaint(  # no decision typed: the first case's is taken over
        app,
        "2026-08-20",
        known="2026-08-05",
        agency=PROVINCE,
        second_instance_of=first,
        contested_decision="",
    )
    plain = show_case(app, second, at("2026-08-20"), viewer=head)
    assert plain["attributes"]["contested_decision"] == TEXT_WITHHELD
    typed = show_case(app, second, at("2026-08-20"), viewer=head, reveal_identity=True)
    assert typed["attributes"]["contested_decision"] == named


def test_the_second_instance_belongs_to_the_direct_superior(app: Casework) -> None:
    first = _decided_and_sent(app)  # resolved by xa-nghi-loc, whose superior is ubnd-tinh
    with pytest.raises(InvalidInput, match="--agency ubnd-tinh"):
        complaint(app, "2026-08-20", agency="thanh-tra-tinh", second_instance_of=first)
    with pytest.raises(InvalidInput, match="another body"):
        complaint(app, "2026-08-20", agency=COMMUNE, second_instance_of=first)


def test_no_second_instance_against_a_minister(app: Casework) -> None:
    first = _decided_and_sent(app, issuer_level="minister")
    with pytest.raises(TransitionRefused, match=r"Art\. 7"):
        step(app, first, "appeal", "2026-08-20", route="second_complaint")
    step(app, first, "appeal", "2026-08-20", route="lawsuit", to_agency="TAND tỉnh Nghệ An")
    with pytest.raises(InvalidInput, match="minister"):
        complaint(app, "2026-08-20", agency=PROVINCE, second_instance_of=first)


def test_intake_refuses_what_a_complaint_cannot_be(app: Casework) -> None:
    base = LogCase(
        kind="complaint",
        agency=COMMUNE,
        received_on=date(2026, 7, 2),
        summary="Khiếu nại",
        denounced_officer="nl-chu-tich",
        logged_by="nl-tiep-nhan",
        complaint=ComplaintFacts(decision_known_on=date(2026, 6, 1)),
    )
    with pytest.raises(InvalidInput, match="complainant's name"):
        log_case(app, base, at("2026-07-02"))
    named = Denouncer("Hồ Văn Lực")
    no_facts = LogCase(**{**base.__dict__, "denouncer": named, "complaint": None})
    with pytest.raises(InvalidInput, match="--decision-known-on"):
        log_case(app, no_facts, at("2026-07-02"))
    future = ComplaintFacts(decision_known_on=date(2026, 7, 3))
    with pytest.raises(InvalidInput, match="after the complaint arrived"):
        log_case(
            app,
            LogCase(**{**base.__dict__, "denouncer": named, "complaint": future}),
            at("2026-07-02"),
        )
    no_respondent = LogCase(**{**base.__dict__, "denouncer": named, "denounced_officer": None})
    with pytest.raises(InvalidInput, match="--respondent-name"):
        log_case(app, no_respondent, at("2026-07-02"))
    with app.database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM case_file")).scalar_one() == 0


def test_explain_says_which_rule_version_applied_and_why(app: Casework) -> None:
    before = complaint(app, "2026-06-30", known="2026-06-01")
    after = complaint(
        app, "2026-07-01", known="2026-06-01", remote_area=True, remote_area_reason=FAR
    )
    old = next(
        c
        for c in explain_case(app, before, at("2026-07-01"))["clocks"]
        if c["code"] == "complaint.accept"
    )
    assert old["rule_version"] == "2012.1"
    assert old["started_by"] == "log"
    assert "was in force on 2026-06-30" in old["why"][0]
    assert any("not v2026.1" in line and "takes effect later" in line for line in old["why"])
    assert old["computation"][-1].startswith("due 2026-07-14")
    new = explain_case(app, after, at("2026-07-08"))
    assert "remote_area" in new["facts"]
    accept = next(c for c in new["clocks"] if c["code"] == "complaint.accept")
    assert any("not v2012.1" in line and "ceased" in line for line in accept["why"])
    assert any("transitional rule" in line for line in accept["why"])
    step(app, after, "accept", "2026-07-08")
    resolve = next(
        c
        for c in explain_case(app, after, at("2026-07-08"))["clocks"]
        if c["code"] == "complaint.resolve_first"
    )
    assert resolve["rule_version"] == "2011.1@remote_area"
    assert any(
        "records remote_area" in line and "45 calendar days" in line for line in resolve["why"]
    )


def test_what_if_recomputes_without_writing(app: Casework) -> None:
    ref = complaint(app, "2026-06-30", known="2026-06-01")
    step(app, ref, "accept", "2026-07-13")  # day 9 of 10 WD; under the new rule, due 07-09
    with app.database.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
        clocks_before = connection.execute(text("SELECT * FROM clock ORDER BY id")).all()
    result = what_if(app, ref, at("2026-07-13"), Scenario(rules_as_of=date(2026, 7, 1)))
    accept = next(c for c in result["clocks"] if c["code"] == "complaint.accept")
    assert (accept["due"], accept["what_if_due"], accept["days_moved"]) == (
        "2026-07-14",
        "2026-07-09",
        -5,
    )
    assert (accept["late_now"], accept["late_then"]) == (False, True)
    remote = what_if(
        app,
        ref,
        at("2026-07-13"),
        Scenario(versions={"complaint.resolve_first": "2011.1@remote_area"}),
    )
    resolve = next(c for c in remote["clocks"] if c["code"] == "complaint.resolve_first")
    assert (resolve["due"], resolve["what_if_due"]) == ("2026-08-12", "2026-08-27")
    closed = what_if(app, ref, at("2026-07-13"), Scenario(calendar_file=str(_closure_file(app))))
    accept = next(c for c in closed["clocks"] if c["code"] == "complaint.accept")
    assert accept["what_if_due"] == "2026-07-15"  # the agency closed on Fri 07-10
    with app.database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_entry")).scalar_one() == before
        assert connection.execute(text("SELECT * FROM clock ORDER BY id")).all() == clocks_before
    with pytest.raises(InvalidInput, match="say what to change"):
        what_if(app, ref, at("2026-07-13"), Scenario())


def _closure_file(app: Casework) -> Any:
    path = app.settings.home / "closure.yaml"
    path.write_text(
        'name: "UBND xã Nghi Lộc"\nclosures:\n  - {date: 2026-07-10, reason: "bão"}\n',
        encoding="utf-8",
    )
    return path


def test_the_parties_are_told_each_decision_within_its_clock(app: Casework, tmp_path: Any) -> None:
    ref = _decided_and_sent(app)
    with app.reading() as session:
        rows = session.execute(select(OUTBOX).order_by(OUTBOX.c.id)).all()
    assert [(r.template, r.recipient_party) for r in rows] == [
        ("party.complaint_acceptance", "denouncer"),
        ("party.dialogue_invitation", "denouncer"),
        ("party.dialogue_invitation", "denounced"),
        ("party.complaint_decision", "denouncer"),
        ("party.complaint_decision", "denounced"),
    ]
    report = deliver_pending(
        app,
        at("2026-08-05", 17),
        FolderMailer(tmp_path / "mail"),
        letters=LetterWriter(tmp_path / "letters"),
    )
    assert (report.sent, report.printed) == (2, 3)
    # the complainant has no email: printed letters; the respondent, an officer, is emailed
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "letters" / ref).glob("*.txt")]
    for path in (tmp_path / "mail").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["To"].addresses[0].addr_spec == "chutich@nghiloc.nghean.example"
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        texts.append(body.get_content())
    assert len(texts) == 5
    acceptance = next(t for t in texts if "THỤ LÝ GIẢI QUYẾT KHIẾU NẠI" in t)
    assert "Kính gửi: Hồ Văn Lực" in acceptance
    assert "khiếu nại lần đầu" in acceptance
    assert "đến hết ngày 07/08/2026" in acceptance  # resolve_first
    invitations = [t for t in texts if "GIẤY MỜI ĐỐI THOẠI" in t]
    assert len(invitations) == 2
    assert all("ngày 27/07/2026" in t and "ít nhất 05 ngày" in t for t in invitations)
    decisions = [t for t in texts if "GỬI QUYẾT ĐỊNH GIẢI QUYẾT KHIẾU NẠI" in t]
    assert len(decisions) == 2
    # the window to appeal: 30 days from the sending on 08-05
    assert all("chậm nhất đến hết ngày 04/09/2026" in t and "là sai" in t for t in decisions)
    to_respondent = [t for t in texts if "Kính gửi: Âu Văn Yên" in t]
    assert len(to_respondent) == 2  # the invitation and the decision
    assert not [t for t in to_respondent if "Hồ Văn Lực" in t or "xóm 3" in t]


def test_a_refusal_tells_the_complainant_the_ground(app: Casework, tmp_path: Any) -> None:
    ref = complaint(app, "2026-07-02")
    step(app, ref, "reject", "2026-07-03", ground="unsigned", reasons="đơn không có chữ ký")
    deliver_pending(
        app,
        at("2026-07-03", 17),
        FolderMailer(tmp_path / "mail"),
        letters=LetterWriter(tmp_path / "letters"),
    )
    (letter,) = (tmp_path / "letters" / ref).glob("*.txt")
    text = letter.read_text(encoding="utf-8")
    assert "Lý do: đơn không có chữ ký" in text
    assert "không có chữ ký hoặc điểm chỉ của người khiếu nại (khoản 5 Điều 11)" in text
    assert "complaint.accept" not in text  # the clock is named in words, not by its code
    assert "- Thời hạn: Thụ lý giải quyết khiếu nại, theo " in text


def test_suspension_continuation_and_withdrawal_are_notified_in_order(
    app: Casework, tmp_path: Any
) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")
    step(app, ref, "suspend", "2026-07-20", grounds="awaiting_related_matter", reasons="chờ tòa")
    step(app, ref, "send_suspension_notice", "2026-07-21")
    step(app, ref, "resume", "2026-07-30", reasons="đã có bản án")
    step(app, ref, "send_suspension_notice", "2026-07-31")
    step(app, ref, "withdraw", "2026-08-03", reasons="đơn rút có chữ ký")
    step(app, ref, "send_suspension_notice", "2026-08-04")
    with app.reading() as session:
        rows = session.execute(select(OUTBOX).order_by(OUTBOX.c.id)).all()
    sent = [(r.template, r.recipient_party) for r in rows]
    assert sent[1:] == [
        ("party.complaint_suspension", "denouncer"),
        ("party.complaint_suspension", "denounced"),
        ("party.complaint_continuation", "denouncer"),
        ("party.complaint_continuation", "denounced"),
        ("party.complaint_termination", "denouncer"),
        ("party.complaint_termination", "denounced"),
    ]
    deliver_pending(
        app,
        at("2026-08-04", 17),
        FolderMailer(tmp_path / "mail"),
        letters=LetterWriter(tmp_path / "letters"),
    )
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "letters" / ref).glob("*.txt")]
    continuation = next(t for t in texts if "TIẾP TỤC GIẢI QUYẾT KHIẾU NẠI" in t)
    # paused 07-20 → 07-30: 10 days not counted, 08-07 + 10 = 08-17
    assert "đến hết ngày 17/08/2026" in continuation
    suspension = next(t for t in texts if "QUYẾT ĐỊNH TẠM ĐÌNH CHỈ" in t)
    assert "cần chờ kết quả giải quyết vấn đề khác có liên quan" in suspension
    termination = next(t for t in texts if "ĐÌNH CHỈ VIỆC GIẢI QUYẾT KHIẾU NẠI" in t and "rút" in t)
    assert "người khiếu nại rút khiếu nại (Điều 10 Luật Khiếu nại)" in termination


def test_a_second_complaint_continues_one_decided_first_case_once(app: Casework) -> None:
    running = accepted(app, "2026-07-02", "2026-07-08")  # resolve_first due 08-07
    with pytest.raises(InvalidInput, match=r"still being resolved.*runs until 2026-08-07"):
        complaint(app, "2026-07-20", agency=PROVINCE, second_instance_of=running)
    # the first instance ran out of time without a decision: the complainant may go up
    late = complaint(app, "2026-08-10", agency=PROVINCE, second_instance_of=running)
    assert state(app, running, "2026-08-10") == "verification"  # nothing to record there
    first = _decided_and_sent(app)
    second = complaint(app, "2026-08-20", agency=PROVINCE, second_instance_of=first)
    # the first case records the appeal itself, in the same transaction, and stops its clocks
    view = show_case(app, first, at("2026-08-20"))
    assert view["state"] == "appealed"
    assert view["history"][-1]["trigger"] == "appeal"
    effective = next(c for c in view["clocks"] if c["code"] == "complaint.decision_effective")
    assert effective["stopped_on"] == "2026-08-20"
    with pytest.raises(TransitionRefused):
        step(app, first, "enter_into_force", "2026-09-10")
    with pytest.raises(InvalidInput, match=f"already continued by the second complaint {second}"):
        complaint(app, "2026-08-21", agency=PROVINCE, second_instance_of=first)
    assert late != second


def test_no_second_complaint_after_a_lawsuit(app: Casework) -> None:
    first = _decided_and_sent(app)
    step(app, first, "appeal", "2026-08-20", route="lawsuit", to_agency="TAND tỉnh Nghệ An")
    with pytest.raises(InvalidInput, match="taken to court"):
        complaint(app, "2026-08-21", agency=PROVINCE, second_instance_of=first)


def test_a_decision_enters_into_force_only_once_sent(app: Casework) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")
    step(app, ref, "decide", "2026-07-09", outcome="right")
    with pytest.raises(TransitionRefused, match="send_decision first"):
        step(app, ref, "enter_into_force", "2026-08-11")
    step(app, ref, "send_decision", "2026-07-10")
    step(app, ref, "enter_into_force", "2026-08-11")  # 30 days from 07-09: 08-08 → Mon 08-10
    with pytest.raises(TransitionRefused, match="not allowed from state 'in_force'"):
        step(app, ref, "send_decision", "2026-08-12")
    step(app, ref, "close", "2026-08-12")


@pytest.mark.parametrize(
    ("obstacle_from", "obstacle_to", "due"),
    [
        # the decision was known on 05-20, day 0: 90 days end on 08-18
        # an obstacle from that very day to 05-29 leaves 05-21..05-29 uncounted: 9 days → 08-27
        ("2026-05-20", "2026-05-29", "2026-08-27"),
        # one that began before is clipped to the period, not refused: the same 9 days
        ("2026-05-10", "2026-05-29", "2026-08-27"),
        # one wholly inside the period: 05-21..05-29, the same 9 days
        ("2026-05-21", "2026-05-29", "2026-08-27"),
        # a single day inside: 05-21 → 08-19
        ("2026-05-18", "2026-05-21", "2026-08-19"),
    ],
)
def test_only_the_obstacles_days_inside_the_limitation_period_are_not_counted(
    app: Casework, obstacle_from: str, obstacle_to: str, due: str
) -> None:
    ref = complaint(app, "2026-08-28", known="2026-05-20")
    step(
        app,
        ref,
        "record_obstacle",
        "2026-08-28",
        reasons="bão lũ, xác nhận của UBND xã trong hồ sơ",
        **{"from": obstacle_from, "to": obstacle_to},
    )
    assert clocks(app, ref, "2026-08-28")["complaint.limitation"]["due"] == due
    # lodged on 08-28, a day or more after: late (LKN Art. 11(6)), never let through
    with pytest.raises(TransitionRefused, match="limitation"):
        step(app, ref, "accept", "2026-08-28")


def test_a_complaint_lodged_on_the_last_day_after_an_obstacle_is_in_time(app: Casework) -> None:
    ref = complaint(app, "2026-08-27", known="2026-05-20")
    step(
        app,
        ref,
        "record_obstacle",
        "2026-08-27",
        reasons="ốm",
        **{"from": "2026-05-20", "to": "2026-05-29"},
    )
    step(app, ref, "accept", "2026-08-27")
    assert state(app, ref, "2026-08-27") == "verification"
    with pytest.raises(InvalidInput, match="ends before it begins"):
        step(
            app,
            complaint(app, "2026-08-27", known="2026-05-20"),
            "record_obstacle",
            "2026-08-27",
            reasons="x",
            **{"from": "2026-06-10", "to": "2026-06-01"},
        )


def test_an_obstacle_is_counted_once(app: Casework) -> None:
    ref = complaint(app, "2026-06-15", known="2026-03-01")  # 90 days: 05-30 (Sat) → 06-01
    obstacle = {"from": "2026-04-01", "to": "2026-04-10", "reasons": "nằm viện"}
    step(app, ref, "record_obstacle", "2026-06-16", **obstacle)
    with pytest.raises(InvalidInput, match="overlaps one already recorded"):
        step(app, ref, "record_obstacle", "2026-06-16", **obstacle)
    with pytest.raises(InvalidInput, match="overlaps"):
        step(
            app,
            ref,
            "record_obstacle",
            "2026-06-16",
            **{**obstacle, "from": "2026-04-10", "to": "2026-04-12"},
        )
    # 10 days not counted: 05-30 + 10 = 06-09, still before the receipt on 06-15
    assert clocks(app, ref, "2026-06-16")["complaint.limitation"]["due"] == "2026-06-09"
    with pytest.raises(TransitionRefused, match="limitation"):
        step(app, ref, "accept", "2026-06-16")


def test_a_dialogue_is_held_on_its_day_not_before(app: Casework) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")
    step(app, ref, "schedule_dialogue", "2026-07-20", dialogue_on="2026-07-27")
    with pytest.raises(TransitionRefused, match="dialogue on 2026-07-27"):
        step(app, ref, "hold_dialogue", "2026-07-21", result="agreement")
    step(app, ref, "hold_dialogue", "2026-07-27", result="agreement")


def test_the_respondent_resolves_the_first_complaint_and_reads_the_file(app: Casework) -> None:
    # the commune chairman made the contested decision and resolves the first complaint
    # himself (LKN Arts. 7(1), 18): no conflict-of-interest bar as for a denunciation
    ref = complaint(app, "2026-07-02")
    step(app, ref, "accept", "2026-07-08", actor="nl-chu-tich")
    step(app, ref, "decide", "2026-07-20", actor="nl-chu-tich", outcome="right")
    seen = show_case(
        app,
        ref,
        at("2026-07-20"),
        viewer=principal_of_officer(app, "nl-chu-tich"),
        reveal_identity=True,
    )
    assert seen["denouncer"]["full_name"] == "Hồ Văn Lực"


def test_the_respondent_who_resolves_is_alerted_when_the_complaint_runs_late(
    app: Casework,
) -> None:
    # the commune chairman made the decision, resolves the complaint, and answers for its
    # deadline: unlike a denounced officer he is not kept in the dark
    ref = accepted(app, "2026-07-02", "2026-07-08")  # resolve_first due 08-07
    result = sweep(app, at("2026-08-10", 8))  # 1 working day overdue
    to_chair = [
        f.step
        for f in result.fired
        if f.case_ref == ref and "nl-chu-tich" in {r["officer"] for r in f.recipients}
    ]
    assert "overdue" in to_chair


def test_recomputing_every_clock_brings_one_counted_by_an_old_rule_text_onto_the_new(
    app: Casework,
) -> None:
    from casework.services.recompute import recompute_deadlines

    ref = complaint(app, "2026-06-25", disciplinary=True)
    with app.transaction() as connection:  # as the defective text counted it: 10 calendar days
        connection.execute(
            text("UPDATE clock SET due = :due WHERE code = 'complaint.accept'"),
            {"due": date(2026, 7, 6)},
        )
    assert recompute_deadlines(app, at("2026-06-26")) == []  # the calendar did not change
    [moved] = recompute_deadlines(app, at("2026-06-26"), every=True)
    assert (moved.case_ref, moved.old_due, moved.new_due) == (ref, "2026-07-06", "2026-07-09")
    assert clocks(app, ref, "2026-06-26")["complaint.accept"]["due"] == "2026-07-09"
    assert recompute_deadlines(app, at("2026-06-26"), every=True) == []


def test_a_first_instance_run_out_undecided_opens_the_second_instance_window(
    app: Casework,
) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")  # resolve_first: 30 days → Fri 08-07
    assert sweep(app, at("2026-08-07", 23)).expiry_starts == 0  # its last day is not over
    assert "complaint.second_instance_window" not in clocks(app, ref, "2026-08-07")
    assert sweep(app, at("2026-08-08", 1)).expiry_starts == 1
    window = clocks(app, ref, "2026-08-08")["complaint.second_instance_window"]
    # from the day the period ran out (LKN Art. 33(1)): 08-07 + 30 = Sun 09-06 → Mon 09-07
    assert (window["start_on"], window["due"]) == ("2026-08-07", "2026-09-07")
    assert sweep(app, at("2026-08-09", 1)).expiry_starts == 0  # once
    # the resolution is still overdue: the duty stays on the ladder
    assert clocks(app, ref, "2026-08-09")["complaint.resolve_first"]["status"] == "overdue"
    # a second complaint against it takes its limitation from the run-out period, untyped
    second = complaint(app, "2026-09-07", agency=PROVINCE, second_instance_of=ref)
    limitation = clocks(app, second, "2026-09-07")["complaint.limitation"]
    assert (limitation["start_on"], limitation["due"]) == ("2026-08-07", "2026-09-07")
    step(app, second, "accept", "2026-09-08", actor="ubnd-xac-minh")
    late = accepted(app, "2026-07-02", "2026-07-08")
    with pytest.raises(TransitionRefused, match="limitation"):
        step(
            app,
            complaint(app, "2026-09-08", agency=PROVINCE, second_instance_of=late),
            "accept",
            "2026-09-08",
            actor="ubnd-xac-minh",
        )


def test_before_any_sweep_the_run_out_period_itself_gives_the_date(app: Casework) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")
    second = complaint(app, "2026-08-10", agency=PROVINCE, second_instance_of=ref)
    assert clocks(app, second, "2026-08-10")["complaint.limitation"]["start_on"] == "2026-08-07"


def test_a_decision_not_recorded_as_sent_needs_the_date_typed(app: Casework) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")
    step(app, ref, "schedule_dialogue", "2026-07-20", dialogue_on="2026-07-27")
    step(app, ref, "hold_dialogue", "2026-07-27", result="disagreement")
    step(app, ref, "decide", "2026-08-03", outcome="wrong")
    with pytest.raises(InvalidInput, match=r"not recorded as sent.*--decision-known-on"):
        complaint(app, "2026-08-20", agency=PROVINCE, second_instance_of=ref)
    typed = complaint(app, "2026-08-20", "2026-08-06", agency=PROVINCE, second_instance_of=ref)
    assert clocks(app, typed, "2026-08-20")["complaint.limitation"]["start_on"] == "2026-08-06"


@pytest.mark.parametrize("ending", ["withdraw", "decide"])
def test_a_case_ending_after_its_period_ran_out_closes_the_second_instance_window(
    app: Casework, ending: str
) -> None:
    ref = accepted(app, "2026-07-02", "2026-07-08")  # resolve_first due 08-07
    assert sweep(app, at("2026-08-08", 1)).expiry_starts == 1
    if ending == "withdraw":
        step(app, ref, "withdraw", "2026-08-10", reasons="đơn rút có chữ ký")
        step(app, ref, "send_suspension_notice", "2026-08-11")
        window = clocks(app, ref, "2026-08-11")["complaint.second_instance_window"]
        assert (window["status"], window["stopped_on"]) == ("stopped", "2026-08-10")
        step(app, ref, "close", "2026-08-12")  # no window left open to keep it from closing
        assert state(app, ref, "2026-08-12") == "closed"
    else:  # decided late: the window from the run-out period ends; sending starts a new one
        step(app, ref, "schedule_dialogue", "2026-08-10", dialogue_on="2026-08-17")
        step(app, ref, "hold_dialogue", "2026-08-17", result="disagreement")
        step(app, ref, "decide", "2026-08-18", outcome="wrong")
        assert clocks(app, ref, "2026-08-18")["complaint.second_instance_window"]["status"] == (
            "stopped"
        )
        step(app, ref, "send_decision", "2026-08-19")
        window = clocks(app, ref, "2026-08-19")["complaint.second_instance_window"]
        assert (window["start_on"], window["status"]) == ("2026-08-19", "running")
