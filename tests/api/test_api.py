"""The REST API over a real database: authentication, the role matrix, problem+json errors,
scoping by agency, and the denouncer's identity kept out of every response but the one the law
allows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import at

from casework.domain.confidentiality import SUMMARY_WITHHELD
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.case_export import neutralised
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.sweep import sweep
from casework.services.users import add_user, create_token

pytestmark = pytest.mark.api

PASSWORD = "mật khẩu đủ dài"
# login → what the example organisation makes of it
USERS = {
    "tt-tiep-nhan": "reception, thanh-tra-tinh",
    "tt-xac-minh-1": "handler, thanh-tra-tinh",
    "tt-chanh-thanh-tra": "head and supervisor, thanh-tra-tinh",
    "tnmt-tiep-nhan": "reception, so-tnmt",
    "tnmt-xac-minh": "handler, so-tnmt",
    "ubnd-chu-tich": "head of ubnd-tinh, above both",
    "ubnd-quan-tri": "administrator",
}
DENOUNCER = "Phạm Thị Hoa"


class Clock:
    """The API's clock, moved by the tests (time is a parameter)."""

    def __init__(self) -> None:
        self.now = at("2024-02-01", 10)

    def __call__(self) -> datetime:
        return self.now


def issue_tokens(app: Casework, logins: Iterable[str]) -> dict[str, str]:
    """A login with PASSWORD and an API token for each of `logins`."""
    now = at("2024-01-02")
    for login in logins:
        add_user(app, login, PASSWORD, now)
    return {login: create_token(app, login, "tests", now) for login in logins}


@pytest.fixture
def tokens(app: Casework) -> dict[str, str]:
    return issue_tokens(app, USERS)


def as_(tokens: dict[str, str], login: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[login]}"}


NEW_CASE = {
    "kind": "denunciation",
    "agency": "thanh-tra-tinh",
    "received_on": "2024-02-01",
    "summary": "Cán bộ địa chính thu tiền trái quy định",
    "sender": {"full_name": DENOUNCER, "address": "Vinh, Nghệ An", "id_number": "040190000001"},
    "denounced_name": "Lê Văn Cường",
}


def logged(api: TestClient, tokens: dict[str, str]) -> str:
    response = api.post("/api/cases", json=NEW_CASE, headers=as_(tokens, "tt-tiep-nhan"))
    assert response.status_code == 201, response.text
    return str(response.json()["ref"])


def test_without_credentials_every_endpoint_answers_401(api: TestClient) -> None:
    for method, path in [("get", "/api/cases"), ("get", "/api/me"), ("post", "/api/cases")]:
        response = api.request(method, path, json={})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in response.json()["detail"]
    bad = api.get("/api/me", headers={"Authorization": "Bearer cw_nope"})
    assert (bad.status_code, bad.json()["title"]) == (401, "Not signed in")


def test_the_openapi_document_and_page_are_served(api: TestClient) -> None:
    spec = api.get("/api/openapi.json").json()
    assert {"/api/cases", "/api/cases/{ref}/advance", "/api/escalations"} <= set(spec["paths"])
    assert api.get("/api/docs").status_code == 200


def test_the_openapi_document_describes_every_answer(api: TestClient) -> None:
    """Every operation's success answer has a named schema (a read model of
    services/read_models.py or a page of entrypoints/api/responses.py), not a bare object."""
    spec = api.get("/api/openapi.json").json()
    undescribed = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            status, answer = next((s, a) for s, a in operation["responses"].items() if s < "300")
            content = answer.get("content", {})
            if "text/csv" in content or "text/html" in content:
                continue
            schema = content.get("application/json", {}).get("schema", {})
            if "$ref" not in schema:
                undescribed.append(f"{method.upper()} {path} {status}: {schema}")
    assert not undescribed, undescribed
    components = spec["components"]["schemas"]
    case = components["CaseView"]["properties"]
    assert {"ref", "state", "clocks", "history", "allowed_triggers"} <= set(case)
    assert components["ClockView"]["properties"]["days_left"]["anyOf"] == [
        {"type": "integer"},
        {"type": "null"},
    ]


def test_reception_logs_and_the_response_carries_the_clocks(
    api: TestClient, tokens: dict[str, str]
) -> None:
    response = api.post("/api/cases", json=NEW_CASE, headers=as_(tokens, "tt-tiep-nhan"))
    body = response.json()
    assert response.status_code == 201
    assert body["clocks"] == [{"code": "denunciation.triage", "due": "2024-02-19"}]
    me = api.get("/api/me", headers=as_(tokens, "tt-tiep-nhan")).json()
    assert me == {"username": "tt-tiep-nhan", "agency": "thanh-tra-tinh", "roles": ["reception"]}


def test_who_may_not_log_is_refused_before_the_body_is_read(
    api: TestClient, tokens: dict[str, str]
) -> None:
    handler = as_(tokens, "tt-xac-minh-1")  # a handler decides on cases; reception logs them
    for body in (NEW_CASE, {**NEW_CASE, "agency": ""}):
        refused = api.post("/api/cases", json=body, headers=handler)
        assert refused.status_code == 403, refused.json()


def test_invalid_input_is_422_naming_the_field_and_what_is_allowed(
    api: TestClient, tokens: dict[str, str]
) -> None:
    headers = as_(tokens, "tt-tiep-nhan")
    missing = api.post("/api/cases", json={"kind": "denunciation"}, headers=headers)
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"received_on"}
    wrong_kind = api.post("/api/cases", json={**NEW_CASE, "kind": "gossip"}, headers=headers)
    assert wrong_kind.status_code == 422
    assert "kinds: complaint, denunciation, letter, petition" in wrong_kind.json()["detail"]
    bad_date = api.post(
        "/api/cases", json={**NEW_CASE, "received_on": "2024-02-30"}, headers=headers
    )
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "received_on"


def test_a_refused_trigger_is_409_with_the_allowed_ones(
    api: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    ref = logged(api, tokens)
    clock.now = at("2024-02-02", 10)
    handler = as_(tokens, "tt-xac-minh-1")
    refused = api.post(f"/api/cases/{ref}/advance", json={"trigger": "conclude"}, headers=handler)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["allowed_triggers"] == [
        "accept",
        "file_without_handling",
        "forward",
        "refer",
        "reject",
        "reply_to_forwarder",
        "treat_as_intelligence",
        "triage",
    ]
    assert "triage" in problem["detail"]
    moved = api.post(
        f"/api/cases/{ref}/advance", json={"trigger": "triage", "on": "2024-02-02"}, headers=handler
    )
    assert moved.json() == {
        "ref": ref,
        "trigger": "triage",
        "from": "received",
        "to": "triage",
        "on": "2024-02-02",
    }


def test_a_concurrent_update_is_409_and_writes_nothing(
    api: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    ref = logged(api, tokens)
    clock.now = at("2024-02-02", 10)
    handler = as_(tokens, "tt-xac-minh-1")
    version = api.get(f"/api/cases/{ref}", headers=handler).json()["version"]
    api.post(f"/api/cases/{ref}/advance", json={"trigger": "triage"}, headers=handler)
    stale = api.post(
        f"/api/cases/{ref}/advance",
        json={"trigger": "accept", "expected_version": version},
        headers=handler,
    )
    assert stale.status_code == 409
    assert stale.json()["title"] == "Changed by someone else"
    assert api.get(f"/api/cases/{ref}", headers=handler).json()["state"] == "triage"


def test_cases_are_seen_only_within_ones_agencies(api: TestClient, tokens: dict[str, str]) -> None:
    ref = logged(api, tokens)
    listed = {
        login: [c["ref"] for c in api.get("/api/cases", headers=as_(tokens, login)).json()["items"]]
        for login in USERS
    }
    assert listed["tnmt-tiep-nhan"] == []
    assert listed["tnmt-xac-minh"] == []
    for login in (
        "tt-tiep-nhan",
        "tt-xac-minh-1",
        "tt-chanh-thanh-tra",
        "ubnd-chu-tich",
        "ubnd-quan-tri",
    ):
        assert listed[login] == [ref], login
    other = api.get(f"/api/cases/{ref}", headers=as_(tokens, "tnmt-xac-minh"))
    # answered exactly as a case that does not exist: nothing tells where a case is held
    assert other.status_code == 404
    assert other.json()["detail"] == f"no case {ref!r}; `casework case list` shows the cases"
    scoped = api.get("/api/cases?agency=thanh-tra-tinh", headers=as_(tokens, "tnmt-xac-minh"))
    assert scoped.status_code == 403


def test_pages(api: TestClient, tokens: dict[str, str]) -> None:
    refs = [logged(api, tokens) for _ in range(3)]
    headers = as_(tokens, "tt-xac-minh-1")
    first = api.get("/api/cases?limit=2", headers=headers).json()
    second = api.get(f"/api/cases?limit=2&offset={first['next_offset']}", headers=headers).json()
    assert [c["ref"] for c in first["items"] + second["items"]] == refs
    assert second["next_offset"] is None


# the role matrix: who may do what (domain/access.py); 2xx allowed, 403 refused by role, 404 a case
# outside one's agencies (answered as if it did not exist)
MATRIX: dict[str, dict[str, int]] = {
    #                 reception handler head-tt tnmt-rec tnmt-handler ubnd-head admin
    "log a case": dict(zip(USERS, [201, 403, 403, 403, 403, 403, 201], strict=True)),
    "advance": dict(zip(USERS, [403, 200, 200, 403, 404, 403, 403], strict=True)),
    "assign": dict(zip(USERS, [403, 403, 200, 403, 403, 200, 403], strict=True)),
    "show": dict(zip(USERS, [200, 200, 200, 404, 404, 200, 200], strict=True)),
    "audit of the case": dict(zip(USERS, [403, 403, 200, 403, 403, 200, 200], strict=True)),
    "whole audit trail": dict(zip(USERS, [403, 403, 403, 403, 403, 403, 200], strict=True)),
    "verify the audit trail": dict(zip(USERS, [403, 403, 200, 403, 403, 200, 200], strict=True)),
    "list cases": dict(zip(USERS, [200] * 7, strict=True)),
    "export cases": dict(zip(USERS, [200] * 7, strict=True)),
    "triggers": dict(zip(USERS, [200, 200, 200, 404, 404, 200, 200], strict=True)),
    "explain": dict(zip(USERS, [200, 200, 200, 404, 404, 200, 200], strict=True)),
    # the identity: the reception officer who logged it and the head of the resolving agency
    "identity": dict(zip(USERS, [200, 403, 200, 404, 404, 403, 403], strict=True)),
    "dashboard": dict(zip(USERS, [403, 403, 200, 403, 403, 200, 200], strict=True)),
    "my alerts": dict(zip(USERS, [200] * 7, strict=True)),
    "organisation": dict(zip(USERS, [200] * 7, strict=True)),
    "calendar": dict(zip(USERS, [200] * 7, strict=True)),
    "me": dict(zip(USERS, [200] * 7, strict=True)),
    "parties": dict(zip(USERS, [200, 200, 200, 404, 404, 200, 200], strict=True)),
    # the typed name is an officer: reception or a head records which (role first, then scope)
    "identify a party": dict(zip(USERS, [200, 403, 200, 404, 403, 200, 403], strict=True)),
    # heads only; the name matches no officer, so a head is told there is nothing to confirm
    "confirm an outside person": dict(zip(USERS, [403, 403, 422, 403, 403, 422, 403], strict=True)),
    "recuse": dict(zip(USERS, [200, 200, 200, 404, 404, 200, 403], strict=True)),
}
GETS = {
    "whole audit trail": "/api/audit",
    "verify the audit trail": "/api/audit/verify",
    "list cases": "/api/cases",
    "export cases": "/api/cases/export.csv",
    "triggers": "/api/cases/{ref}/triggers",
    "explain": "/api/cases/{ref}/explain",
    "identity": "/api/cases/{ref}/identity",
    "dashboard": "/api/dashboard",
    "my alerts": "/api/escalations",
    "organisation": "/api/organisation",
    "calendar": "/api/calendar/2024",
    "me": "/api/me",
}


def _attempt(api: TestClient, tokens: dict[str, str], login: str, action: str, ref: str) -> Any:
    headers = as_(tokens, login)
    if action == "log a case":
        return api.post("/api/cases", json=NEW_CASE, headers=headers)
    if action == "advance":
        return api.post(f"/api/cases/{ref}/advance", json={"trigger": "triage"}, headers=headers)
    if action == "assign":
        return api.post(
            f"/api/cases/{ref}/assign", json={"officer": "tt-xac-minh-1"}, headers=headers
        )
    if action == "show":
        return api.get(f"/api/cases/{ref}", headers=headers)
    if action == "parties":
        return api.get(f"/api/cases/{ref}/parties", headers=headers)
    if action == "identify a party":
        body = {"officer": "ubnd-xac-minh", "reason": "đối chiếu"}
        return api.post(f"/api/cases/{ref}/parties/1/identify", json=body, headers=headers)
    if action == "confirm an outside person":
        body = {"reason": "trùng tên"}
        return api.post(f"/api/cases/{ref}/parties/1/confirm-outside", json=body, headers=headers)
    if action == "recuse":
        return api.post(f"/api/cases/{ref}/recuse", json={"reason": "người quen"}, headers=headers)
    if action in GETS:
        return api.get(GETS[action].format(ref=ref), headers=headers)
    return api.get(f"/api/audit?case={ref}", headers=headers)


@pytest.mark.parametrize("login", list(USERS))
def test_role_matrix(api: TestClient, tokens: dict[str, str], clock: Clock, login: str) -> None:
    for action in sorted(MATRIX):
        clock.now = at("2024-02-01", 10)
        ref = logged(api, tokens)  # a fresh case for each action
        clock.now = at("2024-02-02", 10)
        response = _attempt(api, tokens, login, action, ref)
        assert response.status_code == MATRIX[action][login], (login, action, response.text)
        if response.status_code == 403:
            assert response.headers["content-type"] == "application/problem+json"


def test_the_identity_is_in_no_response_but_the_logged_one_for_those_allowed(
    api: TestClient, tokens: dict[str, str], clock: Clock, app: Casework
) -> None:
    ref = logged(api, tokens)
    clock.now = at("2024-02-02", 10)
    handler = as_(tokens, "tt-xac-minh-1")
    texts = [
        api.get(f"/api/cases/{ref}", headers=handler).text,
        api.get("/api/cases", headers=handler).text,
        api.get(f"/api/cases/{ref}/explain", headers=handler).text,
        api.get(f"/api/cases/{ref}/triggers", headers=handler).text,
        api.get(f"/api/audit?case={ref}", headers=as_(tokens, "tt-chanh-thanh-tra")).text,
    ]
    texts.append(api.get("/api/cases/export.csv", headers=as_(tokens, "tt-chanh-thanh-tra")).text)
    for text in texts:
        assert DENOUNCER not in text
        assert "040190000001" not in text
    refused = api.get(f"/api/cases/{ref}/identity", headers=handler)
    assert refused.status_code == 403
    allowed = api.get(f"/api/cases/{ref}/identity", headers=as_(tokens, "tt-tiep-nhan"))
    assert allowed.json()["identity"]["full_name"] == DENOUNCER
    trail = api.get(f"/api/audit?case={ref}", headers=as_(tokens, "tt-chanh-thanh-tra")).json()
    reads = [e for e in trail["items"] if e["action"] == "identity.viewed"]
    assert [e["actor"] for e in reads] == ["tt-tiep-nhan"]


def test_an_alert_is_acknowledged_by_its_recipient_only(
    api: TestClient, tokens: dict[str, str], clock: Clock, app: Casework
) -> None:
    ref = logged(api, tokens)  # triage due 2024-02-19, nobody assigned
    sweep(app, at("2024-02-27", 8))
    head = as_(tokens, "tt-chanh-thanh-tra")
    alerts = api.get("/api/escalations?unacknowledged=true", headers=head).json()["items"]
    assert alerts
    assert all(a["case"] == ref for a in alerts)
    clock.now = at("2024-02-27", 9)
    other = api.post(
        f"/api/escalations/{alerts[0]['id']}/acknowledge", headers=as_(tokens, "tt-xac-minh-1")
    )
    assert other.status_code == 404
    done = api.post(f"/api/escalations/{alerts[0]['id']}/acknowledge", headers=head)
    assert done.json() == {
        "id": alerts[0]["id"],
        "case": ref,
        "acknowledged_by": "tt-chanh-thanh-tra",
    }
    again = api.post(f"/api/escalations/{alerts[0]['id']}/acknowledge", headers=head)
    assert again.status_code == 422


def test_reference_data(api: TestClient, tokens: dict[str, str]) -> None:
    headers = as_(tokens, "tnmt-xac-minh")
    year = api.get("/api/calendar/2024", headers=headers).json()
    swapped = {e["date"]: e["working"] for e in year["exceptions"]}
    assert swapped["2024-05-04"] is True  # a Saturday worked (for 2024-04-29 off)
    assert swapped["2024-09-02"] is False
    assert api.get("/api/calendar/1800", headers=headers).status_code == 422
    org = api.get("/api/organisation", headers=headers).json()
    assert "so-tnmt" in {a["code"] for a in org["agencies"]}


def test_the_matrix_covers_every_endpoint(api: TestClient) -> None:
    spec = api.get("/api/openapi.json").json()
    served = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    in_matrix = {("GET", path) for path in GETS.values()} | {
        ("POST", "/api/cases"),
        ("POST", "/api/cases/{ref}/advance"),
        ("POST", "/api/cases/{ref}/assign"),
        ("GET", "/api/cases/{ref}"),
        ("GET", "/api/audit"),
        ("GET", "/api/cases/{ref}/parties"),
        ("POST", "/api/cases/{ref}/parties/{number}/identify"),
        ("POST", "/api/cases/{ref}/parties/{number}/confirm-outside"),
        ("POST", "/api/cases/{ref}/recuse"),
    }
    in_matrix = {(m, p.replace("/2024", "/{year}")) for m, p in in_matrix}
    # acknowledging is exercised by test_an_alert_is_acknowledged_by_its_recipient_only,
    # a notice delivered by hand by test_api_records_a_notice_delivered_by_hand, the bulk
    # actions by tests/api/test_bulk_actions.py, a note by tests/api/test_case_notes.py
    assert served - in_matrix == {
        ("POST", "/api/escalations/{escalation_id}/acknowledge"),
        ("POST", "/api/escalations/acknowledge"),
        ("POST", "/api/cases/bulk-assign"),
        ("POST", "/api/cases/{ref}/notes"),
        ("POST", "/api/outbox/{message_id}/handed"),
    }


def test_the_denounced_head_neither_sees_nor_steers_the_case_against_him(
    api: TestClient, tokens: dict[str, str], app: Casework
) -> None:
    add_user(app, "tnmt-giam-doc", PASSWORD, at("2024-01-02"))
    boss = {"Authorization": f"Bearer {create_token(app, 'tnmt-giam-doc', 't', at('2024-01-02'))}"}
    against = {
        **NEW_CASE,
        "agency": "so-tnmt",
        "denounced_name": "",
        "denounced_officer": "tnmt-giam-doc",
    }
    ref = api.post("/api/cases", json=against, headers=as_(tokens, "tnmt-tiep-nhan")).json()["ref"]
    assert ref not in api.get("/api/cases", headers=boss).text
    for path in (f"/api/cases/{ref}", f"/api/cases/{ref}/triggers", f"/api/audit?case={ref}"):
        assert api.get(path, headers=boss).status_code == 404, path
    steer = api.post(f"/api/cases/{ref}/assign", json={"officer": "tnmt-xac-minh"}, headers=boss)
    assert steer.status_code == 404
    # another agency's officer cannot be made the handler either
    head = as_(tokens, "ubnd-chu-tich")
    elsewhere = api.post(f"/api/cases/{ref}/assign", json={"officer": "xd-xac-minh"}, headers=head)
    assert elsewhere.status_code == 403
    assert "assign one of its officers" in elsewhere.json()["detail"]


def test_numbers_beyond_any_database_are_unknown_not_a_crash(
    api: TestClient, tokens: dict[str, str]
) -> None:
    headers = as_(tokens, "ubnd-quan-tri")
    huge = "9" * 25
    assert api.get(f"/api/cases/TC-2026-{huge}", headers=headers).status_code == 404
    assert api.get(f"/api/cases?offset={huge}", headers=headers).status_code == 422
    assert api.post(f"/api/escalations/{huge}/acknowledge", headers=headers).status_code in (
        404,
        422,
    )
    # beyond PostgreSQL's INTEGER, within SQLite's: refused on both, never sent to the server
    beyond = 2**31
    assert api.get(f"/api/cases/TC-2026-{beyond}", headers=headers).status_code == 404
    assert api.post(f"/api/escalations/{beyond}/acknowledge", headers=headers).status_code == 422
    assert api.get(f"/api/audit?before_id={beyond}", headers=headers).status_code == 422
    assert api.get(f"/api/audit?before_id={beyond - 1}", headers=headers).status_code == 200


def test_the_export_carries_no_identity_even_where_the_summary_names_the_sender(
    api: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    reception = as_(tokens, "tt-tiep-nhan")
    plain = logged(api, tokens)
    naming = api.post(
        "/api/cases",
        json={**NEW_CASE, "summary": "Bà Phạm Thị Hoa (SĐT 040 190 000 001) tố cáo cán bộ"},
        headers=reception,
    ).json()["ref"]
    clock.now = at("2024-03-01", 10)
    head = as_(tokens, "tt-chanh-thanh-tra")
    response = api.get("/api/cases/export.csv", headers=head)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0] == (
        "ref,kind,state,agency,handler,received_on,channel,denounced_agency,next_due,overdue,summary"
    )
    rows = {line.split(",")[0]: line for line in lines[1:]}
    assert set(rows) == {plain, naming}
    assert "Cán bộ địa chính thu tiền trái quy định" in rows[plain]
    assert "2024-02-19,yes," in rows[plain]  # triage was due on the 19th
    assert SUMMARY_WITHHELD in rows[naming]
    for part in (DENOUNCER, "Hoa", "040 190", "Lê Văn Cường"):
        assert part not in response.text
    # the same filters as the list, and the same scope: another agency sees none of them
    overdue = api.get("/api/cases/export.csv?overdue=true&kind=denunciation", headers=head)
    assert len(overdue.text.splitlines()) == 3
    other = api.get("/api/cases/export.csv", headers=as_(tokens, "tnmt-xac-minh"))
    assert len(other.text.splitlines()) == 1
    bad = api.get("/api/cases/export.csv?state=lost", headers=head)
    assert bad.status_code == 422
    assert "states:" in bad.json()["detail"]


@pytest.mark.parametrize(
    "summary", ['=HYPERLINK("http://x.example","bấm")', "+1", "-2+3", "@SUM(A1)"]
)
def test_the_export_never_hands_a_spreadsheet_a_formula(
    api: TestClient, tokens: dict[str, str], summary: str
) -> None:
    body = {**NEW_CASE, "summary": summary, "sender": {"full_name": "Trần Văn Khác"}}
    assert api.post("/api/cases", json=body, headers=as_(tokens, "tt-tiep-nhan")).status_code == 201
    exported = api.get("/api/cases/export.csv", headers=as_(tokens, "tt-chanh-thanh-tra")).text
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [row["summary"] for row in rows] == [f"'{summary}"]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Thu tiền", "Thu tiền"),
        ("", ""),
        ("TC-2024-1", "TC-2024-1"),
    ],
)
def test_only_a_cell_a_spreadsheet_would_run_is_quoted(cell: str, shown: str) -> None:
    assert neutralised(cell) == shown


def test_numbers_out_of_bounds_are_refused_not_a_server_error(
    api: TestClient, tokens: dict[str, str]
) -> None:
    head = as_(tokens, "tt-chanh-thanh-tra")
    long_ref = api.get(f"/api/cases/TC-2024-{'9' * 5000}", headers=head)
    assert long_ref.status_code == 404
    assert api.get(f"/api/audit?before_id={2**70}", headers=head).status_code == 422
    far = api.get("/api/cases?due_within=10000000", headers=head)
    assert far.status_code == 422
    assert far.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"summary": "x" * 10_001}, "the summary is 10,001 characters long; at most 10,000"),
        ({"denounced_name": "Lê Văn\x00Cường"}, "control character (U+0000)"),
        ({"denounced_name": "Lê Văn\nCường"}, "on one line"),
        # a right-to-left override makes the name read otherwise than it is stored
        ({"denounced_name": "Lê Văn \u202eCường"}, "control character (U+202E)"),
        ({"received_on": "0001-01-01"}, "before 1990-01-01"),
        ({"sender": {"full_name": "A" * 501}}, "sender.full_name: the full name is 501 characters"),
    ],
)
def test_free_text_and_dates_are_bounded_and_nothing_is_stored(
    api: TestClient, tokens: dict[str, str], change: dict[str, Any], said: str
) -> None:
    reception = as_(tokens, "tt-tiep-nhan")
    refused = api.post("/api/cases", json={**NEW_CASE, **change}, headers=reception)
    assert refused.status_code == 422
    assert said in refused.json()["detail"]
    assert api.get("/api/cases", headers=reception).json()["items"] == []


def test_a_steps_reason_is_bounded_too(
    api: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    ref = logged(api, tokens)
    clock.now = at("2024-02-02", 10)
    refused = api.post(
        f"/api/cases/{ref}/advance",
        json={"trigger": "triage", "reason": "y" * 10_001},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    assert refused.status_code == 422
    assert "the reason is 10,001 characters long" in refused.json()["detail"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    api: TestClient, tokens: dict[str, str]
) -> None:
    reception = as_(tokens, "tt-tiep-nhan")
    huge = {**NEW_CASE, "summary": "x" * 2_000_000}
    declared = api.post("/api/cases", json=huge, headers=reception)
    assert declared.status_code == 413
    assert declared.headers["content-type"] == "application/problem+json"
    assert "CASEWORK_MAX_REQUEST_BYTES" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"kind": "denunciation", "summary": "'
        for _ in range(300):
            yield b"y" * 10_000
        yield b'"}'

    streamed = api.post(
        "/api/cases",
        content=chunks(),
        headers={**reception, "content-type": "application/json"},
    )
    assert streamed.status_code == 413
    assert api.get("/api/cases", headers=reception).json()["items"] == []


def test_the_openapi_document_declares_every_problem_answer(api: TestClient) -> None:
    spec = api.get("/api/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            missing = {"401", "403", "404", "409", "413", "422"} - declared
            assert not missing, (method, path, missing)
            assert "application/problem+json" in operation["responses"]["404"]["content"]


def test_the_openapi_document_lists_the_kinds_and_states(api: TestClient) -> None:
    spec = api.get("/api/openapi.json").json()
    listing = {p["name"]: p["schema"] for p in spec["paths"]["/api/cases"]["get"]["parameters"]}
    assert listing["kind"]["enum"] == ["complaint", "denunciation", "letter", "petition"]
    assert {"received", "closed", "verification"} <= set(listing["state"]["enum"])
    new_case = spec["components"]["schemas"]["NewCase"]["properties"]["kind"]
    assert new_case["enum"] == listing["kind"]["enum"]


def test_every_refusal_is_problem_json_even_the_frameworks_own(
    api: TestClient, tokens: dict[str, str]
) -> None:
    head = as_(tokens, "tt-chanh-thanh-tra")
    unknown = api.get("/api/nothing-here", headers=head)
    wrong_method = api.delete("/api/cases", headers=head)
    not_utf8 = api.post(
        "/api/cases",
        content=b"\xff\xfe{",
        headers={**head, "content-type": "application/json"},
    )
    nul_filter = api.get("/api/cases?handler=a%00b", headers=head)
    assert [r.status_code for r in (unknown, wrong_method, not_utf8, nul_filter)] == [
        404,
        405,
        422,
        422,
    ]
    for answer in (unknown, wrong_method, not_utf8, nul_filter):
        assert answer.headers["content-type"] == "application/problem+json"
    assert "send JSON in UTF-8" in not_utf8.json()["detail"]
    assert "control character (U+0000)" in nul_filter.json()["detail"]


def test_api_records_a_notice_delivered_by_hand(
    api: TestClient, tokens: dict[str, str], app: Casework, tmp_path: Path
) -> None:
    """POST /api/outbox/{id}/handed: a head of the case's agency records how a notice that
    needed attention was delivered; a handler may not (403); an empty answer is 422."""
    from casework.adapters.letters import LetterWriter
    from casework.services.delivery import deliver_pending

    ref = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=at("2024-02-01").date(),
            summary="Thu tiền trái quy định",
            denouncer=Denouncer("Nguyễn Văn Bảy"),  # neither e-mail nor postal address
            denounced_name="Lê Văn Cường",
            logged_by="tt-tiep-nhan",
        ),
        at("2024-02-01"),
    ).ref
    advance = AdvanceCase(ref, "reject", at("2024-02-02").date(), "tt-chanh-thanh-tra", "",
                          {"reasons": "không đủ điều kiện"})  # fmt: skip
    advance_case(app, advance, at("2024-02-02"))
    assert deliver_pending(app, at("2024-02-02", 11), letters=LetterWriter(tmp_path)).claimed
    path = "/api/outbox/1/handed"
    body = {"how": "trao tận tay ngày 03/02/2024"}
    handler = api.post(path, json=body, headers=as_(tokens, "tt-xac-minh-1"))
    assert handler.status_code == 403
    empty = api.post(path, json={"how": ""}, headers=as_(tokens, "tt-chanh-thanh-tra"))
    assert empty.status_code == 422
    done = api.post(path, json=body, headers=as_(tokens, "tt-chanh-thanh-tra"))
    assert done.status_code == 200, done.text
    assert done.json() == {"id": 1, "case": ref, "recorded_by": "tt-chanh-thanh-tra"}
