"""The case list in the web UI (issue 27): tabs with their counts, "Của tôi" meaning assigned
to me, a search typed without diacritics, filters refused in Vietnamese with what was typed
kept, a head assigning the ticked cases at once, an officer acknowledging ticked alerts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import PASSWORD, Clock
from tests.conftest import at
from tests.web.test_pages import csrf, sign_in

from casework.entrypoints.web.app import create_app
from casework.services.app import Casework
from casework.services.assignment import assign_case
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.sweep import sweep
from casework.services.users import add_user

pytestmark = pytest.mark.api

HEAD = "tt-chanh-thanh-tra"


@pytest.fixture
def web(app: Casework, clock: Clock) -> Iterator[TestClient]:
    for login in ("tt-tiep-nhan", "tt-xac-minh-1", HEAD):
        add_user(app, login, PASSWORD, at("2024-01-02"))
    with TestClient(create_app(app, clock)) as client:
        yield client


def _log(app: Casework, summary: str, denounced: str) -> str:
    return log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=at("2024-02-01").date(),
            summary=summary,
            denounced_name=denounced,
            denouncer=Denouncer("Phạm Thị Hoa", "Vinh"),
            logged_by="tt-tiep-nhan",
        ),
        at("2024-02-01"),
    ).ref


@pytest.fixture
def cases(app: Casework) -> list[str]:
    refs = [
        _log(app, "Cán bộ địa chính thu tiền trái quy định", "Lê Văn Cường"),
        _log(app, "Xây nhà trái phép", "Nguyễn Thị Mai"),
        _log(app, "Thu phí chợ sai", "Trần Văn Nam"),
    ]
    assign_case(app, refs[0], "tt-xac-minh-1", HEAD, "", at("2024-02-01"))
    return refs


def _tabs(page: str) -> dict[str, str]:
    nav = page.split('<nav class="tabs', 1)[1].split("</nav>", 1)[0]
    return {name.strip(): count for name, count in re.findall(r">([^<>()]+?) \((\d+)\)</a>", nav)}


def test_tabs_count_what_each_holds_and_mine_is_what_is_assigned_to_me(
    web: TestClient, cases: list[str]
) -> None:
    sign_in(web, "tt-xac-minh-1")
    page = web.get("/cases").text  # a handler opens on his own cases
    assert _tabs(page) == {
        "Của tôi": "1",
        "Quá hạn": "0",
        "Sắp đến hạn": "0",  # triage is due 19/02/2024, after Tết
        "Đang giải quyết": "3",
    }
    assert 'aria-current="page">Của tôi' in page
    assert cases[0] in page
    assert cases[1] not in page
    every = web.get("/cases?tab=open").text
    assert all(ref in every for ref in cases)
    sign_in(web, HEAD)
    head = web.get("/cases").text  # a head opens on the agency's open cases
    assert _tabs(head)["Chưa phân công"] == "2"
    assert _tabs(head)["Của tôi"] == "0"
    queue = web.get("/cases?tab=unassigned").text
    assert cases[0] not in queue
    assert cases[1] in queue
    assert "Chưa có hồ sơ" not in queue


def test_a_name_typed_without_diacritics_and_part_of_a_summary_find_the_case(
    web: TestClient, cases: list[str]
) -> None:
    sign_in(web, HEAD)
    found = web.get("/cases", params={"tab": "open", "q": "le van cuong"}).text
    assert cases[0] in found
    assert cases[1] not in found
    assert "Kết quả tìm «le van cuong»" in found
    assert 'value="le van cuong"' in found  # the search box keeps it
    part = web.get("/cases", params={"tab": "open", "q": "xay nha"}).text
    assert cases[1] in part
    assert cases[0] not in part
    # the export offers the same cases
    assert "export.csv?q=xay+nha" in part


def test_filters_refused_say_why_in_vietnamese_and_keep_what_was_typed(
    web: TestClient, cases: list[str]
) -> None:
    sign_in(web, HEAD)
    response = web.get("/cases", params={"received_from": "31/02/2024", "q": "cuong"})
    assert response.status_code == 422
    assert "«31/02/2024» ở ô «Nhận từ ngày» không phải là ngày" in response.text
    assert 'value="31/02/2024"' in response.text
    assert 'value="cuong"' in response.text
    backwards = web.get(
        "/cases", params={"received_from": "01/03/2024", "received_to": "01/02/2024"}
    )
    assert backwards.status_code == 422
    assert "Ngày nhận «từ» (01/03/2024) sau ngày nhận «đến» (01/02/2024)" in backwards.text
    dated = web.get("/cases", params={"tab": "open", "received_from": "01/02/2024"}).text
    assert all(ref in dated for ref in cases)


def test_a_head_assigns_the_ticked_cases_at_once(
    web: TestClient, cases: list[str], app: Casework
) -> None:
    sign_in(web, HEAD)
    page = web.get("/cases?tab=unassigned").text
    assert 'action="/cases/bulk-assign"' in page
    response = web.post(
        "/cases/bulk-assign",
        data={
            "csrf_token": csrf(page),
            "refs": cases[1:],
            "officer": "tt-xac-minh-1",
            "back": "/cases?tab=unassigned",
        },
    )
    assert response.status_code == 200
    assert f"Đã giao Ngô Thị Lan xử lý 2 hồ sơ: {cases[1]}, {cases[2]}." in response.text
    assert _tabs(response.text)["Chưa phân công"] == "0"
    # a handler sees no such form, and may not post it
    sign_in(web, "tt-xac-minh-1")
    mine = web.get("/cases").text
    assert "bulk-assign" not in mine
    assert _tabs(mine)["Của tôi"] == "3"
    refused = web.post(
        "/cases/bulk-assign",
        data={"csrf_token": csrf(mine), "refs": cases[0], "officer": "tt-xac-minh-1"},
    )
    assert "Đồng chí không có quyền giao người xử lý hồ sơ" in refused.text
    assert cases[0] not in refused.text.split('class="flash')[1].split("</div>")[0]


def test_an_officer_acknowledges_the_ticked_alerts(
    web: TestClient, cases: list[str], app: Casework, clock: Clock
) -> None:
    sweep(app, at("2024-02-27", 8))
    clock.now = at("2024-02-27", 9)
    sign_in(web, HEAD)
    page = web.get("/alerts").text
    ids = re.findall(r'name="ids" value="(\d+)"', page)
    assert len(ids) >= 2
    done = web.post("/alerts/acknowledge", data={"csrf_token": csrf(page), "ids": ids})
    assert done.status_code == 200
    assert f"Đã xác nhận {len(ids)} cảnh báo" in done.text
    assert 'name="ids"' not in done.text


def test_what_cannot_be_searched_or_filtered_is_said_not_silently_ignored(
    web: TestClient, cases: list[str]
) -> None:
    sign_in(web, HEAD)
    nothing = web.get("/cases", params={"q": "中文 !!"})
    assert nothing.status_code == 422
    assert "không có chữ cái hay chữ số nào để tìm" in nothing.text
    assert cases[0] not in nothing.text  # not every case as its "results"
    unknown = web.get("/cases", params={"handler": "nobody\x00"})
    assert unknown.status_code == 422
    assert "Không có cán bộ mã" in unknown.text


def test_a_bulk_message_stays_short_however_many_are_refused(
    web: TestClient, cases: list[str]
) -> None:
    sign_in(web, HEAD)
    page = web.get("/cases?tab=unassigned").text
    refs = [f"TC-2024-{n:06d}" for n in range(100, 160)]  # sixty cases that do not exist
    response = web.post(
        "/cases/bulk-assign",
        data={
            "csrf_token": csrf(page),
            "refs": [*refs, cases[1], "tc-2024-2"],
            "officer": "tt-xac-minh-1",
        },
    )
    flash = response.text.split('class="flash', 1)[1].split("</div>", 1)[0]
    assert f"Đã giao Ngô Thị Lan xử lý 1 hồ sơ: {cases[1]}." in flash  # tc-2024-2 is the same
    assert flash.count("Không thực hiện được") == 3
    assert "Còn 57 mục khác cũng không thực hiện được" in flash
    assert len(response.request.headers.get("cookie", "")) < 4096
    once = web.post(
        "/cases/bulk-assign",
        data={"csrf_token": csrf(page), "refs": refs[:5], "officer": "nobody"},
    )
    assert once.text.count("Không có cán bộ mã «nobody»") == 1  # the officer, refused once


def test_a_handler_writes_a_note_the_head_reads_it_on_the_case_page(
    web: TestClient, cases: list[str]
) -> None:
    sign_in(web, "tt-xac-minh-1")
    page = web.get(f"/cases/{cases[0]}").text
    assert "Ghi chú nội bộ" in page
    done = web.post(
        f"/cases/{cases[0]}/notes",
        data={"csrf_token": csrf(page), "text": "Đã mời người bị tố cáo làm việc ngày 15/02"},
    )
    assert done.status_code == 200
    assert "Đã lưu ghi chú." in done.text
    sign_in(web, HEAD)
    seen = web.get(f"/cases/{cases[0]}").text
    assert "Đã mời người bị tố cáo làm việc ngày 15/02" in seen
    timeline = seen.split("<tbody>")[-1].split("</tbody>")[0]  # the note among the steps
    assert "Ghi chú nội bộ của Ngô Thị Lan" in timeline
    assert "Đã mời người bị tố cáo làm việc ngày 15/02" in timeline
    sign_in(web, "tt-tiep-nhan")  # reception reads the note, has no form to write one
    desk = web.get(f"/cases/{cases[0]}").text
    assert "Đã mời người bị tố cáo" in desk
    assert 'action="/cases/' + cases[0] + '/notes"' not in desk


def test_the_timeline_shows_the_receipt_and_the_assignment_beside_the_steps(
    web: TestClient, cases: list[str]
) -> None:
    sign_in(web, "tt-xac-minh-1")
    page = web.get(f"/cases/{cases[0]}").text
    timeline = page.split("<tbody>")[-1].split("</tbody>")[0]
    received = timeline.index("Tiếp nhận, vào sổ đơn")
    assigned = timeline.index("Giao Ngô Thị Lan xử lý")
    assert received < assigned
    assert "01/02/2024" in timeline
    assert "Trần Quốc Dũng" in timeline  # who assigned it
    shown = web.get(f"/cases/{cases[0]}")
    assert shown.status_code == 200
