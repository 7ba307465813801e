"""The case page as a handler reads it (issue 26, found trying it as officers would): a
required choice starts empty, so nothing is recorded that the officer did not choose; the
timeline shows the values entered under each step, and its reasons at any width; an overdue
clock says how late it is; the dashboard's months read mm/yyyy; classifying a letter asks
nothing the letter already gave."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import PASSWORD, Clock
from tests.conftest import at
from tests.web.test_pages import csrf, log_letter, sign_in

from casework.entrypoints.web.app import create_app
from casework.entrypoints.web.labels import month
from casework.services.app import Casework
from casework.services.users import add_user


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(app: Casework, clock: Clock) -> Iterator[TestClient]:
    for login in ("tt-tiep-nhan", "tt-xac-minh-1"):
        add_user(app, login, PASSWORD, at("2024-01-02"))
    with TestClient(create_app(app, clock)) as client:
        yield client


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
