"""One `casework serve` and one headless Chromium for all the browser tests.

The server is the real command, started as a subprocess on a free port against a scratch
CASEWORK_HOME (`casework up --no-engine`, then a login for reception, a handler and the head of
the provincial inspectorate). The browser is Debian's Chromium (/usr/bin/chromium), driven by
Playwright through `executable_path`: no browser is ever downloaded (`playwright install` is
never run). `python3 scripts/dev.py test` installs Debian's package when it is missing; where it
cannot, every test here is skipped with the reason it printed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from tests.integration.test_delivery import free_port

CHROMIUM = Path("/usr/bin/chromium")
# the README's pictures are refreshed on request (CASEWORK_SCREENSHOTS=docs/screenshots);
# otherwise the screenshots go to a scratch folder, so a test run leaves the checkout clean
SCREENSHOTS = Path(
    os.environ.get("CASEWORK_SCREENSHOTS") or Path(tempfile.gettempdir()) / "casework-screenshots"
)
PASSWORD = "một câu mật khẩu dài"
LOGINS = ("tt-tiep-nhan", "tt-xac-minh-1", "tt-chanh-thanh-tra", "ubnd-chu-tich")
OFFICER_NAMES = {  # as examples/org.yaml names them: the header shows names, not codes
    "tt-tiep-nhan": "Phan Văn Hùng",
    "tt-xac-minh-1": "Ngô Thị Lan",
    "tt-chanh-thanh-tra": "Trần Quốc Dũng",
    "ubnd-chu-tich": "Nguyễn Văn An",
}
# as the machine's notes start it: no sandbox for root, and no calls home that a closed network
# would refuse (Playwright adds most of these itself; they are named here to be sure)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CASEWORK = [sys.executable, "-m", "casework"]


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if CHROMIUM.exists():
        return None
    why = os.environ.get("CASEWORK_NO_BROWSER")  # set by scripts/dev.py when it could not install
    return why or (
        f"{CHROMIUM} is missing: `python3 scripts/dev.py test` installs Debian's chromium as "
        "root (apt-get install -y --no-install-recommends chromium)"
    )


@dataclass(frozen=True)
class Served:
    """The running server: its address, and the CLI against the same home."""

    base: str
    home: Path
    env: dict[str, str]

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [*CASEWORK, *args], env=self.env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json"))

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`casework serve` on a free port over a scratch home, for all the browser tests."""
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("browser-home")
    env = {**os.environ, "CASEWORK_HOME": str(home)}
    env.pop("CASEWORK_DATABASE_URL", None)
    port = free_port()
    served = Served(base=f"http://127.0.0.1:{port}", home=home, env=env)
    served.cli("up", "--no-engine")
    for login in LOGINS:
        served.cli("user", "add", login, "--password", PASSWORD, "--by", "ubnd-quan-tri")
    log = home / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*CASEWORK, "serve", "--web-port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(150):  # polling the child server's start-up, not a deadline
            if server.poll() is not None:
                pytest.fail(f"casework serve stopped at start-up:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(served.url("/login"), timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            pytest.fail(f"casework serve did not answer:\n{log.read_text()}")
        yield served
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; never a browser of Playwright's own."""
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    """A fresh browser context for each test: its own cookies, nobody signed in."""
    context = browser.new_context(
        base_url=served.base, viewport={"width": 1280, "height": 800}, locale="vi-VN"
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Page, login: str, screenshot: str | None = None) -> None:
    """Sign in through the form, as an officer does."""
    page.goto("/login")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập (mã cán bộ)").fill(login)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    if screenshot:
        shoot(page, screenshot)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    # heads and supervisors start on the dashboard, the others on their cases
    expect(page).to_have_url(re.compile(r"/(cases|dashboard)$"))
    expect(page.locator("header .who")).to_contain_text(OFFICER_NAMES[login])


def sign_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def shoot(page: Page, name: str) -> Path:
    """A full-page PNG of what the browser shows, in SCREENSHOTS (overwritten)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


SCREENS = {"desk": (1280, 800), "phone": (360, 740)}


@pytest.fixture(params=list(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Browser, served: Served) -> Iterator[Page]:
    """A fresh browser context at a desk's or a phone's width, nobody signed in."""
    width, height = SCREENS[request.param]
    context = browser.new_context(
        base_url=served.base, viewport={"width": width, "height": height}, locale="vi-VN"
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.screen_name = request.param  # type: ignore[attr-defined]
    yield tab
    context.close()


def named(page: Page, name: str) -> str:
    return f"{name}-{page.screen_name}"  # type: ignore[attr-defined]


def fits(page: Page) -> None:
    """Nothing makes the page wider than the screen (tables scroll in their own box)."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
