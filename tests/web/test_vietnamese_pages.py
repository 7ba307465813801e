"""No English UI word and no internal code on a Vietnamese page (issue 26): each role's
pages, with cases in several states, alerts and notices in the outbox, are read as text and
searched for the engine's codes (`denunciation.triage`, `partly_true`), English words of the
UI (running, overdue, Art.) and ISO dates. What officers typed is Vietnamese in these cases,
so whatever is found came from the pages themselves."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import PASSWORD, Clock
from tests.conftest import at
from tests.web.test_pages import log_letter, sign_in

from casework.adapters.letters import LetterWriter
from casework.entrypoints.web.app import create_app
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.assignment import assign_case
from casework.services.delivery import deliver_pending
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.sweep import sweep
from casework.services.users import add_user

pytestmark = pytest.mark.api

ROLES = ("tt-tiep-nhan", "tt-xac-minh-1", "tt-chanh-thanh-tra", "ubnd-quan-tri")

ENGLISH = re.compile(
    r"\b(running|overdue|paused|stopped|elapsed|trigger|triggers|handler|none|true|false|"
    r"yes|no|denunciation|complaint|petition|received|triage|inspection|concluded|"
    r"Arts?\.|para\.|working days?|calendar|the|of|and|is|are|was|not|needs?|with|for|from|"
    r"this|that|be|set|give|must|only|already|record|case|step|allowed)\b|--[a-z]",
    re.IGNORECASE,
)
CODE = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")  # denunciation.triage, partly_true
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# what is not the page's own words: addresses, links, and the brand
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/cases/\S+|\bcasework\b")


def visible_text(page: str) -> str:
    """The text a reader sees: no tags, scripts or styles; entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return NOT_WORDS.sub(" ", html.unescape(page))


def findings(text: str) -> list[str]:
    found = [m.group(0) for m in ENGLISH.finditer(text)]
    found += [m.group(0) for m in CODE.finditer(text)]
    found += [m.group(0) for m in ISO_DATE.finditer(text)]
    return sorted(set(found))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(app: Casework, clock: Clock, tmp_path: object) -> Iterator[TestClient]:
    for login in ROLES:
        add_user(app, login, PASSWORD, at("2024-01-02"))
    with TestClient(create_app(app, clock)) as client:
        yield client


def _step(app: Casework, ref: str, trigger: str, on: str, **data: str) -> None:
    advance_case(
        app,
        AdvanceCase(ref, trigger, date.fromisoformat(on), "tt-xac-minh-1", "", data),
        at(on, 16),
    )


def test_no_vietnamese_page_shows_an_english_word_or_a_code(
    app: Casework, web: TestClient, clock: Clock, tmp_path: object
) -> None:
    clock.now = at("2024-02-01", 10)
    sign_in(web, "tt-tiep-nhan")
    refs = [log_letter(web) for _ in range(3)]
    web.post(
        "/logout",
        data={
            "csrf_token": re.search(
                r'name="csrf_token" value="([^"]+)"', web.get("/cases").text
            ).group(1)
        },
    )  # type: ignore[union-attr]
    for ref in refs:
        assign_case(app, ref, "tt-xac-minh-1", None, "", at("2024-02-01"))
    _step(app, refs[0], "triage", "2024-02-02", competent="yes")
    _step(app, refs[0], "accept", "2024-02-15")
    _step(app, refs[0], "send_acceptance_notices", "2024-02-16", content="Thu tiền trái quy định")
    _step(app, refs[0], "conclude", "2024-03-12", finding="partly_true")
    _step(app, refs[1], "triage", "2024-02-02", competent="yes")
    sweep(app, at("2024-02-27", 8))  # refs[1] and refs[2] are overdue: alerts
    from pathlib import Path

    deliver_pending(app, at("2024-02-27", 8), letters=LetterWriter(Path(str(tmp_path))))
    clock.now = at("2024-02-27", 10)
    pages = {
        "tt-tiep-nhan": ["/cases", "/cases/new", f"/cases/{refs[2]}", f"/cases/{refs[2]}/receipt"],
        "tt-xac-minh-1": ["/cases", "/alerts", "/alerts?all=1", *(f"/cases/{r}" for r in refs)],
        "tt-chanh-thanh-tra": [
            "/cases",
            "/dashboard",
            "/alerts",
            "/alerts?all=1",
            *(f"/cases/{r}" for r in refs),
        ],
        "ubnd-quan-tri": ["/dashboard"],
    }
    problems: dict[str, list[str]] = {}
    for login, urls in pages.items():
        with TestClient(web.app) as browser:
            sign_in(browser, login)
            for url in urls:
                response = browser.get(url)
                assert response.status_code == 200, (login, url, response.text[:300])
                found = findings(visible_text(response.text))
                if found:
                    problems[f"{login} {url}"] = found
    with TestClient(web.app) as reception:  # the audited identity view, as reception reads it
        sign_in(reception, "tt-tiep-nhan")
        page = reception.get(f"/cases/{refs[2]}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        shown = reception.post(f"/cases/{refs[2]}/identity", data={"csrf_token": token.group(1)})
        assert shown.status_code == 200
        found = findings(visible_text(shown.text))
        if found:
            problems["the identity page"] = found
    with TestClient(web.app) as browser:  # a step refused: its reason in Vietnamese
        sign_in(browser, "tt-xac-minh-1")
        page = browser.get(f"/cases/{refs[1]}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        refused = browser.post(
            f"/cases/{refs[1]}/advance",
            data={"csrf_token": token.group(1), "trigger": "extend", "on": "2024-02-27"},
        )
        assert "Không thực hiện được" in refused.text
        assert "Cần nhập:" in refused.text  # what is missing, as the form asks for it
        for url in ("/cases/TC-2024-999999", "/khong-co-trang-nay"):
            missing = browser.get(url)
            assert missing.status_code == 404
            found = findings(visible_text(missing.text))
            if found:
                problems[f"missing {url}"] = found
        found = findings(visible_text(refused.text))
        if found:
            problems["a refused step"] = found
    login_page = findings(visible_text(TestClient(web.app).get("/login").text))
    if login_page:
        problems["/login"] = login_page
    assert problems == {}


def test_the_search_finds_what_it_should() -> None:
    """The patterns themselves: each catches what it is for, and not Vietnamese words."""
    found = findings("Trạng thái: running · denunciation.triage · partly_true · 2024-02-19")
    assert {"2024-02-19", "denunciation.triage", "partly_true", "running"} <= set(found)
    assert findings("Đang tính · Quá hạn · 19/02/2024 · khoản 1 Điều 24 Luật Tố cáo năm 2018") == []
    assert findings(visible_text('<a href="/cases/x">lan.nt@thanhtra.nghean.example</a>')) == []


def test_deadlines_and_next_steps_at_a_glance(app: Casework, web: TestClient, clock: Clock) -> None:
    """An overdue case says so in a banner; its due dates are coloured by what is left; the
    steps open now come first and are named; a step that ends the case asks to be
    confirmed; a case without a handler offers no preselected officer."""
    clock.now = at("2024-02-01", 10)
    sign_in(web, "tt-tiep-nhan")
    overdue, fresh, rejected = log_letter(web), log_letter(web), log_letter(web)
    assign_case(app, overdue, "tt-xac-minh-1", None, "", at("2024-02-01"))
    _step(app, rejected, "reject", "2024-02-05", reasons="không đủ điều kiện thụ lý")
    clock.now = at("2024-02-27", 10)
    with TestClient(web.app) as head:
        sign_in(head, "tt-chanh-thanh-tra")
        page = head.get(f"/cases/{overdue}").text
        assert "Hồ sơ đã quá hạn" in page
        assert 'class="overdue">19/02/2024' in page
        assert "Bước có thể thực hiện ngay" in page
        assert "return confirm(" not in page  # no step of it ends the case
        closing = head.get(f"/cases/{rejected}").text
        assert "onsubmit=\"return confirm('Bước này kết thúc hồ sơ" in closing
        unassigned = head.get(f"/cases/{fresh}").text
        assert '<option value="">— Chọn cán bộ —</option>' in unassigned
    clock.now = at("2024-02-14", 10)  # three working days before the fresh case's due date
    with TestClient(web.app) as handler:
        sign_in(handler, "tt-chanh-thanh-tra")
        assert 'class="soon">' in handler.get(f"/cases/{fresh}").text


def test_every_officer_has_his_alerts_page_with_a_badge(
    app: Casework, web: TestClient, clock: Clock
) -> None:
    """A handler warned before his deadline sees the alert on "Cảnh báo của tôi", with a badge
    in the header, and acknowledges it there; the badge then goes."""
    clock.now = at("2024-02-01", 10)
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    assign_case(app, ref, "tt-xac-minh-1", None, "", at("2024-02-01"))
    sweep(app, at("2024-02-07", 8))  # 3 working days before the triage's due date
    clock.now = at("2024-02-07", 9)
    with TestClient(web.app) as handler:
        sign_in(handler, "tt-xac-minh-1")
        page = handler.get("/alerts").text
        assert '<span class="badge"' in page
        assert "Nhắc trước hạn" in page  # the ladder level, in words
        assert "Xử lý ban đầu đơn tố cáo" in page  # the clock, by its title
        form = re.search(r'action="(/alerts/\d+/acknowledge)"', page)
        assert form, page
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        done = handler.post(form.group(1), data={"csrf_token": token.group(1)})
        assert "Đã xác nhận cảnh báo" in done.text
        assert '<span class="badge"' not in done.text
        assert "Ngô Thị Lan" in handler.get("/alerts?all=1").text  # who acknowledged


def test_a_refused_step_says_why_beside_its_form_and_keeps_what_was_typed(
    app: Casework, web: TestClient, clock: Clock
) -> None:
    clock.now = at("2024-02-01", 10)
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    assign_case(app, ref, "tt-xac-minh-1", None, "", at("2024-02-01"))
    clock.now = at("2024-02-02", 10)
    with TestClient(web.app) as handler:
        sign_in(handler, "tt-xac-minh-1")
        page = handler.get(f"/cases/{ref}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        refused = handler.post(
            f"/cases/{ref}/advance",
            data={
                "csrf_token": token.group(1),
                "trigger": "file_without_handling",
                "on": "2024-02-02",
                "reason": "Đơn đã gửi đúng cơ quan có thẩm quyền",
            },
        )
        text = refused.text
        assert "Cần nhập:" in text  # the ground is missing: said in Vietnamese …
        form = text.split('value="file_without_handling"')[1].split("</form>")[0]
        assert 'role="alert"' in form  # … beside the form of the step refused
        assert ">Đơn đã gửi đúng cơ quan có thẩm quyền</textarea>" in form  # what he typed stays
        assert 'value="02/02/2024"' in form  # the date as he reads it, day first
        wrong_state = handler.post(
            f"/cases/{ref}/advance",
            data={"csrf_token": token.group(1), "trigger": "conclude", "on": "2024-02-02"},
        )
        assert "không thực hiện được khi hồ sơ ở trạng thái" in wrong_state.text
        assert findings(visible_text(wrong_state.text)) == []


def test_dashboard_figures_link_to_the_matching_cases(
    app: Casework, web: TestClient, clock: Clock
) -> None:
    clock.now = at("2024-02-01", 10)
    sign_in(web, "tt-tiep-nhan")
    late = log_letter(web)
    fresh = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 2, 26),
            summary="Cán bộ thu tiền trái quy định",
            denouncer=Denouncer("Nguyễn Văn Tám", id_number="040190000008"),
            denounced_name="Lê Văn Cường",
            logged_by="tt-tiep-nhan",
        ),
        at("2024-02-26", 10),
    ).ref
    clock.now = at("2024-02-27", 10)
    with TestClient(web.app) as head:
        sign_in(head, "tt-chanh-thanh-tra")
        board = head.get("/dashboard").text
        link = "/cases?tab=overdue&amp;agency=thanh-tra-tinh"
        assert link in board
        listed = head.get(html.unescape(link)).text
        assert late in listed
        assert fresh not in listed
        assert 'aria-current="page">Quá hạn' in listed
        assert "Đang lọc: Thanh tra tỉnh Nghệ An" in " ".join(visible_text(listed).split())
        elsewhere = head.get("/cases?agency=so-xay-dung&overdue=1").text  # within his scope
        assert late not in elsewhere


def test_heads_have_an_unassigned_queue(app: Casework, web: TestClient, clock: Clock) -> None:
    clock.now = at("2024-02-01", 10)
    sign_in(web, "tt-tiep-nhan")
    waiting, given = log_letter(web), log_letter(web)
    assign_case(app, given, "tt-xac-minh-1", None, "", at("2024-02-01"))
    with TestClient(web.app) as head:
        sign_in(head, "tt-chanh-thanh-tra")
        board = head.get("/dashboard").text
        assert 'href="/cases?tab=unassigned"' in board
        queue = head.get("/cases?tab=unassigned").text
        assert waiting in queue
        assert given not in queue
        assert "Chưa giao người xử lý" in queue  # flagged in the row


def test_the_view_sender_button_is_shown_only_to_who_may_press_it(
    app: Casework, web: TestClient, clock: Clock
) -> None:
    clock.now = at("2024-02-01", 10)
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    assign_case(app, ref, "tt-xac-minh-1", None, "", at("2024-02-01"))
    button = f'action="/cases/{ref}/identity"'
    assert button in web.get(f"/cases/{ref}").text  # reception logged it: he may
    with TestClient(web.app) as handler:
        sign_in(handler, "tt-xac-minh-1")
        assert button not in handler.get(f"/cases/{ref}").text  # a handler may not
    with TestClient(web.app) as head:
        sign_in(head, "tt-chanh-thanh-tra")
        assert button in head.get(f"/cases/{ref}").text  # the resolving head may
