"""After intake: a head confirms that a typed name is an outside person, reception identifies a
party as an officer, an officer recuses himself; a handler the case now excludes is unassigned
and his head told. Alerts are acknowledged per recipient (issue 20)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from tests.api.test_api import as_, issue_tokens
from tests.api.test_confidential_intake import LOGINS, log, sees
from tests.conftest import at

from casework.adapters.tables import AuditRow, OutboxRow
from casework.services.app import Casework
from casework.services.sweep import sweep

pytestmark = pytest.mark.api

NAMED_INSPECTOR = {"denounced_name": "bà Ngô Thị Lan"}  # tt-xac-minh-1, typed by name


@pytest.fixture
def tokens(app: Casework) -> dict[str, str]:
    return issue_tokens(app, (*LOGINS, "tnmt-tiep-nhan", "tnmt-giam-doc"))


def _outbox(app: Casework, template: str) -> list[OutboxRow]:
    with app.reading() as session:
        return list(session.exec(select(OutboxRow).where(OutboxRow.template == template)).all())


def _audit(app: Casework, action: str) -> list[AuditRow]:
    with app.reading() as session:
        return list(session.exec(select(AuditRow).where(AuditRow.action == action)).all())


def test_a_head_who_is_not_a_candidate_confirms_an_outside_person(
    app: Casework, api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", **NAMED_INSPECTOR)["ref"]
    assert not any(sees(api, tokens, "tt-xac-minh-1", ref).values())
    parties = api.get(f"/api/cases/{ref}/parties", headers=as_(tokens, "tt-chanh-thanh-tra"))
    [party] = parties.json()["parties"]
    assert party["pending"]
    assert [c["officer"] for c in party["candidates"]] == ["tt-xac-minh-1"]
    url = f"/api/cases/{ref}/parties/1/confirm-outside"
    # the candidate, a handler, may confirm nothing (a role refusal: it tells him nothing)
    candidate = api.post(url, json={"reason": "x"}, headers=as_(tokens, "tt-xac-minh-1"))
    assert candidate.status_code == 403
    # reception may not confirm; a head must
    refused = api.post(url, json={"reason": "x"}, headers=as_(tokens, "tt-tiep-nhan"))
    assert refused.status_code == 403
    assert "needs: head" in refused.json()["detail"]
    empty = api.post(url, json={"reason": " "}, headers=as_(tokens, "tt-chanh-thanh-tra"))
    assert empty.status_code == 422
    assert "needs a reason" in empty.json()["detail"]
    done = api.post(
        url,
        json={"reason": "Người tố cáo xác nhận là bà Lan ở xóm 5, nông dân"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["outside_confirmed_by"] == "tt-chanh-thanh-tra"
    cleared = sees(api, tokens, "tt-xac-minh-1", ref)
    assert cleared["page"]  # no longer a candidate
    assert cleared["list"]
    assert not cleared["identity"]
    [event] = _audit(app, "party.confirmed_outside")
    assert (event.actor, event.case_ref) == ("tt-chanh-thanh-tra", ref)
    again = api.post(url, json={"reason": "x"}, headers=as_(tokens, "tt-chanh-thanh-tra"))
    assert again.status_code == 422
    assert "already confirmed" in again.json()["detail"]


def test_a_candidate_head_is_cleared_only_by_a_head_above_him(
    api: TestClient, tokens: dict[str, str]
) -> None:
    typed = {"denounced_name": "Chánh Thanh tra Trần Quốc Dũng"}  # tt-chanh-thanh-tra
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", **typed)["ref"]
    url = f"/api/cases/{ref}/parties/1/confirm-outside"
    body = {"reason": "Trùng tên: người bị tố cáo là trưởng thôn"}
    # the candidate head: the case does not exist for him, answered as a missing case
    assert api.post(url, json=body, headers=as_(tokens, "tt-chanh-thanh-tra")).status_code == 404
    # the provincial chairman, above him, confirms
    assert api.post(url, json=body, headers=as_(tokens, "ubnd-chu-tich")).status_code == 200
    assert sees(api, tokens, "tt-chanh-thanh-tra", ref)["identity"]  # he heads the resolver


def test_identifying_a_party_unassigns_the_handler_it_excludes_and_tells_the_head(
    app: Casework, api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_name="Công chức Ngô Lan")[
        "ref"
    ]
    assign = api.post(
        f"/api/cases/{ref}/assign",
        json={"officer": "tt-xac-minh-1"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    assert assign.status_code == 200, assign.text
    done = api.post(
        f"/api/cases/{ref}/parties/1/identify",
        json={"officer": "tt-xac-minh-1", "reason": "đối chiếu danh sách cán bộ"},
        headers=as_(tokens, "tt-tiep-nhan"),
    )
    assert done.status_code == 200, done.text
    assert not any(sees(api, tokens, "tt-xac-minh-1", ref).values())
    view = api.get(f"/api/cases/{ref}", headers=as_(tokens, "tt-chanh-thanh-tra")).json()
    assert view["handler"] is None
    assert view["parties"][0]["officer"] == "tt-xac-minh-1"
    [notice] = _outbox(app, "handler.unassigned")
    assert notice.recipient_officer == "tt-chanh-thanh-tra"
    assert notice.context["why"] == "denounced"
    assert notice.context["handler"]["code"] == "tt-xac-minh-1"
    assert "Phạm Thị Hoa" not in str(notice.context)


def test_an_officer_recuses_himself_and_the_case_disappears_for_him(
    app: Casework, api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_name="Công ty X")["ref"]
    api.post(
        f"/api/cases/{ref}/assign",
        json={"officer": "tt-xac-minh-2"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    without = api.post(
        f"/api/cases/{ref}/recuse", json={"reason": ""}, headers=as_(tokens, "tt-xac-minh-2")
    )
    assert without.status_code == 422
    done = api.post(
        f"/api/cases/{ref}/recuse",
        json={"reason": "Anh rể tôi là giám đốc Công ty X"},
        headers=as_(tokens, "tt-xac-minh-2"),
    )
    assert done.status_code == 200, done.text
    assert not any(sees(api, tokens, "tt-xac-minh-2", ref).values())
    again = api.post(
        f"/api/cases/{ref}/recuse", json={"reason": "x"}, headers=as_(tokens, "tt-xac-minh-2")
    )
    assert again.status_code == 404  # the case no longer exists for him
    reassign = api.post(
        f"/api/cases/{ref}/assign",
        json={"officer": "tt-xac-minh-2"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    assert reassign.status_code == 403
    assert "recused himself" in reassign.json()["detail"]
    [notice] = _outbox(app, "handler.unassigned")
    assert notice.context["why"] == "recused"
    [event] = _audit(app, "case.recused")
    assert event.actor == "tt-xac-minh-2"


def test_each_recipient_acknowledges_an_alert_for_himself(
    app: Casework, api: TestClient, tokens: dict[str, str]
) -> None:
    # overdue at a department: one alert, to its director, the provincial chief inspector and
    # (5 working days over) the provincial chairman
    ref = log(api, tokens, "tnmt-tiep-nhan", "so-tnmt", denounced_name="Công ty X")["ref"]
    sweep(app, at("2024-02-27"))
    mine = api.get("/api/escalations", headers=as_(tokens, "tt-chanh-thanh-tra")).json()["items"]
    shared = next(e for e in mine if len(e["recipients"]) > 1)
    others = [r for r in shared["recipients"] if r != "tt-chanh-thanh-tra"]
    done = api.post(
        f"/api/escalations/{shared['id']}/acknowledge", headers=as_(tokens, "tt-chanh-thanh-tra")
    )
    assert done.status_code == 200, done.text
    assert others == ["ubnd-chu-tich", "tnmt-giam-doc"]
    for other in others:
        waiting = api.get(
            "/api/escalations?unacknowledged=true", headers=as_(tokens, other)
        ).json()["items"]
        assert shared["id"] in [e["id"] for e in waiting]  # not silenced for him
    again = api.post(
        f"/api/escalations/{shared['id']}/acknowledge", headers=as_(tokens, "tt-chanh-thanh-tra")
    )
    assert again.status_code == 422
    assert ref == shared["case"]


def test_a_name_that_may_be_officers_is_settled_only_by_a_head_who_is_none_of_them(
    api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", **NAMED_INSPECTOR)["ref"]
    url = f"/api/cases/{ref}/parties/1/identify"
    body = {"officer": "tt-xac-minh-2", "reason": "đối chiếu hồ sơ"}
    # reception may identify a plain name, not clear a candidate by naming someone else
    refused = api.post(url, json=body, headers=as_(tokens, "tt-tiep-nhan"))
    assert refused.status_code == 403
    assert "a head who is not one of them settles" in refused.json()["detail"]
    no_reason = api.post(
        url, json={"officer": "tt-xac-minh-2"}, headers=as_(tokens, "tt-chanh-thanh-tra")
    )
    assert no_reason.status_code == 422
    done = api.post(url, json=body, headers=as_(tokens, "tt-chanh-thanh-tra"))
    assert done.status_code == 200, done.text
    assert sees(api, tokens, "tt-xac-minh-1", ref)["page"]  # the candidate, cleared
    assert not sees(api, tokens, "tt-xac-minh-2", ref)["page"]  # the officer it is


def test_a_head_s_reason_naming_the_sender_is_withheld_and_an_agency_party_stays_one(
    api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", **NAMED_INSPECTOR)["ref"]
    api.post(
        f"/api/cases/{ref}/parties/1/confirm-outside",
        json={"reason": "Bà Phạm Thị Hoa, người tố cáo, cho biết là người khác"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    cleared = api.get(f"/api/cases/{ref}/parties", headers=as_(tokens, "tt-xac-minh-1")).json()
    assert "Phạm Thị Hoa" not in str(cleared)
    agency_case = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_agency="so-tnmt")[
        "ref"
    ]
    refused = api.post(
        f"/api/cases/{agency_case}/parties/1/identify",
        json={"officer": "tt-xac-minh-2", "reason": "x"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    assert refused.status_code == 422
    assert "is the agency so-tnmt" in refused.json()["detail"]
