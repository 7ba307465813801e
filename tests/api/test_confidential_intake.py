"""Denunciations logged the ways a reception desk really types them, read back by every login
through every read path of the API: the denounced, whoever may be him, and their relatives see
nothing; alerts go past them (issue 20)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.api.test_api import Clock, as_, issue_tokens
from tests.conftest import at

from casework.domain.confidentiality import SUMMARY_WITHHELD, TEXT_WITHHELD
from casework.services.app import Casework
from casework.services.outbox import list_outbox
from casework.services.sweep import sweep
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.api

LOGINS = (
    "hn-tiep-nhan",
    "hn-chu-tich",
    "hn-pho-chu-tich",
    "hn-xac-minh",
    "tt-tiep-nhan",
    "tt-chanh-thanh-tra",
    "tt-xac-minh-1",
    "tt-xac-minh-2",
    "ubnd-chu-tich",
    "ubnd-quan-tri",
)
DENOUNCER = "Phạm Thị Hoa"


@pytest.fixture
def tokens(app: Casework) -> dict[str, str]:
    return issue_tokens(app, LOGINS)


def log(
    api: TestClient, tokens: dict[str, str], by: str, agency: str, **denounced: str
) -> dict[str, Any]:
    body = {
        "kind": "denunciation",
        "agency": agency,
        "received_on": "2024-02-01",
        "summary": "Thu tiền trái quy định khi cấp giấy phép",
        "sender": {"full_name": DENOUNCER, "address": "Vinh, Nghệ An", "contact": "0912345678"},
        **denounced,
    }
    response = api.post("/api/cases", json=body, headers=as_(tokens, by))
    assert response.status_code == 201, response.text
    return dict(response.json())


def sees(api: TestClient, tokens: dict[str, str], login: str, ref: str) -> dict[str, bool]:
    """What `login` gets of case `ref` on every read path of the API."""
    headers = as_(tokens, login)
    listed = api.get("/api/cases", headers=headers)
    exported = api.get("/api/cases/export.csv", headers=headers)
    paths = {
        "page": api.get(f"/api/cases/{ref}", headers=headers).status_code == 200,
        "identity": api.get(f"/api/cases/{ref}/identity", headers=headers).status_code == 200,
        "triggers": api.get(f"/api/cases/{ref}/triggers", headers=headers).status_code == 200,
        "explain": api.get(f"/api/cases/{ref}/explain", headers=headers).status_code == 200,
        "audit": api.get(f"/api/audit?case={ref}", headers=headers).status_code == 200,
        "list": listed.status_code == 200 and ref in {c["ref"] for c in listed.json()["items"]},
        "export": exported.status_code == 200 and ref in exported.text,
    }
    return paths


@pytest.mark.parametrize(
    "typed",
    [
        "ông Đoàn Văn Uy",
        "Chủ tịch xã Đoàn Văn Uy",
        "Uy Doan Van",
        "Chủ tịch UBND xã Hưng Nguyên",
    ],
)
def test_a_denounced_head_typed_with_a_title_sees_nothing(
    api: TestClient, tokens: dict[str, str], typed: str
) -> None:
    logged = log(api, tokens, "hn-tiep-nhan", "xa-hung-nguyen", denounced_name=typed)
    ref = logged["ref"]
    assert [c["officer"] for c in logged["candidates"]] == ["hn-chu-tich"]
    # he, and every officer who answers to him, finds no trace of the case anywhere
    for login in ("hn-chu-tich", "hn-pho-chu-tich", "hn-xac-minh", "hn-tiep-nhan"):
        assert not any(sees(api, tokens, login, ref).values()), login
        response = api.get(f"/api/cases/{ref}", headers=as_(tokens, login))
        assert response.status_code == 404
        assert DENOUNCER not in response.text
    # the province above sees the case, and its head is not the commune's: no identity
    seen = sees(api, tokens, "ubnd-chu-tich", ref)
    assert seen["page"]
    assert seen["list"]
    assert seen["export"]
    assert not seen["identity"]


def test_the_same_404_for_a_hidden_case_and_a_missing_one(
    api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "hn-tiep-nhan", "xa-hung-nguyen", denounced_name="ông Đoàn Văn Uy")[
        "ref"
    ]
    headers = as_(tokens, "hn-chu-tich")
    hidden = api.get(f"/api/cases/{ref}", headers=headers)
    missing = api.get("/api/cases/TC-2024-999999", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["title"] == missing.json()["title"]


def test_a_relative_typed_with_a_description_sees_nothing_and_cannot_be_assigned(
    api: TestClient, tokens: dict[str, str]
) -> None:
    # tt-xac-minh-2 declared his sibling "Lê Văn Cường"
    ref = log(
        api,
        tokens,
        "tt-tiep-nhan",
        "thanh-tra-tinh",
        denounced_name="ông LE VAN CUONG, cán bộ địa chính",
    )["ref"]
    assert not any(sees(api, tokens, "tt-xac-minh-2", ref).values())
    seen = sees(api, tokens, "tt-xac-minh-1", ref)
    assert seen["page"]
    assert seen["list"]
    assert not seen["identity"]
    assert sees(api, tokens, "tt-chanh-thanh-tra", ref)["identity"]
    refused = api.post(
        f"/api/cases/{ref}/assign",
        json={"officer": "tt-xac-minh-2"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    assert refused.status_code == 403, refused.text
    assert "family relation" in refused.json()["detail"]


def test_a_denounced_agency_logged_at_that_agency_hides_the_identity_from_its_head(
    api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "hn-tiep-nhan", "xa-hung-nguyen", denounced_agency="xa-hung-nguyen")[
        "ref"
    ]
    for login in ("hn-chu-tich", "hn-pho-chu-tich", "hn-xac-minh", "hn-tiep-nhan"):
        assert not any(sees(api, tokens, login, ref).values()), login


def test_the_dashboard_leaves_out_a_case_that_may_name_the_viewer(
    api: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    ref = log(
        api, tokens, "hn-tiep-nhan", "xa-hung-nguyen", denounced_name="Chủ tịch xã Đoàn Văn Uy"
    )["ref"]
    clock.now = at("2024-03-15")

    def board(login: str) -> dict[str, Any]:
        response = api.get("/api/dashboard", headers=as_(tokens, login))
        assert response.status_code == 200, response.text
        return dict(response.json())

    mine, above = board("hn-chu-tich"), board("ubnd-chu-tich")
    # neither a figure nor a list tells him of the case against him
    assert (mine["totals"]["open"], mine["totals"]["overdue"]) == (0, 0)
    assert ref not in [row["ref"] for row in mine["overdue"]]
    assert sum(day["due"] for day in mine["calendar"]) == 0
    # counted apart and taken away, the case leaves no row of zeros for its clock either
    assert mine["totals"] == {"open": 0, "overdue": 0, "due_soon": 0, "unassigned": 0}
    assert mine["by_clock"] == []
    assert [(u["open"], u["overdue"], u["due_soon"]) for u in mine["by_unit"]] == [(0, 0, 0)]
    assert (above["totals"]["open"], above["totals"]["overdue"]) == (1, 1)
    assert ref in [row["ref"] for row in above["overdue"]]


def test_escalations_go_past_a_candidate_to_the_next_head_up(
    app: Casework, api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "hn-tiep-nhan", "xa-hung-nguyen", denounced_name="ông Đoàn Văn Uy")[
        "ref"
    ]
    fired = sweep(app, at("2024-03-15")).fired
    told = {r["officer"] for f in fired if f.case_ref == ref for r in f.recipients}
    assert told, "the overdue case must alert someone"
    assert not told & {"hn-chu-tich", "hn-pho-chu-tich", "hn-xac-minh", "hn-tiep-nhan"}
    assert "ubnd-chu-tich" in told
    alerts = api.get("/api/escalations", headers=as_(tokens, "hn-chu-tich"))
    assert ref not in alerts.text


def test_reloading_the_organisation_recomputes_who_a_case_excludes(
    app: Casework, api: TestClient, tokens: dict[str, str], tmp_path: Any
) -> None:
    import yaml
    from tests.conftest import EXAMPLE_ORG

    from casework.services.organisation import load_organisation_file

    ref = log(
        api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_name="bà Trần Thị Nga, kế toán"
    )["ref"]
    assert sees(api, tokens, "tt-xac-minh-1", ref)["page"]
    api.post(
        f"/api/cases/{ref}/assign",
        json={"officer": "tt-xac-minh-1"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    # tt-xac-minh-1 declares that the denounced accountant is her sister
    data = yaml.safe_load(EXAMPLE_ORG.read_text(encoding="utf-8"))
    data["relations"].append(
        {"officer": "tt-xac-minh-1", "kinship": "sibling", "person_name": "Trần Thị Nga"}
    )
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_organisation_file(app, path, "ubnd-quan-tri", at("2024-02-02"))
    assert not any(sees(api, tokens, "tt-xac-minh-1", ref).values())
    with app.database.connect() as connection:
        reasons = connection.execute(
            text("SELECT officer, reason FROM case_exclusion ORDER BY officer")
        ).all()
    assert [tuple(r) for r in reasons] == [("tt-xac-minh-1", "relative")]
    # she handled it: she is unassigned (on the record of who loaded the file) and the chief
    # inspector is told to assign someone else
    view = api.get(f"/api/cases/{ref}", headers=as_(tokens, "tt-chanh-thanh-tra")).json()
    assert view["handler"] is None
    with app.database.connect() as connection:
        unassigned = connection.execute(
            text("SELECT actor FROM audit_entry WHERE action = 'case.unassigned'")
        ).all()
        told = connection.execute(
            text(
                "SELECT recipient_officer FROM outbox_message WHERE template = 'handler.unassigned'"
            )
        ).all()
    assert [tuple(r) for r in unassigned] == [("ubnd-quan-tri",)]
    assert [tuple(r) for r in told] == [("tt-chanh-thanh-tra",)]


def test_a_summary_naming_the_sender_is_withheld_from_who_may_not_see_him(
    api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(
        api,
        tokens,
        "tt-tiep-nhan",
        "thanh-tra-tinh",
        denounced_name="Công ty X",
        summary="Bà Hoa Phạm Thị (0912 345 678) tố cáo công ty X",
    )["ref"]
    api.post(
        f"/api/cases/{ref}/assign",
        json={"officer": "tt-xac-minh-1"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    handler = as_(tokens, "tt-xac-minh-1")
    page = api.get(f"/api/cases/{ref}", headers=handler).json()
    listed = api.get("/api/cases", headers=handler).json()["items"]
    assert page["summary"] == SUMMARY_WITHHELD
    assert [c["summary"] for c in listed if c["ref"] == ref] == [SUMMARY_WITHHELD]
    for login in ("tt-tiep-nhan", "tt-chanh-thanh-tra"):  # the logger, the resolver's head
        # stored withheld for every reader; the summary as typed is in the identity view
        mine = api.get(f"/api/cases/{ref}", headers=as_(tokens, login)).json()
        assert mine["summary"] == SUMMARY_WITHHELD
        typed = api.get(f"/api/cases/{ref}/identity", headers=as_(tokens, login)).json()
        assert "Hoa Phạm Thị" in typed["summary"]
    refused = api.get(f"/api/cases/{ref}/identity", headers=handler)
    assert refused.status_code == 403, refused.text


def test_a_guessed_repeat_is_not_answered_to_who_may_not_see_both_senders(
    api: TestClient, tokens: dict[str, str]
) -> None:
    first = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_name="Công ty X")
    # the administrator guesses the sender's name and contact of the first letter
    guess = log(api, tokens, "ubnd-quan-tri", "thanh-tra-tinh", denounced_name="Công ty X")
    wrong = log(
        api, tokens, "ubnd-quan-tri", "thanh-tra-tinh", denounced_name="Công ty X",
        sender={"full_name": "Trần Văn Khác", "address": "Huế"},
    )  # fmt: skip
    # a right and a wrong guess read alike
    assert {k: v for k, v in guess.items() if k != "ref"} == {
        k: v for k, v in wrong.items() if k != "ref"
    }
    assert guess["repeat_of"] is None
    # the logger of both would be told; so is the head, on the case page
    again = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_name="Công ty X")
    assert again["repeat_of"] == first["ref"]
    head = api.get(f"/api/cases/{guess['ref']}", headers=as_(tokens, "tt-chanh-thanh-tra"))
    assert head.json()["attributes"]["repeat_of"] == first["ref"]
    admin = api.get(f"/api/cases/{guess['ref']}", headers=as_(tokens, "ubnd-quan-tri"))
    assert admin.json()["attributes"]["repeat_of"] is None

    def logged_repeat(login: str) -> Any:
        trail = api.get(f"/api/audit?case={again['ref']}", headers=as_(tokens, login)).json()
        [entry] = [e for e in trail["items"] if e["action"] == "case.logged"]
        return entry["payload"].get("repeat_of")

    # the audit trail keeps the link from those the case page keeps it from
    assert logged_repeat("tt-chanh-thanh-tra") == first["ref"]
    assert logged_repeat("ubnd-chu-tich") is None


def test_a_denunciation_of_several_excludes_each_of_them(
    api: TestClient, tokens: dict[str, str]
) -> None:
    logged = log(
        api,
        tokens,
        "tt-tiep-nhan",
        "thanh-tra-tinh",
        denounced_name="Công ty TNHH Cát Vàng",
        more_denounced=[{"officer": "tt-xac-minh-2"}, {"name": "bà Ngô Thị Lan, thanh tra viên"}],
    )
    assert [c["officer"] for c in logged["candidates"]] == ["tt-xac-minh-1"]
    for login in ("tt-xac-minh-1", "tt-xac-minh-2"):
        assert not any(sees(api, tokens, login, logged["ref"]).values()), login
    parties = api.get(
        f"/api/cases/{logged['ref']}/parties", headers=as_(tokens, "tt-chanh-thanh-tra")
    ).json()["parties"]
    assert [(p["kind"], p["officer"]) for p in parties] == [
        ("person", None),
        ("officer", "tt-xac-minh-2"),
        ("person", None),
    ]
    refused = api.post(
        "/api/cases",
        json={
            "kind": "petition",
            "agency": "thanh-tra-tinh",
            "received_on": "2024-02-01",
            "summary": "Kiến nghị",
            "sender": {"full_name": DENOUNCER},
            "denounced_name": "X",
            "more_denounced": [{"name": "Y"}],
        },
        headers=as_(tokens, "tt-tiep-nhan"),
    )
    assert refused.status_code == 422
    assert "several denounced parties are for a denunciation" in refused.json()["detail"]


def test_a_denounced_administrator_reads_nothing_of_it_in_the_trail_or_the_outbox(
    app: Casework, api: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_officer="ubnd-quan-tri")[
        "ref"
    ]
    clock.now = at("2024-02-05")
    advanced = api.post(
        f"/api/cases/{ref}/advance",
        json={"trigger": "accept", "on": "2024-02-02"},
        headers=as_(tokens, "tt-chanh-thanh-tra"),
    )
    assert advanced.status_code == 200, advanced.text
    admin = as_(tokens, "ubnd-quan-tri")
    trail = api.get("/api/audit?limit=1000", headers=admin).json()["items"]
    assert trail  # the organisation's own entries are there
    assert ref not in {entry["case"] for entry in trail}
    reader = principal_of_officer(app, "ubnd-quan-tri")
    assert ref not in {m["case"] for m in list_outbox(app, reader)["messages"]}
    # the chief inspector, who is not excluded, reads the case's trail
    own = api.get(f"/api/audit?case={ref}", headers=as_(tokens, "tt-chanh-thanh-tra"))
    assert {entry["case"] for entry in own.json()["items"]} == {ref}


def test_a_reason_naming_the_sender_is_withheld_from_who_may_not_see_him(
    api: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_name="Công ty X")["ref"]
    clock.now = at("2024-02-05")
    head = as_(tokens, "tt-chanh-thanh-tra")
    api.post(
        f"/api/cases/{ref}/assign",
        json={"officer": "tt-xac-minh-1", "reason": "bà Phạm T. Hoa đề nghị người khác"},
        headers=head,
    )
    api.post(
        f"/api/cases/{ref}/advance",
        json={
            "trigger": "triage",
            "on": "2024-02-02",
            "reason": "đã gọi bà Hoa Phạm Thị 0912 345 678",
        },
        headers=head,
    )
    handler = as_(tokens, "tt-xac-minh-1")
    view = api.get(f"/api/cases/{ref}", headers=handler).json()
    assert [h["reason"] for h in view["history"]][-1] == TEXT_WITHHELD
    trail = api.get(f"/api/audit?case={ref}", headers=as_(tokens, "ubnd-chu-tich")).json()
    assert "0912" not in str(trail)
    assert "Phạm T. Hoa" not in str(trail)
    mine = api.get(f"/api/cases/{ref}", headers=head).json()  # stored withheld for all
    assert mine["history"][-1]["reason"] == TEXT_WITHHELD
    typed = api.get(f"/api/cases/{ref}/identity", headers=head).json()  # he may see the sender
    assert "0912 345 678" in typed["history"][-1]["reason"]
    # the assignment's reason, stored withheld, reads as recorded in the identity view
    assigned = [e for e in typed["typed_entries"] if e["action"] == "case.assigned"]
    assert [e["payload"]["reason"] for e in assigned] == ["bà Phạm T. Hoa đề nghị người khác"]


def test_an_agency_typed_by_name_is_withheld_from_its_staff_who_may_still_log_it(
    api: TestClient, tokens: dict[str, str]
) -> None:
    logged = log(
        api, tokens, "hn-tiep-nhan", "xa-hung-nguyen", denounced_name="UBND xã Hưng Nguyên"
    )
    assert {c["officer"] for c in logged["candidates"]} >= {"hn-chu-tich", "hn-tiep-nhan"}
    for login in ("hn-chu-tich", "hn-pho-chu-tich", "hn-xac-minh", "hn-tiep-nhan"):
        assert not any(sees(api, tokens, login, logged["ref"]).values()), login
    assert sees(api, tokens, "ubnd-chu-tich", logged["ref"])["page"]


def test_a_hidden_case_and_a_missing_one_read_alike_however_the_ref_is_typed(
    api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(
        api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", **{"denounced_name": "bà Ngô Thị Lan"}
    )["ref"]
    missing = ref[:-1] + ("9" if ref[-1] != "9" else "8")
    headers = as_(tokens, "tt-xac-minh-1")
    for typed, other in ((ref.lower(), missing.lower()), (f" {ref}", f" {missing}")):
        hidden = api.get(f"/api/cases/{typed}", headers=headers)
        absent = api.get(f"/api/cases/{other}", headers=headers)
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json()["detail"].replace(typed, "REF") == absent.json()["detail"].replace(
            other, "REF"
        )


def test_linking_a_case_out_of_reach_answers_as_for_a_missing_one(
    api: TestClient, tokens: dict[str, str]
) -> None:
    ref = log(api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", denounced_name="Công ty X")["ref"]
    body = {
        "kind": "denunciation",
        "agency": "xa-hung-nguyen",
        "received_on": "2024-02-01",
        "summary": "Tố cáo tiếp",
        "sender": {"full_name": "Nguyễn Văn Khác"},
        "redenunciation_of": ref,
    }
    probe = api.post("/api/cases", json=body, headers=as_(tokens, "hn-tiep-nhan"))
    absent = api.post(
        "/api/cases",
        json={**body, "redenunciation_of": "TC-2024-000999"},
        headers=as_(tokens, "hn-tiep-nhan"),
    )
    assert probe.status_code == absent.status_code == 404
    assert probe.json()["detail"].replace(ref, "REF") == absent.json()["detail"].replace(
        "TC-2024-000999", "REF"
    )
    empty = api.post(
        "/api/cases",
        json={**body, "agency": "thanh-tra-tinh", "redenunciation_of": None,
              "denounced_name": "X", "more_denounced": [{"name": " "}]},
        headers=as_(tokens, "tt-tiep-nhan"),
    )  # fmt: skip
    assert empty.status_code == 422
    assert "an empty denounced party" in empty.json()["detail"]


def test_a_letter_classified_into_a_denunciation_is_withheld_with_it(
    api: TestClient, tokens: dict[str, str]
) -> None:
    letter = log(
        api, tokens, "tt-tiep-nhan", "thanh-tra-tinh", kind="letter", summary="Đơn phản ánh"
    )["ref"]
    assert sees(api, tokens, "tt-xac-minh-1", letter)["page"]  # nobody is named yet
    case = api.post(
        "/api/cases",
        json={
            "kind": "denunciation",
            "received_on": "2024-02-01",
            "summary": "Thanh tra viên nhận tiền",
            "from_letter": letter,
            "denounced_name": "Thanh tra viên Ngô Thị Lan",
        },
        headers=as_(tokens, "tt-tiep-nhan"),
    )
    assert case.status_code == 201, case.text
    for ref in (letter, case.json()["ref"]):
        assert not any(sees(api, tokens, "tt-xac-minh-1", ref).values()), ref
        assert sees(api, tokens, "tt-chanh-thanh-tra", ref)["page"], ref
