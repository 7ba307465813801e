"""A denunciation made again to the superior (LTC Arts. 37–38) and the superior's takeover
(ND31 Art. 5): two linked cases, each with its own history and clocks.

Dates counted by hand on the 2024 calendar (National Day 2024-09-02 and 09-03 off).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from tests.conftest import EXAMPLE_ORG, at
from tests.scenarios import clocks, step

from casework.adapters.outbox_store import OUTBOX
from casework.adapters.tables import AuditRow
from casework.domain.errors import InvalidInput, NotFound, TransitionRefused
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.intake import Denouncer, LogCase, OtherDenounced, log_case
from casework.services.organisation import load_organisation_file
from casework.services.redenunciation_intake import Redenunciation
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration

LOWER, LOWER_HANDLER = "so-tnmt", "tnmt-xac-minh"
SUPERIOR, SUPERIOR_HANDLER = "ubnd-tinh", "ubnd-xac-minh"


def original(app: Casework, received: str = "2024-07-01", accept_on: str = "2024-07-04") -> str:
    ref = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency=LOWER,
            received_on=date.fromisoformat(received),
            summary="Cấp phép khai thác cát trái phép",
            denouncer=Denouncer("Nguyễn Văn Bình", "Cửa Lò, Nghệ An", email="binh@example.vn"),
            denounced_name="Công ty TNHH Cát Vàng",
            logged_by="tnmt-tiep-nhan",
        ),
        at(received),
    ).ref
    step(app, ref, "accept", accept_on, LOWER_HANDLER)  # resolve: 30 days
    return ref


def again(app: Casework, of: str, received: str, ground: str, agency: str = SUPERIOR) -> str:
    return log_case(
        app,
        LogCase(
            kind="denunciation",
            agency=agency,
            received_on=date.fromisoformat(received),
            summary="Tố cáo tiếp: Sở TNMT chưa giải quyết",
            # typed from the new letter: the earlier case's sender is never copied
            denouncer=Denouncer("Nguyễn Văn Bình", "Cửa Lò, Nghệ An", email="binh@example.vn"),
            logged_by="ubnd-tiep-nhan",
            redenunciation=Redenunciation(of, ground),
        ),
        at(received),
    ).ref


def view(app: Casework, ref: str, today: str, **kwargs: Any) -> dict[str, Any]:
    """The case as the provincial chairman reads it (every unit's cases), unless `viewer`."""
    kwargs.setdefault("viewer", principal_of_officer(app, "ubnd-chu-tich"))
    return show_case(app, ref, at(today), **kwargs)


def test_an_overdue_denunciation_taken_over_by_the_superior(app: Casework) -> None:
    lower = original(app)  # accepted Thu 07-04: due Sat 08-03 → Mon 08-05
    superior = again(app, lower, "2024-08-12", "late")
    seen = view(
        app,
        superior,
        "2024-08-12",
        viewer=principal_of_officer(app, "ubnd-tiep-nhan"),
        reveal_identity=True,
    )
    assert seen["state"] == "follow_up"
    assert seen["attributes"]["redenunciation_of"] == lower
    assert seen["denouncer"]["full_name"] == "Nguyễn Văn Bình"  # as typed from the letter
    assert seen["denounced"]["name"] == "Công ty TNHH Cát Vàng"
    c = clocks(app, superior, "2024-08-12")
    assert set(c) == {"denunciation.overdue_report_request"}  # no triage at the superior
    assert c["denunciation.overdue_report_request"]["due"] == "2024-08-19"  # 13, 14, 15, 16, 19
    step(app, superior, "request_report", "2024-08-14", SUPERIOR_HANDLER)
    # the lower body reports within 5 WD of the request: 15, 16, 19, 20, 21
    assert clocks(app, superior, "2024-08-14")["denunciation.lower_report"]["due"] == "2024-08-21"
    step(
        app,
        superior,
        "take_over",
        "2024-08-26",
        SUPERIOR_HANDLER,
        grounds="serious_violation",
        reasons="quá hạn 3 tuần, không báo cáo",
    )
    c = clocks(app, superior, "2024-08-26")
    assert c["denunciation.lower_report"]["status"] == "stopped"
    assert c["denunciation.resolve"]["due"] == "2024-09-25"  # 30 days from the new acceptance
    # 5 WD: 27, 28, 29, 30, (09-02, 09-03 off) 09-04
    assert c["denunciation.notify_acceptance"]["due"] == "2024-09-04"
    assert view(app, superior, "2024-08-26")["state"] == "inspection"
    # the original is handed over, its clocks stopped, its history kept
    handed = view(app, lower, "2024-08-26")
    assert handed["state"] == "handed_over"
    assert handed["attributes"]["taken_over_by"] == superior
    assert [h["trigger"] for h in handed["history"]] == ["accept", "hand_over"]
    lower_clocks = {c["code"]: c for c in handed["clocks"]}
    assert lower_clocks["denunciation.resolve"]["stopped_on"] == "2024-08-26"
    assert [h["trigger"] for h in view(app, superior, "2024-08-26")["history"]] == [
        "request_report",
        "take_over",
    ]
    # the new acceptance is notified like any other (ND31 Art. 5(3))
    step(app, superior, "send_acceptance_notices", "2024-08-27", SUPERIOR_HANDLER)
    with app.reading() as session:
        rows = session.execute(
            select(OUTBOX.c.template, OUTBOX.c.recipient_party, OUTBOX.c.case_id).order_by(
                OUTBOX.c.id
            )
        ).all()
    superior_id = int(superior.rsplit("-", 1)[1])
    assert [(r.template, r.recipient_party) for r in rows if r.case_id == superior_id] == [
        ("party.acceptance", "denouncer"),
        ("party.content_notice", "denounced"),
    ]
    # the original's file is closed; its duties passed to the superior with the takeover
    step(app, lower, "close", "2024-08-28", LOWER_HANDLER)
    assert view(app, lower, "2024-08-28")["state"] == "closed"


def test_a_re_denunciation_must_go_to_the_direct_superior_and_have_its_ground(
    app: Casework,
) -> None:
    lower = original(app)
    with pytest.raises(InvalidInput, match="--agency ubnd-tinh"):
        again(app, lower, "2024-08-12", "late", agency="thanh-tra-tinh")
    with pytest.raises(InvalidInput, match="runs until 2024-08-05"):
        again(app, lower, "2024-07-20", "late")
    with pytest.raises(InvalidInput, match="not yet resolved"):
        again(app, lower, "2024-07-20", "unlawful")
    with pytest.raises(InvalidInput, match="allowed: unlawful, late"):
        again(app, lower, "2024-08-12", "slow")


def test_a_resolution_said_to_be_unlawful_is_reviewed_within_20_days(app: Casework) -> None:
    lower = original(app)
    step(app, lower, "send_acceptance_notices", "2024-07-05", LOWER_HANDLER)
    step(app, lower, "conclude", "2024-07-30", LOWER_HANDLER, finding="untrue")
    superior = again(app, lower, "2024-08-15", "unlawful")
    assert view(app, superior, "2024-08-15")["state"] == "review"
    review = clocks(app, superior, "2024-08-15")["denunciation.redenunciation_review"]
    assert review["due"] == "2024-09-04"  # 20 days: Wed 09-04
    step(app, superior, "uphold", "2024-08-30", SUPERIOR_HANDLER, reasons="đã giải quyết đúng")
    assert view(app, superior, "2024-08-30")["state"] == "upheld"
    step(app, superior, "close", "2024-08-30", SUPERIOR_HANDLER)
    assert view(app, lower, "2024-08-30")["state"] == "concluded"


def test_a_takeover_of_a_concluded_case_records_the_link_and_moves_nothing(
    app: Casework,
) -> None:
    lower = original(app)
    step(app, lower, "send_acceptance_notices", "2024-07-05", LOWER_HANDLER)
    step(app, lower, "conclude", "2024-07-30", LOWER_HANDLER, finding="untrue")
    superior = again(app, lower, "2024-08-15", "unlawful")
    step(
        app,
        superior,
        "take_over",
        "2024-08-20",
        SUPERIOR_HANDLER,
        grounds="evidence_omitted",
        reasons="bỏ sót biên bản kiểm tra",
    )
    assert clocks(app, superior, "2024-08-20")["denunciation.resolve"]["due"] == "2024-09-19"
    assert view(app, lower, "2024-08-20")["state"] == "concluded"
    with app.reading() as session:
        link = session.exec(
            select(AuditRow).where(
                AuditRow.case_ref == lower, AuditRow.action == "case.link_recorded"
            )
        ).one()
    assert link[0].payload["by_case"] == superior


def test_a_case_is_taken_over_once(app: Casework) -> None:
    lower = original(app)
    first = again(app, lower, "2024-08-12", "late")
    second = again(app, lower, "2024-08-13", "late")
    step(
        app,
        first,
        "take_over",
        "2024-08-26",
        SUPERIOR_HANDLER,
        grounds="serious_violation",
        reasons="quá hạn",
    )
    with pytest.raises(TransitionRefused, match=f"{lower} is already handed_over \\(by {first}\\)"):
        step(
            app,
            second,
            "take_over",
            "2024-08-27",
            SUPERIOR_HANDLER,
            grounds="serious_violation",
            reasons="x",
        )
    assert view(app, second, "2024-08-27")["state"] == "follow_up"  # nothing was written


def test_an_original_suspended_meanwhile_is_handed_over_whole(app: Casework) -> None:
    lower = original(app)  # resolution due 08-05
    superior = again(app, lower, "2024-08-12", "late")
    step(app, lower, "suspend", "2024-08-13", LOWER_HANDLER, grounds="await_other_body")
    assert clocks(app, lower, "2024-08-13")["denunciation.notify_suspension"]["status"] == "running"
    step(
        app,
        superior,
        "take_over",
        "2024-08-26",
        SUPERIOR_HANDLER,
        grounds="serious_violation",
        reasons="quá hạn",
    )
    # its duties passed to the superior: no clock of the original is left running
    assert {c["status"] for c in clocks(app, lower, "2024-08-26").values()} == {"stopped"}
    step(app, lower, "close", "2024-08-27", LOWER_HANDLER)


def test_upholding_the_earlier_resolution_tells_the_denouncer_why(
    app: Casework, tmp_path: Any
) -> None:
    lower = original(app)
    step(app, lower, "send_acceptance_notices", "2024-07-05", LOWER_HANDLER)
    step(app, lower, "conclude", "2024-07-30", LOWER_HANDLER, finding="untrue")
    superior = again(app, lower, "2024-08-15", "unlawful")
    step(
        app, superior, "uphold", "2024-08-30", SUPERIOR_HANDLER, reasons="đã xác minh đủ, đúng luật"
    )
    with app.reading() as session:
        rows = session.execute(
            select(OUTBOX.c.template, OUTBOX.c.recipient_party).where(
                OUTBOX.c.case_id == int(superior.rsplit("-", 1)[1])
            )
        ).all()
    assert [(r.template, r.recipient_party) for r in rows] == [
        ("party.redenunciation_upheld", "denouncer")
    ]


def test_a_re_denunciation_excludes_whoever_the_original_excludes(app: Casework) -> None:
    lower = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency=LOWER,
            received_on=date(2024, 7, 1),
            summary="Cấp phép khai thác cát trái phép",
            denouncer=Denouncer("Nguyễn Văn Bình", "Cửa Lò"),
            denounced_name="Công ty TNHH Cát Vàng",
            # a second party: an officer of the superior, who must not see the case there either
            more_denounced=(OtherDenounced(officer="ubnd-xac-minh"),),
            logged_by="tnmt-tiep-nhan",
        ),
        at("2024-07-01"),
    ).ref
    step(app, lower, "accept", "2024-07-04", LOWER_HANDLER)
    superior = again(app, lower, "2024-08-12", "late")
    officer = principal_of_officer(app, "ubnd-xac-minh")
    with pytest.raises(NotFound):
        view(app, superior, "2024-08-12", viewer=officer)
    # and still after the organisation is loaded again (the exclusions are recomputed)
    load_organisation_file(app, EXAMPLE_ORG, "tests", at("2024-08-13"))
    with pytest.raises(NotFound):
        view(app, superior, "2024-08-13", viewer=officer)
    assert view(app, superior, "2024-08-13")["attributes"]["redenunciation_of"] == lower


def test_a_re_denunciation_names_its_sender_and_never_copies_the_earlier_one(
    app: Casework,
) -> None:
    lower = original(app)
    with pytest.raises(InvalidInput, match="names its sender"):
        log_case(
            app,
            LogCase(
                kind="denunciation",
                agency=SUPERIOR,
                received_on=date(2024, 8, 12),
                summary="Tố cáo tiếp",
                logged_by="ubnd-tiep-nhan",
                redenunciation=Redenunciation(lower, "late"),
            ),
            at("2024-08-12"),
        )
