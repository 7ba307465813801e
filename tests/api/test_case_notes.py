"""Internal notes on a case (issue 27): a head and the handler write to each other on the
case; reception may not; a note naming the sender is stored withheld for every reader, sealed
as typed; each note is on the audit trail; the web page and the CLI write them too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.api.test_api import DENOUNCER, USERS, as_, issue_tokens, logged

from casework.services.app import Casework

pytestmark = pytest.mark.api


@pytest.fixture
def tokens(app: Casework) -> dict[str, str]:
    return issue_tokens(app, USERS)


def test_head_and_handler_write_notes_reception_may_not(
    api: TestClient, tokens: dict[str, str]
) -> None:
    ref = logged(api, tokens)
    head, handler = as_(tokens, "tt-chanh-thanh-tra"), as_(tokens, "tt-xac-minh-1")
    first = api.post(
        f"/api/cases/{ref}/notes", json={"text": "Đề nghị xác minh trước 20/02"}, headers=head
    )
    assert first.status_code == 201, first.text
    assert first.json()["author"] == "tt-chanh-thanh-tra"
    reply = api.post(
        f"/api/cases/{ref}/notes",
        json={"text": f"Đã liên hệ bà {DENOUNCER} để bổ sung tài liệu"},
        headers=handler,
    )
    assert reply.status_code == 201, reply.text
    shown = api.get(f"/api/cases/{ref}", headers=handler).json()
    texts = [n["text"] for n in shown["notes"]]
    assert texts[0] == "Đề nghị xác minh trước 20/02"
    assert DENOUNCER not in texts[1]  # withheld for every reader, sealed as typed
    assert [n["author"] for n in shown["notes"]] == ["tt-chanh-thanh-tra", "tt-xac-minh-1"]
    refused = api.post(
        f"/api/cases/{ref}/notes", json={"text": "x"}, headers=as_(tokens, "tt-tiep-nhan")
    )
    assert refused.status_code == 403
    empty = api.post(f"/api/cases/{ref}/notes", json={"text": "   "}, headers=head)
    assert empty.status_code == 422
    trail = api.get(f"/api/audit?case={ref}", headers=head).json()["items"]
    written = [e for e in trail if e["action"] == "case.note_written"]
    assert len(written) == 2
    assert all(DENOUNCER not in str(e) for e in written)
    # another agency's officer: the case does not exist for him
    other = api.post(
        f"/api/cases/{ref}/notes", json={"text": "x"}, headers=as_(tokens, "tnmt-xac-minh")
    )
    assert other.status_code == 404
