"""Issue 27 in Debian's Chromium, at a desk and on a phone: a handler finds a case by a name
typed without diacritics and by part of its summary, and narrows the overdue cases to one unit;
a head ticks three cases in the unassigned queue and assigns them at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.browser.conftest import Served, fits, missing_browser, named, shoot, sign_in, sign_out

if reason := missing_browser():
    pytest.skip(reason, allow_module_level=True)

pytestmark = pytest.mark.browser

# each screen's run logs its own cases, told apart by a word no other case has
MARKS = {"desk": ("Khổng Minh Triết", "khong minh triet"), "phone": ("Ông Văn Độ", "ong van do")}


def _log(served: Served, received: str, denounced: str, matter: str) -> str:
    logged = served.cli_json(
        "case", "new", "denunciation", "--agency", "thanh-tra-tinh", "--received", received,
        "--summary", f"Đơn tố cáo {denounced} {matter}",
        "--denouncer-name", "Phạm Thị Hoa", "--denounced-name", denounced,
        "--by", "tt-tiep-nhan",
    )  # fmt: skip
    return str(logged["ref"])


def _search(page: Page, typed: str) -> None:
    page.get_by_label("Tìm kiếm", exact=True).fill(typed)
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_text(f"Kết quả tìm «{typed}»")).to_be_visible()


def test_a_handler_finds_cases_and_a_head_assigns_three_at_once(
    screen: Page, served: Served
) -> None:
    page = screen
    name, folded = MARKS[page.screen_name]  # type: ignore[attr-defined]
    matter = f"mua sắm máy tính sai quy định ở phòng {folded.split()[-1]}"
    refs = [
        _log(served, "2024-01-05", name, matter),  # long overdue by now
        _log(served, "2024-01-08", f"{name} Hai", "cấp phép xây dựng"),
        _log(served, "2024-01-09", f"{name} Ba", "thu phí chợ"),
    ]

    sign_in(page, "tt-xac-minh-1")
    page.get_by_role("link", name="Đang giải quyết").click()
    _search(page, folded)  # typed without diacritics, as on a phone's keyboard
    for ref in refs:
        expect(page.get_by_role("link", name=ref, exact=True)).to_be_visible()
    fits(page)
    shoot(page, named(page, "found-by-name"))

    _search(page, f"máy tính sai quy định ở phòng {folded.split()[-1]}")
    expect(page.get_by_role("link", name=refs[0], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=refs[1], exact=True)).to_have_count(0)

    # the overdue cases of one unit, still within the search
    page.get_by_role("link", name="Quá hạn").click()
    page.get_by_text("Lọc thêm").click()
    page.get_by_label("Đơn vị", exact=True).select_option(label="Thanh tra tỉnh Nghệ An")
    page.get_by_label("Tìm kiếm", exact=True).fill(folded)
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_role("link", name="Quá hạn")).to_have_attribute("aria-current", "page")
    for ref in refs:
        row = page.get_by_role("row", name=ref)
        expect(row).to_contain_text(re.compile("quá hạn", re.IGNORECASE))
    fits(page)
    shoot(page, named(page, "overdue-of-a-unit"))
    sign_out(page)

    sign_in(page, "tt-chanh-thanh-tra")
    page.goto("/cases?tab=unassigned")
    _search(page, folded)
    for ref in refs:
        page.get_by_label(f"Chọn hồ sơ {ref}").check()
    page.get_by_label("Giao các hồ sơ đã chọn cho").select_option(
        label="Ngô Thị Lan (Thanh tra tỉnh Nghệ An)"
    )
    page.get_by_role("button", name="Phân công", exact=True).click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã giao Ngô Thị Lan xử lý 3 hồ sơ")
    for ref in refs:
        expect(page.get_by_role("link", name=ref, exact=True)).to_have_count(0)  # queue emptied
    fits(page)
    shoot(page, named(page, "assigned-three"))
    sign_out(page)
    for ref in refs:
        shown = served.cli_json("case", "show", ref, "--by", "tt-chanh-thanh-tra")
        assert shown["handler"] == "tt-xac-minh-1"
