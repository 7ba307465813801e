"""The web UI through a browser-like client: sign-in, CSRF, my cases, logging a letter with its
printable receipt, a case page with its clocks and actions, the language switch."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import PASSWORD, Clock
from tests.conftest import at

from casework.entrypoints.web.app import create_app
from casework.services.app import Casework
from casework.services.users import add_user, set_password

pytestmark = pytest.mark.api


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(web: TestClient, login: str) -> None:
    page = web.get("/login").text
    response = web.post(
        "/login", data={"username": login, "password": PASSWORD, "csrf_token": csrf(page)}
    )
    assert response.status_code == 200, response.text  # followed to /cases


def log_letter(web: TestClient, summary: str = "Cán bộ địa chính thu tiền trái quy định") -> str:
    form = web.get("/cases/new").text
    response = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(form),
            "kind": "denunciation",
            "received_on": "2024-02-01",
            "channel": "visit",
            "summary": summary,
            "full_name": "Phạm Thị Hoa",
            "address": "Vinh, Nghệ An",
            "denounced_name": "Lê Văn Cường",
        },
    )
    assert response.status_code == 200
    found = re.search(r"<strong>(TC-2024-\d+)</strong>", response.text)
    assert found, response.text
    return found.group(1)


def test_pages_need_a_sign_in_and_come_back_after_it(web: TestClient) -> None:
    response = web.get("/cases/new", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/cases/new")
    wrong = web.post(
        "/login",
        data={
            "username": "tt-tiep-nhan",
            "password": "sai",
            "csrf_token": csrf(web.get("/login").text),
        },
    )
    assert wrong.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in wrong.text
    page = web.get("/login").text
    back = web.post(
        "/login?next=/cases/new",
        data={"username": "tt-tiep-nhan", "password": PASSWORD, "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/cases/new"


def test_a_form_without_the_sessions_token_is_refused(web: TestClient) -> None:
    sign_in(web, "tt-tiep-nhan")
    forged = web.post("/cases/new", data={"kind": "denunciation", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert "không được gửi từ trang này" in forged.text
    # nor may a browser session change anything through the API without the token
    api = web.post("/api/cases", json={"kind": "denunciation", "received_on": "2024-02-01"})
    assert api.status_code == 403


def test_reception_logs_a_letter_and_prints_its_receipt(web: TestClient) -> None:
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    receipt = web.get(f"/cases/{ref}/receipt").text
    assert "GIẤY BIÊN NHẬN" in receipt
    assert "Xử lý ban đầu đơn tố cáo" in receipt  # the clock by its Vietnamese name
    assert "19/02/2024" in receipt  # triage: 7 working days, Tết skipped
    assert f"/cases/{ref}" in receipt
    invalid = web.post(
        "/cases/new",
        data={"csrf_token": csrf(web.get("/cases/new").text), "kind": "denunciation",
              "received_on": "2024-02-01", "summary": "", "channel": "letter"},
    )  # fmt: skip
    assert invalid.status_code == 422
    assert "Cần tóm tắt nội dung đơn" in invalid.text


def test_a_handler_moves_a_case_from_its_page(web: TestClient, clock: Clock) -> None:
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    clock.now = at("2024-02-02", 10)  # the next morning: signed in anew
    sign_in(web, "tt-xac-minh-1")
    page = web.get(f"/cases/{ref}").text
    assert "Xử lý ban đầu đơn tố cáo" in page  # the triage clock, by its title
    assert "denunciation.triage" not in page
    assert "19/02/2024" in page
    assert "Phạm Thị Hoa" not in page  # the denouncer's identity is not on the handler's page
    assert 'value="triage"' in page
    moved = web.post(
        f"/cases/{ref}/advance",
        data={"csrf_token": csrf(page), "trigger": "triage", "on": "2024-02-02", "reason": ""},
    )
    assert "Xử lý ban đầu đơn tố cáo: Tiếp nhận đơn tố cáo → Xử lý ban đầu" in moved.text
    refused = web.post(
        f"/cases/{ref}/advance",
        data={"csrf_token": csrf(moved.text), "trigger": "conclude", "on": "2024-02-02"},
    )
    assert "Không thực hiện được" in refused.text
    assert "Các bước có thể thực hiện" in refused.text  # what is allowed, in Vietnamese
    mine = web.get("/cases").text
    assert ref in mine  # triage made the acting officer the handler
    link = re.search(r'href="(/api/cases/export\.csv[^"]*)"', mine)
    assert link, "the list offers its CSV export"
    exported = web.get(link.group(1).replace("&amp;", "&"))
    assert exported.status_code == 200
    assert ref in exported.text
    assert "Phạm Thị Hoa" not in exported.text


def test_another_agency_cannot_open_the_case_and_english_is_one_click_away(
    web: TestClient,
) -> None:
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    sign_in(web, "tnmt-xac-minh")
    assert ref not in web.get("/cases").text
    assert web.get(f"/cases/{ref}").status_code == 404  # as if it did not exist
    english = web.get("/lang/en", headers={"referer": "http://testserver/cases"})
    assert "Cases" in english.text
    assert "Mine" in english.text


def test_actions_kinds_and_states_are_named_in_vietnamese_and_in_english_after_the_switch(
    web: TestClient, clock: Clock
) -> None:
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new").text
    assert '<option value="visit">Trực tiếp</option>' in form  # the code stays the value
    assert '<option value="denunciation" selected>Tố cáo</option>' in form
    ref = log_letter(web)
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    clock.now = at("2024-02-02", 10)  # the next morning: signed in anew
    sign_in(web, "tt-xac-minh-1")
    page = web.get(f"/cases/{ref}").text
    assert "Thụ lý tố cáo" in page  # accept, by its Vietnamese title
    assert "Accept for resolution" not in page
    assert "· Tố cáo</span>" in page
    web.post(
        f"/cases/{ref}/advance",
        data={"csrf_token": csrf(page), "trigger": "triage", "on": "2024-02-02", "reason": ""},
    )
    mine = web.get("/cases").text
    assert "Xử lý ban đầu đơn tố cáo" in mine  # the state's legal name in the list
    english = web.get("/lang/en", headers={"referer": f"http://testserver/cases/{ref}"}).text
    assert "Accept for resolution" in english
    assert "Thụ lý tố cáo" not in english
    assert "· Denunciation</span>" in english
    listed = web.get("/cases").text
    assert "<td>triage</td>" in listed
    assert "Xử lý ban đầu đơn tố cáo" not in listed


def test_a_head_assigns_from_the_page_and_reads_who_viewed_the_identity(
    web: TestClient, app: Casework
) -> None:
    add_user(app, "tt-chanh-thanh-tra", PASSWORD, at("2024-01-02"))
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    assert web.get(f"/cases/{ref}/identity").status_code == 405  # never a link to follow
    page = web.get(f"/cases/{ref}").text
    forged = web.post(f"/cases/{ref}/identity", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    shown = web.post(f"/cases/{ref}/identity", data={"csrf_token": csrf(page)})
    assert "Phạm Thị Hoa" in shown.text  # the reception officer who logged it may
    assert shown.headers["cache-control"] == "no-store"
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    sign_in(web, "tt-xac-minh-1")
    verifier_page = web.get(f"/cases/{ref}").text
    refused = web.post(f"/cases/{ref}/identity", data={"csrf_token": csrf(verifier_page)})
    assert refused.status_code == 403  # a verifier may not, and is told who may, in Vietnamese
    assert f"Đồng chí không được xem thông tin người gửi đơn của hồ sơ {ref}" in refused.text
    assert "khoản 3 Điều 8, Điều 47, Điều 56 Luật Tố cáo năm 2018" in refused.text
    assert "you may not see" not in refused.text
    assert 'action="/cases/' + ref + '/assign"' not in web.get(f"/cases/{ref}").text
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    sign_in(web, "tt-chanh-thanh-tra")
    page = web.get(f"/cases/{ref}").text
    assert "Nhật ký xem thông tin người gửi đơn" in page, re.findall(r"who\">[^<]*|<h2>[^<]*", page)
    assert "Phan Văn Hùng" in page.split("Nhật ký xem thông tin người gửi đơn")[1]  # by name
    assigned = web.post(
        f"/cases/{ref}/assign",
        data={"csrf_token": csrf(page), "officer": "tt-xac-minh-1", "reason": "phân công"},
    )
    assert "Đã giao Ngô Thị Lan xử lý hồ sơ" in assigned.text  # by name, not login
    assert "tt-xac-minh-1" not in assigned.text.split("<main>")[1].split("</p>")[0]
    refused = web.post(
        f"/cases/{ref}/assign", data={"csrf_token": csrf(assigned.text), "officer": "tt-xac-minh-2"}
    )
    assert "Không thực hiện được" in refused.text  # a declared sibling of the denounced


def test_a_summary_naming_the_sender_is_read_as_typed_on_the_identity_page_only(
    web: TestClient,
) -> None:
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web, summary="Bà Phạm Thị Hoa tố cáo cán bộ địa chính thu tiền")
    page = web.get(f"/cases/{ref}").text
    assert "Phạm Thị Hoa" not in page
    assert "không hiển thị vì có nêu thông tin của người gửi đơn" in page
    shown = web.post(f"/cases/{ref}/identity", data={"csrf_token": csrf(page)}).text
    assert "Bà Phạm Thị Hoa tố cáo cán bộ địa chính thu tiền" in shown
    assert "Nội dung đã nhập có nêu thông tin người gửi đơn" in shown


@pytest.mark.parametrize(
    "target", ["https://evil.example/phish", "//evil.example", "/\\evil.example", "cases"]
)
def test_sign_in_never_redirects_away(web: TestClient, target: str) -> None:
    page = web.get("/login").text
    response = web.post(
        "/login",
        params={"next": target},
        data={"username": "tt-tiep-nhan", "password": PASSWORD, "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/cases"


def test_five_wrong_passwords_lock_the_login_for_a_while(web: TestClient, clock: Clock) -> None:
    def attempt(password: str) -> int:
        page = web.get("/login").text
        data = {"username": "tt-tiep-nhan", "password": password, "csrf_token": csrf(page)}
        return web.post("/login", data=data, follow_redirects=False).status_code

    assert [attempt("sai mật khẩu") for _ in range(5)] == [401] * 5
    assert attempt(PASSWORD) == 429  # even the right password, while locked
    clock.now = at("2024-02-01", 11)  # 15 minutes later and more: the lock has passed
    assert attempt(PASSWORD) == 303


def test_pages_carry_security_headers(web: TestClient) -> None:
    page = web.get("/login")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in web.get("/api/docs").headers  # its own assets


def test_a_new_password_signs_out_the_sessions_begun_before(web: TestClient, app: Casework) -> None:
    from casework.services.users import set_password

    sign_in(web, "tt-tiep-nhan")
    assert web.get("/cases", follow_redirects=False).status_code == 200
    set_password(app, "tt-tiep-nhan", "một mật khẩu mới khác hẳn", at("2024-02-01"))
    again = web.get("/cases", follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, "/login?next=/cases")


def test_a_letter_naming_the_loggers_head_is_logged_and_then_withheld_from_him(
    app: Casework, web: TestClient
) -> None:
    add_user(app, "hn-tiep-nhan", PASSWORD, at("2024-01-02"))
    sign_in(web, "hn-tiep-nhan")
    response = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(web.get("/cases/new").text),
            "kind": "denunciation",
            "received_on": "2024-02-01",
            "channel": "letter",
            "summary": "Chủ tịch xã thu tiền trái quy định",
            "full_name": "Phạm Thị Hoa",
            "denounced_name": "ông Đoàn Văn Uy, Chủ tịch UBND xã",
        },
    )
    # not a "no case" page: the officer is told the letter is logged, and by whom it is handled
    assert response.status_code == 200
    assert "Đã vào sổ đơn số TC-2024-000001, nhận ngày 01/02/2024" in response.text
    assert "Phạm Thị Hoa" not in response.text
    assert web.get("/cases/TC-2024-000001").status_code == 404


def test_reception_is_told_of_candidates_and_a_head_clears_one_on_the_case_page(
    app: Casework, web: TestClient
) -> None:
    add_user(app, "tt-chanh-thanh-tra", PASSWORD, at("2024-01-02"))
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new").text
    receipt = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(form),
            "kind": "denunciation",
            "received_on": "2024-02-01",
            "channel": "letter",
            "summary": "Thu tiền trái quy định",
            "full_name": "Phạm Thị Hoa",
            "denounced_name": "bà Ngô Thị Lan",
            "more_denounced": "Công ty X\n",
        },
    )
    assert "“bà Ngô Thị Lan” có thể là cán bộ Ngô Thị Lan" in receipt.text
    ref = re.search(r"<strong>(TC-2024-\d+)</strong>", receipt.text).group(1)  # type: ignore[union-attr]
    web.post("/logout", data={"csrf_token": csrf(receipt.text)})
    sign_in(web, "tt-xac-minh-1")
    assert web.get(f"/cases/{ref}").status_code == 404  # a candidate sees nothing
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    sign_in(web, "tt-chanh-thanh-tra")
    page = web.get(f"/cases/{ref}").text
    assert "Có thể là: Ngô Thị Lan" in page
    assert 'id="identify-reason-1"' in page  # identifying needs a reason, as confirming does
    assert "Công ty X" in page
    done = web.post(
        f"/cases/{ref}/parties/1/confirm-outside",
        data={"csrf_token": csrf(page), "reason": "Bà Lan là người buôn bán ở chợ"},
    )
    assert "Đã ghi nhận thông tin người bị tố cáo" in done.text
    assert "Đã xác nhận là người ngoài cơ quan (tt-chanh-thanh-tra)" in done.text
    web.post("/logout", data={"csrf_token": csrf(done.text)})
    sign_in(web, "tt-xac-minh-1")
    page = web.get(f"/cases/{ref}")
    assert page.status_code == 200
    recused = web.post(
        f"/cases/{ref}/recuse", data={"csrf_token": csrf(page.text), "reason": "người quen"}
    )
    assert "Đã ghi nhận việc đồng chí từ chối" in recused.text
    assert web.get(f"/cases/{ref}").status_code == 404


def test_a_malformed_page_address_is_a_page_and_the_api_keeps_its_problem(
    web: TestClient,
) -> None:
    sign_in(web, "tt-tiep-nhan")
    page = web.post(
        "/cases/TC-2024-000001/parties/one/identify",
        data={"csrf_token": csrf(web.get("/cases").text)},
    )
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "Địa chỉ trang không hợp lệ" in page.text
    api = web.get("/api/cases?limit=0")
    assert api.headers["content-type"] == "application/problem+json"


def test_a_refusal_on_a_case_that_does_not_exist_for_him_lands_on_his_list(
    web: TestClient,
) -> None:
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    sign_in(web, "tnmt-xac-minh")  # another agency's handler: the case does not exist for him
    page = web.post(
        f"/cases/{ref}/recuse",
        data={"csrf_token": csrf(web.get("/cases").text), "reason": "x"},
    )
    assert page.status_code == 200
    assert str(page.url).endswith("/cases")
    said = f"Không có hồ sơ số {ref} (hoặc đồng chí không có quyền xem hồ sơ này)"
    assert said in page.text  # in Vietnamese, as for a case that does not exist
    assert "no case" not in page.text
    assert "casework case list" not in page.text
    assert said not in web.get("/cases").text  # read once, not again on the next page


def test_a_missing_case_and_a_hidden_one_read_alike_in_vietnamese(web: TestClient) -> None:
    """The 404 page of a case says, in Vietnamese, that there is none or that the reader may
    not see it: the same words for both, so that nothing tells them apart."""
    sign_in(web, "tt-tiep-nhan")
    ref = log_letter(web)
    missing = ref[:-1] + ("9" if ref[-1] != "9" else "8")
    web.post("/logout", data={"csrf_token": csrf(web.get("/cases").text)})
    sign_in(web, "tnmt-xac-minh")  # another agency's handler: the case does not exist for him
    hidden, absent = web.get(f"/cases/{ref}"), web.get(f"/cases/{missing}")
    assert hidden.status_code == absent.status_code == 404
    for page, typed in ((hidden, ref), (absent, missing)):
        assert f"Không có hồ sơ số {typed} (hoặc đồng chí không có quyền xem hồ sơ này)" in (
            page.text
        )
        assert "no case" not in page.text
        assert "casework case list" not in page.text
    assert hidden.text.replace(ref, "REF") == absent.text.replace(missing, "REF")
    receipt = web.get(f"/cases/{ref}/receipt")  # every page of the case answers alike
    assert receipt.status_code == 404
    assert f"Không có hồ sơ số {ref}" in receipt.text
    malformed = web.get("/cases/khong-phai-so-ho-so")
    assert malformed.status_code == 404
    assert "«khong-phai-so-ho-so» không phải là số hồ sơ" in malformed.text
    assert "is not a case reference" not in malformed.text
    english = web.get("/lang/en", headers={"referer": f"http://testserver/cases/{ref}"})
    assert "no case" in english.text  # the English page keeps the English


def test_the_lock_holds_across_web_processes_and_a_new_password_lifts_it(
    app: Casework, web: TestClient, clock: Clock
) -> None:
    with TestClient(create_app(app, clock)) as other:  # a second web process, same database

        def attempt(client: TestClient, password: str) -> int:
            page = client.get("/login").text
            data = {"username": "tt-tiep-nhan", "password": password, "csrf_token": csrf(page)}
            return client.post("/login", data=data, follow_redirects=False).status_code

        assert [attempt(web, "sai mật khẩu") for _ in range(3)] == [401] * 3
        assert [attempt(other, "sai mật khẩu") for _ in range(2)] == [401] * 2
        assert attempt(other, PASSWORD) == 429  # the five failures count wherever they were
        assert attempt(web, PASSWORD) == 429
        set_password(app, "tt-tiep-nhan", "một mật khẩu mới hơn", clock.now)  # the admin's reset
        assert attempt(other, "một mật khẩu mới hơn") == 303


def test_one_address_trying_many_logins_is_stopped(
    app: Casework, web: TestClient, clock: Clock
) -> None:
    def attempt(username: str) -> int:
        page = web.get("/login").text
        data = {"username": username, "password": "đoán thử", "csrf_token": csrf(page)}
        return web.post("/login", data=data, follow_redirects=False).status_code

    codes = [f"nguoi-{n}" for n in range(20)]
    assert [attempt(code) for code in codes] == [401] * 20  # four failures each at most
    assert attempt("tt-xac-minh-1") == 429  # spraying one password over the codes stops here


def test_a_control_character_in_any_form_field_is_refused_before_the_database(
    web: TestClient,
) -> None:
    page = web.get("/login").text
    refused = web.post(
        "/login", data={"username": "tt-tiep-nhan\x00", "password": "x", "csrf_token": csrf(page)}
    )
    assert refused.status_code == 422
    assert "ký tự điều khiển không được phép (U+0000)" in refused.text
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new").text
    long = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(form),
            "kind": "letter",
            "received_on": "2024-02-01",
            "summary": "x" * 10_001,
        },
    )
    assert long.status_code == 422
    assert "«Nội dung» dài 10.001 ký tự" in long.text  # the field as its form names it
    assert "DON-" not in web.get("/cases").text  # nothing was logged
    named = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(form),
            "kind": "denunciation",
            "received_on": "2024-02-01",
            "summary": "Nội dung",
            "full_name": "Phạm\x07Thị Hoa",
            "more_denounced": "Lê Văn Cường\x00",
        },
    )
    assert named.status_code == 422
    assert "«Họ tên người gửi đơn» có ký tự điều khiển không được phép (U+0007)" in named.text
    assert "the field" not in named.text
    ref = log_letter(web)
    page = web.get(f"/cases/{ref}").text
    step = web.post(  # a step's field, by the description its step gives it
        f"/cases/{ref}/advance",
        data={"csrf_token": csrf(page), "trigger": "reject", "field:reasons": "a\x07b"},
    )
    assert step.status_code == 422
    assert "«Lý do không đủ điều kiện thụ lý (thông báo cho người tố cáo)» có ký tự" in step.text


def test_an_anonymous_denunciation_is_said_so_with_the_checkbox(web: TestClient) -> None:
    sign_in(web, "tt-tiep-nhan")
    fields = {
        "kind": "denunciation",
        "received_on": "2024-02-01",
        "channel": "letter",
        "summary": "Thư không ký tên báo cán bộ thu tiền",
        "denounced_name": "Lê Văn Cường",
    }
    form = web.get("/cases/new").text
    assert 'name="anonymous"' in form
    refused = web.post("/cases/new", data={"csrf_token": csrf(form), **fields})
    assert "Cần ghi họ tên người tố cáo" in refused.text
    assert "TC-2024-" not in web.get("/cases").text  # nothing logged
    logged = web.post(
        "/cases/new",
        data={"csrf_token": csrf(web.get("/cases/new").text), **fields, "anonymous": "yes"},
    )
    found = re.search(r"<strong>(TC-2024-\d+)</strong>", logged.text)
    assert found, logged.text
    page = web.get(f"/cases/{found.group(1)}").text
    assert "Thông tin có nội dung tố cáo" in page  # the intelligence state, by its legal name


def test_a_failed_sign_in_keeps_the_name_and_warns_before_the_lock(web: TestClient) -> None:
    """Issue 26: the username stays in the form after a wrong password; the last two tries
    before the lock say so; the lock-out is said in Vietnamese; the sign-in page names the
    organisation."""
    page = web.get("/login").text
    assert "Ủy ban nhân dân tỉnh Nghệ An" in page  # the organisation it signs in to
    answers = []
    for _ in range(5):
        answers.append(
            web.post(
                "/login",
                data={
                    "username": "tt-tiep-nhan",
                    "password": "sai",
                    "csrf_token": csrf(web.get("/login").text),
                },
            )
        )
    assert all('value="tt-tiep-nhan"' in a.text for a in answers)
    assert "Còn 2 lần thử" in answers[2].text
    assert "Còn 1 lần thử" in answers[3].text
    locked = web.post(
        "/login",
        data={
            "username": "tt-tiep-nhan",
            "password": PASSWORD,
            "csrf_token": csrf(web.get("/login").text),
        },
    )
    assert locked.status_code == 429
    assert "tạm khóa" in locked.text


def test_a_head_lands_on_the_dashboard_and_a_handler_on_the_cases(
    app: Casework, web: TestClient
) -> None:
    add_user(app, "tt-chanh-thanh-tra", PASSWORD, at("2024-01-02"))
    sign_in(web, "tt-chanh-thanh-tra")
    assert str(web.get("/").url).endswith("/dashboard")
    with TestClient(web.app) as other:
        sign_in(other, "tt-xac-minh-1")
        assert str(other.get("/").url).endswith("/cases")


def test_an_officer_changes_his_own_password(web: TestClient) -> None:
    """Issue 26: the current password first, the new one twice; then a new sign-in."""
    sign_in(web, "tt-xac-minh-1")
    form = web.get("/account/password").text
    assert "Mật khẩu hiện tại" in form
    wrong = web.post(
        "/account/password",
        data={
            "csrf_token": csrf(form),
            "current_password": "sai",
            "new_password": "một mật khẩu mới dài",
            "repeat_password": "một mật khẩu mới dài",
        },
    )
    assert "Mật khẩu hiện tại không đúng." in wrong.text
    differ = web.post(
        "/account/password",
        data={
            "csrf_token": csrf(wrong.text),
            "current_password": PASSWORD,
            "new_password": "một mật khẩu mới dài",
            "repeat_password": "một mật khẩu khác",
        },
    )
    assert "không giống nhau" in differ.text
    done = web.post(
        "/account/password",
        data={
            "csrf_token": csrf(differ.text),
            "current_password": PASSWORD,
            "new_password": "một mật khẩu mới dài",
            "repeat_password": "một mật khẩu mới dài",
        },
    )
    assert "Đã đổi mật khẩu" in done.text
    assert str(done.url).endswith("/login")
    old = web.post(
        "/login",
        data={"username": "tt-xac-minh-1", "password": PASSWORD, "csrf_token": csrf(done.text)},
    )
    assert old.status_code == 401
    new = web.post(
        "/login",
        data={
            "username": "tt-xac-minh-1",
            "password": "một mật khẩu mới dài",
            "csrf_token": csrf(web.get("/login").text),
        },
    )
    assert new.status_code == 200


def test_reception_logs_a_complaint_on_the_web(web: TestClient) -> None:
    """Issue 26: the form takes a complaint's facts; a denunciation is the default kind; a
    complaint without the day its decision was known is refused in Vietnamese, the input
    kept."""
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new").text
    assert '<option value="denunciation" selected>' in form
    fields = {
        "kind": "complaint",
        "received_on": "01/02/2024",
        "channel": "visit",
        "summary": "Khiếu nại quyết định thu hồi đất",
        "full_name": "Trần Thị Mai",
        "address": "Vinh, Nghệ An",
        "denounced_name": "Chủ tịch UBND xã Hưng Lộc",
        "contested_decision": "Quyết định số 15/QĐ-UBND ngày 10/01/2024",
        "issuer_level": "other",
    }
    refused = web.post("/cases/new", data={"csrf_token": csrf(form), **fields})
    assert refused.status_code == 422
    assert "Cần ghi ngày người khiếu nại nhận được" in refused.text
    assert 'value="Quyết định số 15/QĐ-UBND ngày 10/01/2024"' in refused.text  # kept
    logged = web.post(
        "/cases/new",
        data={"csrf_token": csrf(refused.text), **fields, "decision_known_on": "20/01/2024"},
    )
    assert logged.status_code == 200, logged.text
    found = re.search(r"<strong>(KN-2024-\d+)</strong>", logged.text)
    assert found, logged.text
    page = web.get(f"/cases/{found.group(1)}").text
    assert "Khiếu nại" in page


def test_a_petition_forwarded_by_an_authority_is_logged_on_the_web(web: TestClient) -> None:
    """Issue 26: the form takes the forwarding body; a petition's form has no denounced party
    (its part is marked for the chosen kind), and the case page says who forwarded it."""
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new").text
    assert '<fieldset data-kinds="denunciation complaint letter">' in form
    logged = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(form),
            "kind": "petition",
            "received_on": "01/02/2024",
            "channel": "forwarded",
            "forwarded_by": "Ban Dân nguyện Quốc hội",
            "summary": "Kiến nghị sửa đường liên xã",
            "full_name": "Hà Văn Sơn",
            "address": "Nghi Lộc, Nghệ An",
        },
    )
    assert logged.status_code == 200, logged.text
    found = re.search(r"<strong>(KNPA-2024-\d+)</strong>", logged.text)
    assert found, logged.text
    page = web.get(f"/cases/{found.group(1)}").text
    assert "Đơn do cơ quan chuyển đến: Ban Dân nguyện Quốc hội" in page


def test_a_redenunciation_is_logged_on_the_web_at_the_superior(
    app: Casework, web: TestClient, clock: Clock
) -> None:
    """Issue 26: the superior's reception records a denunciation made again (LTC Art. 38) from
    the form; a wrong ground is refused beside the kept input, the right one is logged and
    linked."""
    from tests.integration.test_redenunciation import original

    lower = original(app)  # accepted 04/07/2024 at the Sở TNMT: resolution due in August
    add_user(app, "ubnd-tiep-nhan", PASSWORD, at("2024-01-02"))
    clock.now = at("2024-09-02", 9)
    sign_in(web, "ubnd-tiep-nhan")
    fields = {
        "kind": "denunciation",
        "received_on": "02/09/2024",
        "channel": "letter",
        "summary": "Tố cáo tiếp: Sở chưa giải quyết",
        "full_name": "Nguyễn Văn Bình",
        "address": "Cửa Lò, Nghệ An",
        "redenunciation_of": lower,
        "redenunciation_ground": "unlawful",
    }
    form = web.get("/cases/new").text
    refused = web.post("/cases/new", data={"csrf_token": csrf(form), **fields})
    assert refused.status_code == 422
    assert f'value="{lower}"' in refused.text  # kept
    logged = web.post(
        "/cases/new",
        data={"csrf_token": csrf(refused.text), **fields, "redenunciation_ground": "late"},
    )
    assert logged.status_code == 200, logged.text
    found = re.search(r"<strong>(TC-2024-\d+)</strong>", logged.text)
    assert found, logged.text
    page = web.get(f"/cases/{found.group(1)}").text
    assert f"Tố cáo tiếp đối với vụ việc {lower}: Quá thời hạn" in page


def test_a_letter_is_classified_from_its_page(web: TestClient) -> None:
    """Issue 26: a logged letter's page offers to log a case of each kind from it; the case
    keeps the letter's receipt date and sender, and the letter records its classification."""
    sign_in(web, "tt-tiep-nhan")
    form = web.get("/cases/new").text
    logged = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(form),
            "kind": "letter",
            "received_on": "25/01/2024",
            "channel": "letter",
            "summary": "Đơn phản ánh việc thu tiền trái quy định",
            "full_name": "Lê Thị Thu",
            "address": "Vinh, Nghệ An",
        },
    )
    letter = re.search(r"<strong>(DON-2024-\d+)</strong>", logged.text)
    assert letter, logged.text
    page = web.get(f"/cases/{letter.group(1)}").text
    link = f"/cases/new?from_letter={letter.group(1)}&amp;kind=denunciation"
    assert link in page
    classify = web.get(link.replace("&amp;", "&")).text
    assert f'name="from_letter" value="{letter.group(1)}"' in classify
    assert 'name="received_on"' not in classify  # the letter's date is kept
    case = web.post(
        "/cases/new",
        data={
            "csrf_token": csrf(classify),
            "from_letter": letter.group(1),
            "kind": "denunciation",
            "channel": "letter",
            "summary": "",
            "denounced_name": "Cán bộ địa chính xã",
        },
    )
    ref = re.search(r"<strong>(TC-2024-\d+)</strong>", case.text)
    assert ref, case.text
    assert "25/01/2024" in case.text  # counted from the letter's receipt
    assert "Đã phân loại" in web.get(f"/cases/{letter.group(1)}").text
