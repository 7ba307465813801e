"""Issue 26: the web UI as each role works in it all day, at a desk and on a phone, all in
Vietnamese: reception logs every kind and classifies a letter, a handler's refused step is
retried with what he typed still there, a head goes from the dashboard's figure to the list and
assigns a case from the unassigned queue, and two recipients of one alert each acknowledge it.

Each journey runs twice, at 1280 px and at 360 px. Every date that matters is typed or given
(back-dated letters, the steps' dates, a sweep `--now` in the past), so the real clock changes
nothing checked here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.browser.conftest import (
    Served,
    fits,
    missing_browser,
    named,
    shoot,
    sign_in,
    sign_out,
)
from tests.browser.test_journeys import log_by_cli

if reason := missing_browser():
    pytest.skip(reason, allow_module_level=True)

pytestmark = pytest.mark.browser


def open_form(page: Page) -> None:
    page.locator("header").get_by_role("link", name="Tiếp nhận đơn").click()
    expect(page.get_by_role("heading", name="Tiếp nhận đơn")).to_be_visible()


def fill_common(page: Page, kind: str, received: str, summary: str, sender: str) -> None:
    page.get_by_label("Loại", exact=True).select_option(kind)
    page.get_by_label("Ngày nhận", exact=True).fill(received)
    page.get_by_label("Nội dung", exact=True).fill(summary)
    page.get_by_label("Họ tên người gửi đơn").fill(sender)
    page.get_by_label("Địa chỉ", exact=True).fill("Vinh, Nghệ An")


def saved_receipt(page: Page, prefix: str, received: str) -> str:
    """Save the form; the printed receipt follows, with the case's reference."""
    page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(rf"/cases/{prefix}-\d{{4}}-\d+/receipt$"))
    expect(page.get_by_role("heading", name="GIẤY BIÊN NHẬN")).to_be_visible()
    expect(page.locator("article")).to_contain_text(f"Ngày nhận: {received}")
    expect(page.get_by_role("button", name="In", exact=True)).to_be_visible()
    fits(page)
    return page.url.rsplit("/", 2)[-2]


def test_reception_logs_every_kind_and_classifies_a_letter(screen: Page, served: Served) -> None:
    page = screen
    sign_in(page, "tt-tiep-nhan")

    # a denunciation, then the same sender about the same person again: a repeat
    first = ""
    for attempt in (1, 2):
        open_form(page)
        expect(page.get_by_label("Loại", exact=True)).to_have_value("denunciation")
        # only the denunciation's parts: no complaint facts on this form
        contested = "Quyết định hành chính, hành vi hành chính bị khiếu nại"
        expect(page.get_by_label(contested, exact=False)).to_be_hidden()
        fill_common(
            page, "denunciation", "05/02/2024",
            f"Tố cáo cán bộ địa chính xã thu tiền trái quy định ({page.screen_name})",  # type: ignore[attr-defined]
            f"Mai Văn Tư {page.screen_name}",  # type: ignore[attr-defined]
        )  # fmt: skip
        page.get_by_label("Hình thức", exact=True).select_option("visit")
        page.get_by_label("Người, cơ quan bị tố cáo / bị khiếu nại").fill("Lý Văn Năm")
        if attempt == 1:
            shoot(page, named(page, "reception-denunciation"))
            first = saved_receipt(page, "TC", "05/02/2024")
            continue
        ref = saved_receipt(page, "TC", "05/02/2024")
        warning = page.locator(".flash", has_text="Người gửi đã có đơn cùng nội dung")
        expect(warning).to_contain_text(first)
        shoot(page, named(page, "receipt-repeat"))
        # the citizen's printed copy carries no warning about him
        page.emulate_media(media="print")
        expect(warning).to_be_hidden()
        expect(page.locator("article strong", has_text=ref)).to_be_visible()
        page.emulate_media(media="screen")

    # a complaint, with the facts of the decision complained of
    open_form(page)
    fill_common(page, "complaint", "06/02/2024", "Khiếu nại quyết định thu hồi đất", "Trần Thị Mai")
    expect(page.get_by_label("Số hồ sơ vụ việc tố cáo trước")).to_be_hidden()
    expect(page.get_by_label("Đơn tố cáo nặc danh", exact=False)).to_be_hidden()
    page.get_by_label("Quyết định hành chính, hành vi hành chính bị khiếu nại").fill(
        "Quyết định số 15/QĐ-UBND ngày 10/01/2024 của Chủ tịch UBND xã Hưng Lộc"
    )
    page.get_by_label("Ngày người khiếu nại nhận được hoặc biết được quyết định, hành vi").fill(
        "20/01/2024"
    )
    page.get_by_label("Người, cơ quan bị tố cáo / bị khiếu nại").fill("Chủ tịch UBND xã Hưng Lộc")
    shoot(page, named(page, "reception-complaint"))
    complaint = saved_receipt(page, "KN", "06/02/2024")
    expect(page.locator("article")).to_contain_text("Khiếu nại")

    # a petition forwarded by an authority: no denounced party to name
    open_form(page)
    fill_common(page, "petition", "07/02/2024", "Kiến nghị sửa đường liên xã", "Hà Văn Sơn")
    expect(page.get_by_label("Người, cơ quan bị tố cáo / bị khiếu nại")).to_be_hidden()
    page.get_by_label("Hình thức", exact=True).select_option("forwarded")
    page.get_by_label("Cơ quan, báo chí chuyển đơn đến (nếu có)").fill("Ban Dân nguyện")
    petition = saved_receipt(page, "KNPA", "07/02/2024")

    # a letter, classified from its page into a denunciation that keeps its receipt date
    open_form(page)
    fill_common(page, "letter", "08/02/2024", "Đơn nhiều nội dung về đất đai", "Lê Thị Thu")
    letter = saved_receipt(page, "DON", "08/02/2024")
    page.goto(f"/cases/{letter}")
    expect(page.get_by_role("heading", name="Phân loại đơn thành hồ sơ")).to_be_visible()
    fits(page)
    page.get_by_role("link", name="Tạo hồ sơ tố cáo từ đơn này").click()
    expect(page.get_by_label("Ngày nhận", exact=True)).to_have_count(0)  # the letter's is kept
    page.get_by_label("Nội dung", exact=True).fill("Tố cáo cán bộ địa chính thu tiền")
    page.get_by_label("Người, cơ quan bị tố cáo / bị khiếu nại").fill("Cán bộ địa chính xã")
    classified = saved_receipt(page, "TC", "08/02/2024")
    page.goto(f"/cases/{letter}")
    expect(page.locator("main")).to_contain_text("Đã phân loại")
    shoot(page, named(page, "letter-classified"))
    sign_out(page)

    shown = {
        ref: served.cli_json("case", "show", ref, "--by", "tt-tiep-nhan")["kind"]
        for ref in (first, complaint, petition, classified)
    }
    assert shown == {
        first: "denunciation",
        complaint: "complaint",
        petition: "petition",
        classified: "denunciation",
    }


def test_a_refused_step_is_retried_with_what_the_handler_typed(
    screen: Page, served: Served
) -> None:
    page = screen
    ref = log_by_cli(served, "2024-02-01", "Phùng Văn Khải", "Tôn Thất Lâm")
    served.cli("case", "assign", ref, "tt-xac-minh-1", "--by", "tt-chanh-thanh-tra")
    for trigger, on in (("triage", "2024-02-02"), ("accept", "2024-02-15")):
        served.cli("case", "advance", ref, trigger, "--on", on, "--by", "tt-xac-minh-1")

    sign_in(page, "tt-xac-minh-1")
    page.goto(f"/cases/{ref}")
    extend = page.locator("details", has=page.locator('input[name="trigger"][value="extend"]'))
    extend.locator("summary").click()
    form = extend.locator("form")
    reasons = "Phải xác minh tại ba xã và lấy ý kiến Sở Tài nguyên và Môi trường"
    form.get_by_label("Ngày", exact=True).fill("01/03/2024")
    form.get_by_label("Căn cứ xác định vụ việc phức tạp", exact=False).fill(reasons)
    form.get_by_role("button", name="Thực hiện").click()

    # refused beside its form, in Vietnamese, with what was typed still there
    refused = page.locator("details[open] form .flash[role=alert]")
    expect(refused).to_contain_text("Không thực hiện được")
    expect(refused).to_contain_text("chỉ được gia hạn với vụ việc phức tạp")
    again = page.locator("details[open] form")
    expect(again.get_by_label("Căn cứ xác định vụ việc phức tạp", exact=False)).to_have_value(
        reasons
    )
    expect(again.locator('input[name="on"]')).to_have_value("01/03/2024")
    fits(page)
    shoot(page, named(page, "step-refused"))

    again.get_by_label("Mức độ phức tạp của vụ việc", exact=False).select_option("complex")
    again.get_by_role("button", name="Thực hiện").click()
    expect(page.locator(".flash.ok")).to_contain_text("Gia hạn giải quyết tố cáo (Mẫu 01)")
    history = page.locator("table").last
    expect(history).to_contain_text("01/03/2024")
    sign_out(page)


def test_the_head_assigns_from_the_unassigned_queue(screen: Page, served: Served) -> None:
    page = screen
    ref = log_by_cli(served, "2024-02-01", "Khổng Văn Mạnh", "Doãn Văn Nghĩa")
    sign_in(page, "tt-chanh-thanh-tra")
    expect(page).to_have_url(re.compile(r"/dashboard$"))  # a head lands on his dashboard
    fits(page)
    page.locator(".card a", has_text="Chưa giao người xử lý").click()
    expect(page).to_have_url(re.compile(r"/cases\?tab=unassigned$"))
    queue = page.get_by_role("link", name="Chưa phân công (")
    expect(queue).to_have_attribute("aria-current", "page")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=ref, exact=True))
    expect(row).to_have_count(1)
    fits(page)
    row.get_by_role("link", name=ref, exact=True).click()

    chooser = page.get_by_label("Người xử lý", exact=True)
    expect(chooser).to_have_value("")  # nobody preselected, the head least of all
    chooser.select_option(label="Ngô Thị Lan")
    page.locator('form[action$="/assign"]').get_by_role("button", name="Giao người xử lý").click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(page.locator("main > p").first).to_contain_text("Ngô Thị Lan")
    shoot(page, named(page, "assigned"))

    page.goto("/cases?unassigned=1")
    expect(page.get_by_role("link", name=ref, exact=True)).to_have_count(0)
    sign_out(page)
    assert served.cli_json("case", "show", ref, "--by", "tt-chanh-thanh-tra")["handler"] == (
        "tt-xac-minh-1"
    )


def test_each_of_two_recipients_acknowledges_an_alert(screen: Page, served: Served) -> None:
    page = screen
    ref = log_by_cli(served, "2024-02-01", "Quách Thị Oanh", "Mạc Văn Phúc")
    served.cli("deadlines", "sweep", "--now", "2024-02-27T08:00")  # triage was due 19/02/2024
    row_of = f'tr:has(a[href="/cases/{ref}"])'

    sign_in(page, "tt-chanh-thanh-tra")
    page.locator("header").get_by_role("link", name="Cảnh báo của tôi").click()
    row = page.locator(row_of)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Xử lý ban đầu đơn tố cáo")  # the clock by its legal name
    expect(row).to_contain_text("Nguyễn Văn An")  # the other recipient, by name
    expect(row).to_contain_text("Trần Quốc Dũng")
    fits(page)
    shoot(page, named(page, "alerts"))
    button = row.get_by_role("button", name="Xác nhận đã nắm")
    box, screen_size = button.bounding_box(), page.viewport_size
    assert box is not None
    assert screen_size is not None
    assert box["x"] + box["width"] <= screen_size["width"], box  # on screen, no sideways scroll
    button.click()
    expect(page.locator(".flash.ok")).to_contain_text(ref)
    expect(page.locator(row_of)).to_have_count(0)  # no longer waiting for him
    sign_out(page)

    # the other recipient still has it to acknowledge, and sees who already did
    sign_in(page, "ubnd-chu-tich")
    page.goto("/alerts")
    row = page.locator(row_of)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(5)).to_contain_text("Trần Quốc Dũng")
    expect(row.get_by_role("button", name="Xác nhận đã nắm")).to_be_visible()
    row.get_by_role("button", name="Xác nhận đã nắm").click()
    expect(page.locator(row_of)).to_have_count(0)
    page.goto("/alerts?all=1")
    both = page.locator(row_of).locator("td").nth(5)
    expect(both).to_contain_text("Trần Quốc Dũng")
    expect(both).to_contain_text("Nguyễn Văn An")
    sign_out(page)
