"""The supervisor's dashboard, as a page and as /api/dashboard: counts by unit and by clock,
due soon in working days across Tết, on time vs late, the calendar of deadlines, alerts
acknowledged from the page (with the CSRF token), and who may see what.

The day is Mon 2024-02-05. Tết 2024 is 02-08..14 off, so 5 working days ahead reach Mon 02-19
(02-06, 07, 15, 16, 19). The cases, counted by hand (7 working days of triage from receipt):

- TC-…1 thanh-tra-tinh, received 2023-02-01, rejected 2023-02-20: late, but before the 12 months
- TC-…2 thanh-tra-tinh, received 01-02 (triage due 01-11; 01-01 off), rejected 01-15: late;
  then closed (not open)
- TC-…3 thanh-tra-tinh, received 01-03 (due 01-12), rejected 01-08: on time
- TC-…4 thanh-tra-tinh, received 01-10, due 01-19: overdue by 11 working days (17 days)
- TC-…5 so-tnmt, received 01-10, due 01-19: overdue; it denounces the deputy director
- KN-…6 xa-nghi-loc, a complaint decided and sent: accept, resolve and send clocks stopped on
  time; the decision's 30 days to take effect (due 02-16) and the complainant's window for a
  second complaint (due 02-19) run but are nobody's duty (ladder "none"): never counted
- TC-…7 thanh-tra-tinh, received 02-01, due 02-19: due soon (the 5th working day)
- TC-…8 thanh-tra-tinh, received 02-02, due 02-20: not yet (the 6th working day)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.api.test_api import DENOUNCER, PASSWORD, Clock
from tests.conftest import at
from tests.integration.test_delivery import Inbox, free_port, mailer_for
from tests.web.test_pages import csrf

from casework.adapters.letters import LetterWriter
from casework.domain.errors import InvalidInput, NotFound
from casework.entrypoints.web.app import create_app
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.assignment import assign_case
from casework.services.complaint_intake import ComplaintFacts
from casework.services.delivery import deliver_pending
from casework.services.escalations import list_escalations
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.outbox import record_handed
from casework.services.sweep import sweep
from casework.services.users import add_user
from casework.services.users import principal_of_officer as officer

pytestmark = pytest.mark.api

TODAY = "2024-02-05"
ID_NUMBER = "040190000001"
COMPLAINANT = "Hồ Văn Lực"
LOGINS = (
    "tt-xac-minh-1",  # handler, thanh-tra-tinh
    "tt-chanh-thanh-tra",  # head and supervisor, thanh-tra-tinh
    "ubnd-chu-tich",  # head of ubnd-tinh: every agency is below it
    "ubnd-quan-tri",  # administrator
    "tnmt-giam-doc",  # head of so-tnmt
    "tnmt-pho-giam-doc",  # deputy head of so-tnmt, denounced in TC-…5
)
HEAD_TT = "tt-chanh-thanh-tra"


def _ref(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


OLD_LATE, LATE, ON_TIME, OVERDUE, OTHER_AGENCY, COMPLAINT, DUE_SOON, NOT_YET = (
    _ref("TC", 2023, 1),
    _ref("TC", 2024, 1),  # each kind numbered from 1 in each year received
    _ref("TC", 2024, 2),
    _ref("TC", 2024, 3),
    _ref("TC", 2024, 4),
    _ref("KN", 2024, 1),
    _ref("TC", 2024, 5),
    _ref("TC", 2024, 6),
)


def _denunciation(
    app: Casework,
    received: str,
    agency: str = "thanh-tra-tinh",
    logged_by: str = "tt-tiep-nhan",
    denounced_officer: str | None = None,
) -> str:
    command = LogCase(
        kind="denunciation",
        agency=agency,
        received_on=date.fromisoformat(received),
        summary="Cán bộ địa chính thu tiền trái quy định",
        denouncer=Denouncer(DENOUNCER, "Vinh, Nghệ An", "0912 000 111", ID_NUMBER),
        denounced_name="Lê Văn Cường",
        denounced_officer=denounced_officer,
        logged_by=logged_by,
    )
    return log_case(app, command, at(received, 10)).ref


def _step(
    app: Casework, ref: str, trigger: str, on: str, actor: str = "tt-xac-minh-1", **data: str
) -> None:
    advance_case(
        app,
        AdvanceCase(ref=ref, trigger=trigger, on=date.fromisoformat(on), actor=actor, data=data),
        at(on, 16),
    )


def _complaint(app: Casework) -> str:
    ref = log_case(
        app,
        LogCase(
            kind="complaint",
            agency="xa-nghi-loc",
            received_on=date(2024, 1, 3),
            summary="Khiếu nại quyết định thu hồi đất",
            denouncer=Denouncer(COMPLAINANT, "xóm 3, xã Nghi Lộc"),
            denounced_officer="nl-chu-tich",
            logged_by="nl-tiep-nhan",
            complaint=ComplaintFacts(
                decision_known_on=date(2023, 12, 20), contested_decision="QĐ 45/QĐ-UBND"
            ),
        ),
        at("2024-01-03", 10),
    ).ref
    handler = "nl-xac-minh"
    _step(app, ref, "accept", "2024-01-05", handler)
    _step(
        app,
        ref,
        "schedule_dialogue",
        "2024-01-08",
        handler,
        dialogue_on="2024-01-15",
        place="UBND xã",
    )
    _step(app, ref, "hold_dialogue", "2024-01-15", handler, result="disagreement")
    _step(app, ref, "decide", "2024-01-17", handler, outcome="partly_right")
    _step(app, ref, "send_decision", "2024-01-18", handler)
    return ref


@pytest.fixture
def scenario(app: Casework) -> list[str]:
    """The cases of the module docstring, in the order of the events; then the sweep."""
    refs = [_denunciation(app, "2023-02-01")]
    _step(app, refs[0], "reject", "2023-02-20", reasons="không đủ điều kiện thụ lý")
    refs += [_denunciation(app, "2024-01-02"), _denunciation(app, "2024-01-03")]
    _step(app, refs[2], "reject", "2024-01-08", reasons="không đủ điều kiện thụ lý")
    refs.append(_denunciation(app, "2024-01-10"))
    refs.append(
        _denunciation(
            app,
            "2024-01-10",
            agency="so-tnmt",
            logged_by="tnmt-tiep-nhan",
            denounced_officer="tnmt-pho-giam-doc",
        )
    )
    _step(app, refs[1], "reject", "2024-01-15", reasons="không đủ điều kiện thụ lý")
    _step(app, refs[1], "close", "2024-01-16")
    refs.append(_complaint(app))
    refs += [_denunciation(app, "2024-02-01"), _denunciation(app, "2024-02-02")]
    assert refs == [OLD_LATE, LATE, ON_TIME, OVERDUE, OTHER_AGENCY, COMPLAINT, DUE_SOON, NOT_YET]
    sweep(app, at(TODAY, 8))
    return refs


@pytest.fixture
def web_app(app: Casework) -> FastAPI:
    for login in LOGINS:
        add_user(app, login, PASSWORD, at("2024-01-02"))
    clock = Clock()
    clock.now = at(TODAY, 9)
    return create_app(app, clock)


@pytest.fixture
def browser(web_app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """A signed-in browser (its own cookies) for each login."""
    clients: list[TestClient] = []

    def signed_in(login: str) -> TestClient:
        client = TestClient(web_app)
        clients.append(client)
        page = client.get("/login").text
        response = client.post(
            "/login", data={"username": login, "password": PASSWORD, "csrf_token": csrf(page)}
        )
        assert response.status_code == 200, response.text
        return client

    yield signed_in
    for client in clients:
        client.close()


def _board(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/dashboard{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _units(board: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {u["agency"]: (u["open"], u["overdue"], u["due_soon"]) for u in board["by_unit"]}


def _deadlines(board: dict[str, Any]) -> dict[str, int]:
    return {d["date"]: d["due"] for d in board["calendar"] if d["due"]}


def test_the_head_of_the_inspectorate_sees_its_counts_only(
    scenario: list[str], browser: Callable[[str], TestClient]
) -> None:
    board = _board(browser(HEAD_TT))
    assert board["agencies"] == ["thanh-tra-tinh"]
    assert (board["as_of"], board["horizon"]) == (TODAY, "2024-02-19")  # across Tết
    # open: TC-…1, …3 (not accepted, not yet closed), …4, …7, …8; TC-…2 is closed
    assert _units(board) == {"thanh-tra-tinh": (5, 1, 1)}
    # none of these cases has a handler yet: a rejection assigns nobody
    assert board["totals"] == {"open": 5, "overdue": 1, "due_soon": 1, "unassigned": 5}
    assert [(c["code"], c["overdue"], c["due_soon"]) for c in board["by_clock"]] == [
        ("denunciation.triage", 1, 1)
    ]
    assert board["by_clock"][0]["title_vi"] == "Xử lý ban đầu đơn tố cáo"
    assert [(o["ref"], o["due"], o["working_days_overdue"], o["days_overdue"])
            for o in board["overdue"]] == [(OVERDUE, "2024-01-19", 11, 17)]  # fmt: skip
    outcomes = board["on_time_vs_late"]
    assert (outcomes["since"], outcomes["on_time"], outcomes["late"]) == ("2023-03-01", 1, 1)
    assert [m["month"] for m in outcomes["months"]][::11] == ["2023-03", "2024-02"]
    assert {m["month"]: (m["on_time"], m["late"]) for m in outcomes["months"] if m["late"]} == {
        "2024-01": (1, 1)
    }
    assert _deadlines(board) == {"2024-02-19": 1, "2024-02-20": 1}
    days = board["calendar"]
    assert (days[0]["date"], days[-1]["date"], len(days)) == (TODAY, "2024-03-03", 28)
    off = [d["date"][5:] for d in days if not d["is_working_day"]]
    assert off == ["02-08", "02-09", "02-10", "02-11", "02-12", "02-13", "02-14", "02-17",
                   "02-18", "02-24", "02-25", "03-02", "03-03"]  # fmt: skip


def test_the_chairman_sees_every_unit_below_and_windows_are_nobodys_duty(
    scenario: list[str], browser: Callable[[str], TestClient]
) -> None:
    board = _board(browser("ubnd-chu-tich"))
    assert _units(board) == {
        "thanh-tra-tinh": (5, 1, 1),
        "so-tnmt": (1, 1, 0),
        "xa-nghi-loc": (1, 0, 0),  # the complaint: only windows of the parties still run
        "so-xay-dung": (0, 0, 0),
        "ubnd-tinh": (0, 0, 0),
        "xa-hung-nguyen": (0, 0, 0),
    }
    assert [u["agency"] for u in board["by_unit"]][:3] == [
        "thanh-tra-tinh",
        "so-tnmt",
        "xa-nghi-loc",
    ]
    assert {k: v for k, v in board["totals"].items() if k != "unassigned"} == {
        "open": 7, "overdue": 2, "due_soon": 1
    }  # fmt: skip
    # the complaint was taken up by the officer who triaged it; the rest have no handler
    assert board["totals"]["unassigned"] == 6
    assert [c["code"] for c in board["by_clock"]] == ["denunciation.triage"]
    assert [o["ref"] for o in board["overdue"]] == [OVERDUE, OTHER_AGENCY]  # same day: by number
    # the complaint's accept, resolve and send clocks stopped on time; its limitation period
    # (a window of the complainant's) is not a duty, on time or late
    outcomes = board["on_time_vs_late"]
    assert (outcomes["on_time"], outcomes["late"]) == (4, 1)
    # the decision takes effect on 02-16 and the second-complaint window ends on 02-19: neither
    # is on the calendar of deadlines
    assert _deadlines(board) == {"2024-02-19": 1, "2024-02-20": 1}
    # six working days reach 02-20
    wider = _board(browser("ubnd-chu-tich"), "?horizon_days=6")
    assert (wider["horizon"], wider["totals"]["due_soon"]) == ("2024-02-20", 2)
    admin = _board(browser("ubnd-quan-tri"))
    assert admin["agencies"] is None
    assert admin["totals"] == board["totals"]


def test_the_case_against_an_officer_is_left_out_of_their_dashboard(
    scenario: list[str], browser: Callable[[str], TestClient]
) -> None:
    assert _units(_board(browser("tnmt-giam-doc"))) == {"so-tnmt": (1, 1, 0)}
    denounced = _board(browser("tnmt-pho-giam-doc"))
    # not a count, nor "N withheld": either would tell him a case against him exists
    assert _units(denounced) == {"so-tnmt": (0, 0, 0)}
    assert denounced["overdue"] == []
    assert "overdue_withheld" not in denounced


def test_a_handler_may_not_read_the_dashboard(
    scenario: list[str], browser: Callable[[str], TestClient], web_app: FastAPI
) -> None:
    handler = browser("tt-xac-minh-1")
    refused = handler.get("/api/dashboard")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "needs: admin, head, supervisor" in refused.json()["detail"]
    assert handler.get("/dashboard").status_code == 403
    assert 'href="/dashboard"' not in handler.get("/cases").text
    assert 'href="/dashboard"' in browser(HEAD_TT).get("/cases").text
    anonymous = TestClient(web_app)
    assert anonymous.get("/api/dashboard").status_code == 401
    away = anonymous.get("/dashboard", follow_redirects=False)
    assert (away.status_code, away.headers["location"]) == (303, "/login?next=/dashboard")


def test_the_page_shows_the_tables_the_calendar_and_the_chart(
    scenario: list[str], browser: Callable[[str], TestClient]
) -> None:
    head = browser(HEAD_TT)
    page = head.get("/dashboard").text
    assert "Tổng hợp tình hình giải quyết đơn" in page
    assert "Thanh tra tỉnh Nghệ An" in page
    overdue = _section(page, "overdue")
    assert f'<a href="/cases/{OVERDUE}">{OVERDUE}</a>' in overdue
    assert "Xử lý ban đầu đơn tố cáo" in overdue
    for other in (OTHER_AGENCY, COMPLAINT, DUE_SOON, NOT_YET):
        assert other not in overdue
    assert "Sở Tài nguyên" not in _section(page, "by-unit")
    calendar = _section(page, "calendar")
    assert re.search(r'class="off" data-date="2024-02-12"[^>]*title="public holiday', calendar)
    assert re.search(r'class=" today" data-date="2024-02-05"', calendar)
    assert re.search(r'data-date="2024-02-19">\s*<span class="muted">19/2</span>\s*'
                     r'<span class="n">1</span>', calendar)  # fmt: skip
    chart = _section(page, "on-time-vs-late")
    assert chart.count("<rect") == 2  # January: one on time, one late
    english = head.get("/lang/en", headers={"referer": "http://testserver/dashboard"}).text
    assert "Supervisor dashboard" in english
    assert "On time vs late (last 12 months)" in english


def test_alerts_are_acknowledged_from_the_dashboard_with_the_csrf_token(
    app: Casework, scenario: list[str], browser: Callable[[str], TestClient]
) -> None:
    head = browser(HEAD_TT)
    page = head.get("/dashboard").text
    # TC-…4 and TC-…5: one alert each, at the step the sweep found them (5 working days
    # overdue: the superior's head), to everyone the steps passed over would have told too —
    # the head among them (nobody assigned to TC-…4; the same-level inspectorate for TC-…5)
    ids = re.findall(r'action="/dashboard/escalations/(\d+)/acknowledge"', page)
    expected = [
        a["id"] for a in list_escalations(app, officer(app, HEAD_TT), HEAD_TT, unacknowledged=True)
    ]
    assert [int(i) for i in ids] == expected
    assert len(ids) == 2
    first = ids[0]
    for data in ({}, {"csrf_token": "forged"}):
        forged = head.post(f"/dashboard/escalations/{first}/acknowledge", data=data)
        assert forged.status_code == 403
        assert "không được gửi từ trang này" in forged.text
    assert len(list_escalations(app, officer(app, HEAD_TT), HEAD_TT, unacknowledged=True)) == 2
    done = head.post(
        f"/dashboard/escalations/{first}/acknowledge",
        data={"csrf_token": csrf(page)},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/dashboard")
    after = head.get("/dashboard").text
    alert = next(
        a for a in list_escalations(app, officer(app, HEAD_TT), HEAD_TT) if a["id"] == int(first)
    )
    assert f"Đã xác nhận cảnh báo về hồ sơ {alert['case']}." in after
    assert [a["officer"] for a in alert["acknowledged"]] == [HEAD_TT]
    assert f"/dashboard/escalations/{first}/acknowledge" not in after
    assert len(re.findall(r"/dashboard/escalations/\d+/acknowledge", after)) == 1
    # an alert addressed to someone else is refused, in the page's words: the head of Sở
    # TNMT is not among the recipients of the inspectorate's case's alert
    every = list_escalations(app, officer(app, "ubnd-chu-tich"), None)
    theirs = next(a["id"] for a in every if "tnmt-giam-doc" not in a["recipients"])
    elsewhere = browser("tnmt-giam-doc")
    other = elsewhere.post(
        f"/dashboard/escalations/{theirs}/acknowledge",
        data={"csrf_token": csrf(elsewhere.get("/dashboard").text)},
    )
    assert "Không thực hiện được" in other.text
    # as if it did not exist, in Vietnamese
    assert f"Không có cảnh báo số {theirs} gửi đồng chí" in other.text
    assert "addressed to" not in other.text


def test_no_denouncer_identity_on_the_dashboard(
    scenario: list[str], browser: Callable[[str], TestClient]
) -> None:
    texts = []
    for login in ("ubnd-chu-tich", HEAD_TT, "ubnd-quan-tri"):
        client = browser(login)
        texts += [client.get("/dashboard").text, client.get("/api/dashboard").text]
    for text in texts:
        for secret in (DENOUNCER, ID_NUMBER, "0912 000 111", COMPLAINANT):
            assert secret not in text


def _section(page: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', page, re.DOTALL)
    assert found, f"no section {section_id}"
    return found.group(1)


class _RefusesLan(Inbox):
    """Refuses one handler's mailbox for good (550), accepts everything else."""

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("lan.nt@"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_the_dashboard_shows_whom_mail_does_not_reach(
    app: Casework, browser: Callable[[str], TestClient], tmp_path: Path
) -> None:
    """Issue 25: a refused officer address is listed (to the heads of his agency and above),
    with the server's reply; a notice to a party nobody can deliver needs reception's
    attention; the queue's backlog is shown. A head of another agency sees neither."""
    overdue = _denunciation(app, "2024-01-10")
    assign_case(app, overdue, "tt-xac-minh-1", None, "", at("2024-01-10"))
    rejected = log_case(  # a sender who gave neither an e-mail nor a postal address
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 1, 15),
            summary="Cán bộ địa chính thu tiền trái quy định",
            denouncer=Denouncer("Nguyễn Văn Bảy", id_number="040190000002"),
            denounced_name="Lê Văn Cường",
            logged_by="tt-tiep-nhan",
        ),
        at("2024-01-15", 10),
    ).ref
    _step(app, rejected, "reject", "2024-01-16", reasons="không đủ điều kiện thụ lý")
    sweep(app, at(TODAY, 8))
    controller = Controller(_RefusesLan(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        deliver_pending(
            app, at(TODAY, 8), mailer_for(controller.port), letters=LetterWriter(tmp_path)
        )
    finally:
        controller.stop()
    delivery = _board(browser(HEAD_TT))["delivery"]
    (lan,) = delivery["unreachable_officers"]
    assert (lan["name"], lan["status"]) == ("Ngô Thị Lan", "refused")
    assert "User unknown" in lan["reason"]
    assert [n["ref"] for n in delivery["needs_attention"]] == [rejected]
    assert delivery["queued"] >= 1  # the administrator's alert about Lan, not sent yet
    page = browser(HEAD_TT).get("/dashboard").text
    assert "Cán bộ không nhận được thư" in page
    assert "Ngô Thị Lan" in page
    assert "Thông báo cho đương sự cần xử lý" in page
    assert "Người gửi đơn" in page or "Người bị tố cáo" in page
    elsewhere = _board(browser("tnmt-giam-doc"))["delivery"]
    assert (elsewhere["unreachable_officers"], elsewhere["needs_attention"]) == ([], [])


def test_a_notice_nobody_could_send_is_recorded_as_delivered_by_hand(
    app: Casework, browser: Callable[[str], TestClient], tmp_path: Path
) -> None:
    """The way out of needs_attention: a head of the case's agency records how the notice
    was delivered, from the dashboard (or POST /api/outbox/{id}/handed); a head of another
    agency cannot, and an empty answer is refused."""
    ref = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 1, 15),
            summary="Cán bộ địa chính thu tiền trái quy định",
            denouncer=Denouncer("Nguyễn Văn Bảy", id_number="040190000002"),
            denounced_name="Lê Văn Cường",
            logged_by="tt-tiep-nhan",
        ),
        at("2024-01-15", 10),
    ).ref
    _step(app, ref, "reject", "2024-01-16", reasons="không đủ điều kiện thụ lý")
    deliver_pending(app, at(TODAY, 8), letters=LetterWriter(tmp_path))
    head = browser(HEAD_TT)
    (waiting,) = _board(head)["delivery"]["needs_attention"]
    with pytest.raises(NotFound):  # not his agency's case: as if there were none
        record_handed(app, waiting["id"], officer(app, "tnmt-giam-doc"), "trao tay", at(TODAY))
    with pytest.raises(InvalidInput, match="say how"):
        record_handed(app, waiting["id"], officer(app, HEAD_TT), "  ", at(TODAY))
    page = head.get("/dashboard").text
    assert "Ghi nhận đã chuyển" in page
    answer = head.post(
        f"/dashboard/notices/{waiting['id']}/handed",
        data={"csrf_token": csrf(page), "how": "trao tận tay tại trụ sở ngày 05/02/2024"},
    )
    assert answer.status_code == 200  # redirected back to the dashboard
    assert "đã được chuyển" in answer.text
    assert _board(head)["delivery"]["needs_attention"] == []
    with pytest.raises(InvalidInput, match="is handed"):
        record_handed(app, waiting["id"], officer(app, HEAD_TT), "lần nữa", at(TODAY))
