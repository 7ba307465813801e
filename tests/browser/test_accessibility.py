"""axe-core on every page (issue 26): no accessibility violation, the error pages and the
dashboard's tables included. axe-core comes packaged (axe-playwright-python carries its
axe.min.js), never downloaded at run time."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from tests.browser.conftest import Served, sign_in
from tests.browser.test_journeys import log_by_cli

pytestmark = pytest.mark.browser

AXE = Axe()


@pytest.mark.parametrize("width", [1280, 360], ids=["desk", "phone"])
def test_no_page_has_an_accessibility_violation(
    browser: Browser, served: Served, width: int
) -> None:
    ref = log_by_cli(served, "2024-02-01", "Vũ Thị Nga", "Lã Văn Tài")
    served.cli("deadlines", "sweep", "--now", "2024-02-27T08:00")
    context = browser.new_context(
        base_url=served.base, viewport={"width": width, "height": 800}, locale="vi-VN"
    )
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        page.goto("/login")
        pages = {"/login": AXE.run(page)}
        for login, urls in {
            "tt-tiep-nhan": ["/cases/new", f"/cases/{ref}/receipt"],
            "tt-chanh-thanh-tra": [
                "/dashboard",
                "/cases",
                f"/cases/{ref}",
                "/alerts",
                "/account/password",
                "/cases/TC-1999-999999",
            ],
        }.items():
            sign_in(page, login)
            for url in urls:
                page.goto(url)
                pages[url] = AXE.run(page)
            page.locator("header").get_by_role("button", name="Đăng xuất").click()
        for url, result in pages.items():
            violations = result.response["violations"]
            if violations:
                found[url] = [
                    f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
                    for v in violations
                ]
    finally:
        context.close()
    assert found == {}
