"""Finding cases and acting on several at once through the API (issue 27): a search, the
list's new filters, a head assigning three cases in one call (one refused, the others done),
a head acknowledging his alerts in one call."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import NEW_CASE, USERS, Clock, as_, issue_tokens
from tests.conftest import at

from casework.services.app import Casework
from casework.services.sweep import sweep

pytestmark = pytest.mark.api


@pytest.fixture
def tokens(app: Casework) -> dict[str, str]:
    return issue_tokens(app, USERS)


def _log(api: TestClient, tokens: dict[str, str], **changes: Any) -> str:
    response = api.post(
        "/api/cases", json={**NEW_CASE, **changes}, headers=as_(tokens, "tt-tiep-nhan")
    )
    assert response.status_code == 201, response.text
    return str(response.json()["ref"])


def _refs(api: TestClient, tokens: dict[str, str], login: str, query: str) -> list[str]:
    response = api.get(f"/api/cases?{query}", headers=as_(tokens, login))
    assert response.status_code == 200, response.text
    return [item["ref"] for item in response.json()["items"]]


def test_a_search_and_the_new_filters(api: TestClient, tokens: dict[str, str]) -> None:
    first = _log(api, tokens)
    second = _log(api, tokens, summary="Xây nhà trái phép", denounced_name="Nguyễn Thị Mai",
                  received_on="2024-01-25")  # fmt: skip
    head = "tt-chanh-thanh-tra"
    assert _refs(api, tokens, head, "q=le+van+cuong") == [first]
    assert _refs(api, tokens, head, "q=LÊ VĂN CƯỜNG") == [first]
    assert _refs(api, tokens, head, "q=trai+phep") == [second]
    # the sender's name: the head may see the sender, the handler may not
    assert sorted(_refs(api, tokens, head, "q=pham+thi+hoa")) == [first, second]
    assert _refs(api, tokens, "tt-xac-minh-1", "q=pham+thi+hoa") == []
    assert _refs(api, tokens, head, "received_to=2024-01-31") == [second]
    assert _refs(api, tokens, head, "received_from=2024-02-01") == [first]
    assert _refs(api, tokens, head, "sort=newest") == [first, second]
    assert _refs(api, tokens, head, "sort=oldest") == [second, first]
    assert _refs(api, tokens, head, "status=closed") == []
    assert _refs(api, tokens, head, "clock=denunciation.triage&status=open") == [second, first]
    unknown = api.get("/api/cases?clock=nope", headers=as_(tokens, head))
    assert unknown.status_code == 422
    assert "denunciation.triage" in unknown.json()["detail"]
    backwards = api.get(
        "/api/cases?received_from=2024-03-01&received_to=2024-02-01", headers=as_(tokens, head)
    )
    assert backwards.status_code == 422
    csv = api.get("/api/cases/export.csv?q=xay+nha", headers=as_(tokens, head)).text
    assert second in csv
    assert first not in csv


def test_a_head_assigns_three_cases_at_once_and_hears_of_the_one_refused(
    api: TestClient, tokens: dict[str, str]
) -> None:
    refs = [_log(api, tokens) for _ in range(3)]
    # a handler's relative is denounced in a fourth: he may not be assigned to it
    barred = _log(api, tokens, denounced_officer="tt-xac-minh-1", denounced_name="")
    body = {"refs": [*refs, barred], "officer": "tt-xac-minh-1", "reason": "chia việc"}
    done = api.post("/api/cases/bulk-assign", json=body, headers=as_(tokens, "tt-chanh-thanh-tra"))
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["done"] == refs
    assert [r["item"] for r in result["refused"]] == [barred]
    assert "may not handle" in result["refused"][0]["detail"]
    assert "không được giải quyết" in result["refused"][0]["detail_vi"]
    for ref in refs:
        shown = api.get(f"/api/cases/{ref}", headers=as_(tokens, "tt-chanh-thanh-tra")).json()
        assert shown["handler"] == "tt-xac-minh-1"
    # a handler may not assign at all: refused once, before any case is looked at
    refused = api.post("/api/cases/bulk-assign", json=body, headers=as_(tokens, "tt-xac-minh-1"))
    assert refused.status_code == 403
    assert "may not assign" in refused.json()["detail"]
    empty = api.post(
        "/api/cases/bulk-assign",
        json={"refs": [], "officer": "tt-xac-minh-1"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    assert empty.status_code == 422
    assert "at least one case" in empty.json()["detail"]


def test_a_head_acknowledges_his_alerts_at_once(
    api: TestClient, tokens: dict[str, str], clock: Clock, app: Casework
) -> None:
    refs = [_log(api, tokens) for _ in range(2)]
    sweep(app, at("2024-02-27", 8))
    head = as_(tokens, "tt-chanh-thanh-tra")
    alerts = api.get("/api/escalations?unacknowledged=true", headers=head).json()["items"]
    ids = [a["id"] for a in alerts]
    assert sorted({a["case"] for a in alerts}) == sorted(refs)
    clock.now = at("2024-02-27", 9)
    done = api.post("/api/escalations/acknowledge", json={"ids": [*ids, 999]}, headers=head)
    assert done.status_code == 200, done.text
    assert sorted(done.json()["done"]) == sorted(a["case"] for a in alerts)
    assert [r["item"] for r in done.json()["refused"]] == ["999"]
    left = api.get("/api/escalations?unacknowledged=true", headers=head).json()["items"]
    assert left == []
