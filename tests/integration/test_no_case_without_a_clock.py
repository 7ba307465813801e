"""No case without its legal clock, unless an officer said why (issue 22): a denunciation that
leaves the denouncer's name out is refused, not silently turned into intelligence; a received
date no deadline rule covers (a mistyped year) is refused, naming the dates the rules cover,
unless the officer logs an old file as a historical import."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tests.conftest import at

from casework.domain.errors import InvalidInput
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.complaint_intake import ComplaintFacts
from casework.services.intake import Denouncer, LogCase, log_case

pytestmark = pytest.mark.integration

LETTER = LogCase(
    kind="denunciation",
    agency="thanh-tra-tinh",
    received_on=date(2024, 3, 1),
    summary="Cán bộ địa chính thu tiền trái quy định",
    denounced_name="Lê Văn Cường",
    logged_by="tt-tiep-nhan",
)
NAMED = Denouncer("Phạm Thị Hoa", "Vinh, Nghệ An")


def cases(app: Casework) -> int:
    with app.reading() as session:
        return int(session.connection().exec_driver_sql("SELECT count(*) FROM case_file").scalar())


def test_a_denunciation_without_its_denouncer_is_refused_unless_said_anonymous(
    app: Casework,
) -> None:
    for missing in (None, Denouncer("   ")):
        with pytest.raises(InvalidInput, match=r"needs the denouncer's name.*--anonymous"):
            log_case(app, replace(LETTER, denouncer=missing), at("2024-03-01"))
    assert cases(app) == 0
    ref = log_case(app, replace(LETTER, anonymous=True), at("2024-03-01")).ref
    view = show_case(app, ref, at("2024-03-01"))
    assert (view["state"], view["clocks"]) == ("intelligence", [])
    with pytest.raises(InvalidInput, match="either the denouncer's name or --anonymous"):
        log_case(app, replace(LETTER, denouncer=NAMED, anonymous=True), at("2024-03-01"))
    with pytest.raises(InvalidInput, match="logged as a letter"):
        log_case(
            app,
            replace(LETTER, kind="petition", anonymous=True, denounced_name=""),
            at("2024-03-01"),
        )
    assert cases(app) == 1


@pytest.mark.parametrize(
    ("kind", "received", "covered"),
    [
        ("denunciation", date(2014, 3, 1), "2019-01-01"),  # 2014 typed for 2024
        ("complaint", date(2011, 3, 1), "2012-07-01"),
    ],
)
def test_a_received_date_no_rule_covers_is_refused_naming_what_the_rules_cover(
    app: Casework, kind: str, received: date, covered: str
) -> None:
    command = replace(LETTER, kind=kind, received_on=received, denouncer=NAMED)
    if kind == "complaint":
        command = replace(command, complaint=ComplaintFacts(decision_known_on=received))
    with pytest.raises(InvalidInput, match=rf"received from {covered}.*--historical"):
        log_case(app, command, at("2024-03-01"))
    assert cases(app) == 0
    imported = replace(command, historical="hồ sơ giấy năm 2014 nhập vào hệ thống")
    ref = log_case(app, imported, at("2024-03-01")).ref
    view = show_case(app, ref, at("2024-03-01"))
    assert [c for c in view["clocks"] if c["status"] != "stopped"] == []
    assert view["attributes"]["historical_import"] == "hồ sơ giấy năm 2014 nhập vào hệ thống"


def test_a_covered_date_needs_no_reason(app: Casework) -> None:
    ref = log_case(app, replace(LETTER, denouncer=NAMED), at("2024-03-01")).ref
    assert [c["code"] for c in show_case(app, ref, at("2024-03-01"))["clocks"]] == [
        "denunciation.triage"
    ]


def test_the_case_page_and_the_dashboard_flag_an_open_case_no_clock_watches(
    app: Casework,
) -> None:
    from casework.services.dashboard import dashboard

    imported = log_case(
        app,
        replace(LETTER, received_on=date(2014, 3, 1), denouncer=NAMED, historical="hồ sơ cũ"),
        at("2024-03-01"),
    ).ref
    watched = log_case(app, replace(LETTER, denouncer=NAMED), at("2024-03-01")).ref
    anonymous = log_case(app, replace(LETTER, anonymous=True), at("2024-03-01")).ref
    flags = {
        ref: show_case(app, ref, at("2024-03-01"))["without_clock"]
        for ref in (imported, watched, anonymous)
    }
    # intelligence has no clock by the officer's word (LTC Art. 25): not a gap
    assert flags == {imported: True, watched: False, anonymous: False}
    board = dashboard(app, None, at("2024-03-01"))
    assert [(w["ref"], w["historical_import"]) for w in board["without_clock"]] == [
        (imported, "hồ sơ cũ")
    ]
    only_elsewhere = dashboard(app, frozenset({"so-tnmt"}), at("2024-03-01"))
    assert only_elsewhere["without_clock"] == []
