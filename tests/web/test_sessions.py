"""Web sessions are kept server-side: a cookie copied before its session ended — by signing out,
idleness, age, a new password, new roles or an administrator — opens nothing afterwards, neither
a page nor the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import PASSWORD, Clock
from tests.conftest import at
from tests.web.test_pages import csrf, sign_in

from casework.domain.errors import InvalidInput
from casework.entrypoints.web.app import create_app
from casework.services.app import Casework
from casework.services.users import add_user, set_password, set_roles
from casework.services.web_sessions import end_sessions_of, list_sessions

pytestmark = pytest.mark.api
LOGIN = "tt-tiep-nhan"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(app: Casework, clock: Clock) -> Iterator[TestClient]:
    add_user(app, LOGIN, PASSWORD, at("2024-01-02"))
    with TestClient(create_app(app, clock)) as client:
        yield client


@pytest.fixture
def thief(app: Casework, clock: Clock) -> Iterator[TestClient]:
    """Another browser, given a copy of the officer's cookie."""
    with TestClient(create_app(app, clock)) as client:
        yield client


def copy_cookie(web: TestClient, thief: TestClient) -> None:
    thief.cookies.set("casework_session", web.cookies["casework_session"])


def opens(client: TestClient) -> tuple[int, int]:
    """What the client's cookie opens: the case list page and the API's case list."""
    page = client.get("/cases", follow_redirects=False).status_code
    api = client.get("/api/cases").status_code
    return page, api


SIGNED_IN, SIGNED_OUT = (200, 200), (303, 401)


def test_a_cookie_replayed_after_sign_out_opens_nothing(web: TestClient, thief: TestClient) -> None:
    sign_in(web, LOGIN)
    copy_cookie(web, thief)
    assert opens(thief) == SIGNED_IN  # the copy works while the session is open …
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    assert opens(web) == SIGNED_OUT
    assert opens(thief) == SIGNED_OUT  # … and not after the officer signed out
    login = thief.get("/cases")
    assert str(login.url).endswith("/login?next=/cases")


def test_signing_in_again_begins_a_new_session_the_old_cookie_does_not_share(
    web: TestClient, thief: TestClient
) -> None:
    sign_in(web, LOGIN)
    copy_cookie(web, thief)
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    sign_in(web, LOGIN)
    assert opens(web) == SIGNED_IN
    assert opens(thief) == SIGNED_OUT


def test_a_session_ends_after_thirty_idle_minutes_but_not_while_it_is_used(
    web: TestClient, thief: TestClient, clock: Clock
) -> None:
    sign_in(web, LOGIN)
    copy_cookie(web, thief)
    for _ in range(4):  # two hours of work, a page every 25 minutes
        clock.now += timedelta(minutes=25)
        assert opens(web) == SIGNED_IN
    clock.now += timedelta(minutes=31)  # 30 idle minutes, and the minute a last use may lag
    assert opens(thief) == SIGNED_OUT
    assert opens(web) == SIGNED_OUT


def test_even_a_busy_session_ends_after_ten_hours(
    app: Casework, web: TestClient, clock: Clock
) -> None:
    start = clock.now
    sign_in(web, LOGIN)
    for _ in range(29):  # a page every twenty minutes, to 9 h 40
        clock.now += timedelta(minutes=20)
        assert opens(web) == SIGNED_IN
    clock.now = start + timedelta(hours=10)
    assert opens(web) == SIGNED_OUT
    [ended] = list_sessions(app, LOGIN, clock.now, include_ended=True)
    assert ended["end_reason"] == "too old"


def test_the_limits_are_settings(app: Casework, clock: Clock) -> None:
    app.settings.session_idle_minutes = 5
    add_user(app, LOGIN, PASSWORD, at("2024-01-02"))
    with TestClient(create_app(app, clock)) as web:
        sign_in(web, LOGIN)
        clock.now += timedelta(minutes=4)
        assert opens(web) == SIGNED_IN
        clock.now += timedelta(minutes=6)
        assert opens(web) == SIGNED_OUT


def test_a_session_is_never_ended_before_its_idle_limit(app: Casework, clock: Clock) -> None:
    """Last use is written at most once a minute (a tenth of the limit, if shorter): a use
    just before a write was due still counts in full."""
    app.settings.session_idle_minutes = 1
    add_user(app, LOGIN, PASSWORD, at("2024-01-02"))
    with TestClient(create_app(app, clock)) as web:
        sign_in(web, LOGIN)
        clock.now += timedelta(seconds=59)
        assert opens(web) == SIGNED_IN
        clock.now += timedelta(seconds=2)  # two seconds after the last use
        assert opens(web) == SIGNED_IN
    app.settings.session_idle_minutes = 30
    with TestClient(create_app(app, clock)) as web:
        sign_in(web, LOGIN)
        clock.now += timedelta(seconds=59)  # too soon to write the last use …
        assert opens(web) == SIGNED_IN
        clock.now += timedelta(minutes=29, seconds=2)  # … yet 29 min after it: still open
        assert opens(web) == SIGNED_IN


def test_signing_in_over_an_open_session_ends_it(web: TestClient, thief: TestClient) -> None:
    sign_in(web, LOGIN)
    copy_cookie(web, thief)
    sign_in(web, LOGIN)  # the same browser, without signing out
    assert opens(web) == SIGNED_IN
    assert opens(thief) == SIGNED_OUT


def test_a_new_password_or_new_roles_end_the_sessions_begun_before(
    app: Casework, web: TestClient, thief: TestClient, clock: Clock
) -> None:
    sign_in(web, LOGIN)
    copy_cookie(web, thief)
    set_password(app, LOGIN, "một mật khẩu mới khác hẳn", clock.now, by=LOGIN)
    assert opens(thief) == SIGNED_OUT
    assert opens(web) == SIGNED_OUT
    web.post(
        "/login",
        data={
            "username": LOGIN,
            "password": "một mật khẩu mới khác hẳn",
            "csrf_token": csrf(web.get("/login").text),
        },
    )
    assert opens(web) == SIGNED_IN
    set_roles(app, LOGIN, ["handler"], [], clock.now, by="ubnd-quan-tri")
    assert opens(web) == SIGNED_OUT  # signed in under other roles: sign in again


def test_an_administrator_ends_every_session_of_a_login(
    app: Casework, web: TestClient, thief: TestClient, clock: Clock
) -> None:
    sign_in(web, LOGIN)
    copy_cookie(web, thief)
    with TestClient(create_app(app, clock)) as laptop:  # the same officer on a second computer
        sign_in(laptop, LOGIN)
        assert [s["end_reason"] for s in list_sessions(app, LOGIN, clock.now)] == ["", ""]
        assert end_sessions_of(app, LOGIN, clock.now, by="ubnd-quan-tri") == 2
        assert opens(laptop) == SIGNED_OUT
    assert opens(web) == SIGNED_OUT
    assert opens(thief) == SIGNED_OUT
    assert list_sessions(app, LOGIN, clock.now) == []
    ended = list_sessions(app, LOGIN, clock.now, include_ended=True)
    assert {s["end_reason"] for s in ended} == {"ended by an administrator"}
    assert all(s["client"] == "testclient" for s in ended)  # where each was signed in from
    with pytest.raises(InvalidInput, match="no login 'nobody'"):
        end_sessions_of(app, "nobody", clock.now, by="ubnd-quan-tri")


def test_the_cookie_carries_no_login_only_an_identifier(web: TestClient, app: Casework) -> None:
    """The signed cookie is readable by whoever holds it (signed, not encrypted): it names no
    login and no roles, only the session's random identifier, whose digest alone is stored."""
    import base64
    import json

    sign_in(web, LOGIN)
    payload = web.cookies["casework_session"].split(".")[0]
    content = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(content) <= {"sid", "lang", "csrf", "flash"}
    assert LOGIN not in json.dumps(content)
    with app.reading() as session:
        stored = session.connection().exec_driver_sql("SELECT session_digest FROM web_session")
        assert content["sid"] not in {row[0] for row in stored}
