"""The case page as a handler reads it (issue 26, found trying it as officers would): a
required choice starts empty, so nothing is recorded that the officer did not choose; the
timeline shows the values entered under each step, and its reasons at any width; an overdue
clock says how late it is; the dashboard's months read mm/yyyy; classifying a letter asks
nothing the letter already gave."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import PASSWORD, Clock
from tests.conftest import at
from tests.web.test_pages import csrf, log_letter, sign_in

from casework.entrypoints.web.labels import month
from casework.services.app import Casework
from casework.services.users import add_user


def advance(web: TestClient, ref: str, trigger: str, on: str, **fields: str) -> str:
    page = web.get(f"/cases/{ref}").text
    response = web.post(
        f"/cases/{ref}/advance",
        data={
            "csrf_token": csrf(page),
            "trigger": trigger,
            "on": on,
            "reason": "",
            **{f"field:{name}": value for name, value in fields.items()},
        },
    )
    assert response.status_code == 200, response.text
    return response.text


def test_a_required_choice_starts_empty_and_the_timeline_shows_what_was_chosen(
    web: TestClient,
    clock: Clock,
) -> None:
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    clock.now = at("2024-03-12", 10)
    sign_in(web, "tt-xac-minh-1")
    advance(web, ref, "triage", "02/02/2024")
    advance(web, ref, "accept", "15/02/2024")
    page = web.get(f"/cases/{ref}").text
    conclude = re.search(
        r'<select id="conclude-finding" name="field:finding"([^>]*)>(.*?)</select>', page, re.S
    )
    assert conclude, "the conclusion asks for its finding"
    attributes, options = conclude.groups()
    assert "required" in attributes
    assert options.startswith('<option value="">— Chọn —</option>')  # nothing chosen for him
    assert " selected" not in options

    concluded = advance(web, ref, "conclude", "12/03/2024", finding="partly_true")
    history = concluded[concluded.index("Diễn biến") :]
    assert "Tố cáo đúng một phần" in history  # the finding, in words, under its step
    assert "partly_true" not in history


def test_an_overdue_clock_says_how_late_it_is(
    web: TestClient,
    clock: Clock,
) -> None:
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    clock.now = at("2024-02-21", 10)  # triage was due 19/02/2024
    sign_in(web, "tt-tiep-nhan")  # the session ended overnight
    page = web.get(f"/cases/{ref}").text
    assert "Quá hạn 2 ngày làm việc" in page
    assert ">-2<" not in page


def test_months_read_as_month_and_year() -> None:
    assert month("2026-07") == "07/2026"


def test_classifying_a_letter_asks_neither_its_channel_nor_its_sender(
    web: TestClient,
) -> None:
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new?from_letter=DON-2024-000001&kind=complaint").text
    assert 'name="channel"' not in form
    assert 'name="full_name"' not in form
    assert "Hình thức tiếp nhận và người gửi giữ theo đơn." in form
    assert 'name="anonymous"' in form  # an unsigned letter may still be an anonymous denunciation


def test_a_refused_step_with_a_long_reason_keeps_it_and_says_why(
    web: TestClient,
    clock: Clock,
) -> None:
    """A reason of 1,500 Vietnamese letters is several kilobytes in a session cookie, which the
    browser drops: the refusal is said on the page it answers, not through the cookie."""
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    sign_in(web, "tt-xac-minh-1")
    page = web.get(f"/cases/{ref}").text
    reason = "Đã kiểm tra hồ sơ, cần xác minh thêm tại xã. " * 35  # about 1,600 letters
    refused = web.post(
        f"/cases/{ref}/advance",
        data={"csrf_token": csrf(page), "trigger": "triage", "on": "31/12/2026", "reason": reason},
    )
    assert refused.status_code == 422
    assert "Không thực hiện được" in refused.text
    assert reason.strip() in refused.text  # kept in the form, beside the reason it was refused
    assert len(refused.headers.get("set-cookie", "")) < 4096


def test_a_summary_too_long_is_refused_beside_the_kept_form(web: TestClient) -> None:
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new").text
    refused = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(form),
            "kind": "denunciation",
            "received_on": "01/02/2024",
            "summary": "Nội dung rất dài. " * 700,
            "full_name": "Phạm Thị Hoa",
            "denounced_name": "Lê Văn Cường",
        },
    )
    assert refused.status_code == 422
    assert "«Nội dung»" in refused.text
    assert 'value="Phạm Thị Hoa"' in refused.text  # the rest of the form is kept
    assert '<form method="post" action="/cases/new">' in refused.text


def test_a_letters_timeline_names_its_cases_only_to_who_may_see_both_senders(
    app: Casework, web: TestClient
) -> None:
    """A letter classified as a denunciation and as a complaint: the complaint's handler may
    see its complainant, so the letter's timeline naming the denunciation beside it would tell
    him who denounced. He reads that cases were made, not which; reception, who logged both,
    reads their numbers."""
    from casework.services.assignment import assign_case

    add_user(app, "tt-xac-minh-2", PASSWORD, at("2024-01-02"))
    sign_in(web, "tt-tiep-nhan")
    logged = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(web.get("/cases/new").text),
            "kind": "letter",
            "received_on": "25/01/2024",
            "channel": "visit",
            "summary": "Đơn vừa tố cáo vừa khiếu nại",
            "full_name": "Trần Thị Mai",
            "address": "Vinh, Nghệ An",
            "id_number": "040199000111",
        },
    )
    letter = re.search(r"<strong>(DON-2024-\d+)</strong>", logged.text)
    assert letter
    made = {}
    for kind, extra in (
        ("denunciation", {"denounced_name": "Cán bộ địa chính xã"}),
        (
            "complaint",
            {
                "denounced_name": "Chủ tịch UBND xã",
                "contested_decision": "Quyết định 15/QĐ-UBND",
                "decision_known_on": "20/01/2024",
            },
        ),
    ):
        form = web.get(f"/cases/new?from_letter={letter.group(1)}&kind={kind}").text
        case = web.post(
            "/cases/new",
            data={
                "csrf_token": csrf(form),
                "from_letter": letter.group(1),
                "kind": kind,
                "summary": "",
                **extra,
            },
        )
        found = re.search(r"<strong>([A-Z]+-2024-\d+)</strong>", case.text)
        assert found, case.text
        made[kind] = found.group(1)
    reception_view = web.get(f"/cases/{letter.group(1)}").text
    assert made["denunciation"] in reception_view
    assert made["complaint"] in reception_view

    assign_case(
        app, made["complaint"], "tt-xac-minh-2", "tt-chanh-thanh-tra", "", at("2024-02-01", 10)
    )
    sign_in(web, "tt-xac-minh-2")
    handler_view = web.get(f"/cases/{letter.group(1)}")
    assert handler_view.status_code == 200
    assert made["denunciation"] not in handler_view.text
    assert "Đã tạo hồ sơ tố cáo từ đơn này" in handler_view.text  # that one was made, not which
    assert "logged by" not in handler_view.text


def test_a_refusal_without_vietnamese_words_is_said_in_vietnamese_as_a_fault(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every refusal of what an officer typed has its Vietnamese; one that has not (a fault of
    the installation) must not put English on a Vietnamese page: it says so in Vietnamese and
    logs the English for the administrator."""
    from starlette.requests import Request

    from casework.domain.errors import InvalidInput
    from casework.entrypoints.web.pages import in_reader_language

    request = Request({"type": "http", "session": {}, "headers": [], "query_string": b""})
    with caplog.at_level("WARNING"):
        said = in_reader_language(request, InvalidInput("the vault key is missing"))
    assert said.startswith("Hệ thống chưa thực hiện được thao tác này")
    assert "the vault key is missing" in caplog.text


def test_an_officer_barred_from_a_cases_steps_reads_one_note_not_a_form_each(
    app: Casework, web: TestClient
) -> None:
    """The head of the superior may read an inspectorate's case but not act on it: one note
    says why, and the steps are named without forms."""
    add_user(app, "ubnd-chu-tich", PASSWORD, at("2024-01-02"))
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    sign_in(web, "ubnd-chu-tich")
    page = web.get(f"/cases/{ref}").text
    assert "Đồng chí không thực hiện được các bước của hồ sơ này" in page
    assert page.count("Đồng chí không thực hiện được các bước của hồ sơ này") == 1
    assert 'name="trigger"' not in page
    assert "Xử lý ban đầu đơn tố cáo" in page  # the step, by name


def test_the_reception_form_offers_the_kinds_in_the_order_reception_meets_them(
    web: TestClient,
) -> None:
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new").text
    kinds = re.search(r'<select id="kind" name="kind">(.*?)</select>', form, re.S)
    assert kinds
    offered = re.findall(r'<option value="([a-z_]+)"', kinds.group(1))
    assert offered == ["denunciation", "complaint", "petition", "letter"]
