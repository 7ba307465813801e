"""A refusal an officer meets on the web UI says what is wrong, and what is allowed, in
Vietnamese (issue 26): the page shows `CaseworkError.vi` where the error has it, and the English
message — with its command-line options, field codes and "LTC Art. 37" — where not.

The refusals are triggered through the service functions the web pages call, on the example
organisation (SQLite: the words do not depend on the database), and each must carry Vietnamese
with no English word and no internal code. A last test reads the services' source: every
`raise` of a CaseworkError on these paths gives its Vietnamese (`said(...)`, or `vi=` for a
TransitionRefused), unless listed below with the reason it never reaches a page."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import REPO_ROOT, at
from tests.scenarios import COMPLAINT, DENUNCIATION, step

from casework.adapters.case_store import canonical_ref
from casework.adapters.letters import LetterWriter
from casework.domain import confidentiality, errors
from casework.domain.access import Action
from casework.domain.confidentiality import IdentityDisclosure, ensure_no_identity
from casework.domain.errors import (
    CaseworkError,
    ConcurrentUpdate,
    ConflictOfInterest,
    InvalidInput,
    NotAllowed,
    NotFound,
    NotSignedIn,
    TransitionRefused,
)
from casework.domain.free_text import check_text
from casework.domain.visibility import NOTHING, CaseAccess, hidden, require_exists, require_identity
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.assignment import assign_case
from casework.services.authorisation import authorise, authorise_intake, scoped_filter
from casework.services.case_parties import confirm_outside, identify, recuse
from casework.services.case_views import (
    CaseFilter,
    allowed_triggers,
    check_filter_values,
    show_case,
    show_case_to,
)
from casework.services.complaint_intake import ComplaintFacts
from casework.services.dashboard import dashboard
from casework.services.delivery import deliver_pending
from casework.services.escalations import acknowledge
from casework.services.intake import Denouncer, LogCase, OtherDenounced, log_case
from casework.services.intake_form import intake_command
from casework.services.outbox import list_outbox, record_handed
from casework.services.redenunciation_intake import Redenunciation
from casework.services.users import add_user, change_own_password, principal_of_officer, sign_in
from casework.services.web_sessions import end_sessions_of, resume

# English a Vietnamese page must not show: the words of the engine's messages, the law's
# abbreviations, and "Art." (a citation reads "Điều 37 Luật Tố cáo năm 2018")
ENGLISH = re.compile(
    r"\b(the|is|are|not|must|allowed|case|cases|use|give|needs?|only|already|of|and|or|for|"
    r"with|from|none|yes|officer|agency|complaint|denunciation|petition|letter|received|"
    r"state|trigger|triggers|step|reason|date|party|LTC|LKN|LTCD|ND\d+)\b|\bArts?\.",
    re.IGNORECASE,
)
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+\.[a-z_]+\b|--[a-z]")  # snake_case, a.b
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
EMAIL = re.compile(r"\S+@\S+")  # an example address is no word of the page

PASSWORD = "mật khẩu đủ dài để thử"
LOGGER = {
    "ubnd-tinh": "ubnd-tiep-nhan",
    "thanh-tra-tinh": "tt-tiep-nhan",
    "xa-nghi-loc": "nl-tiep-nhan",
}
PROVINCE = "ubnd-tinh"


def english_in(text: str) -> list[str]:
    """What in `text` is not Vietnamese a page may show."""
    text = EMAIL.sub(" ", text)
    found = [m.group(0) for m in ENGLISH.finditer(text)]
    found += [m.group(0) for m in CODE.finditer(text)]
    found += [m.group(0) for m in ISO_DATE.finditer(text)]
    return sorted(set(found))


def refusal(
    action: Callable[[], object], kind: type[CaseworkError] = CaseworkError
) -> CaseworkError:
    """The error `action` raises (of `kind`)."""
    with pytest.raises(kind) as caught:
        action()
    return caught.value


def assert_in_vietnamese(refusals: dict[str, CaseworkError]) -> None:
    """Each refusal has Vietnamese of its own, with no English word nor code in it."""
    wrong = {
        what: (error.vi or f"(no Vietnamese) {error}", english_in(error.vi))
        for what, error in refusals.items()
        if not error.vi or english_in(error.vi) or error.vi == str(error)
    }
    assert wrong == {}


def assert_vietnamese(error: CaseworkError, *expected: str) -> None:
    assert_in_vietnamese({str(error): error})
    for words in expected:
        assert words in error.vi


@pytest.fixture
def app(sqlite_app: Casework) -> Casework:
    return sqlite_app


def test_the_check_finds_english_and_codes() -> None:
    assert english_in("the case is not allowed (LTC Art. 37)") == [
        "Art.",
        "LTC",
        "allowed",
        "case",
        "is",
        "not",
        "the",
    ]
    assert {"--s", "2024-02-19", "decision_known_on", "denunciation.triage", "use"} <= set(
        english_in("use --set decision_known_on, denunciation.triage, 2024-02-19")
    )
    assert english_in("Ngày nhận 19/02/2024 (Điều 37 Luật Tố cáo năm 2018), ví dụ a@b.vn") == []


# --- intake ------------------------------------------------------------------------------


def log(app: Casework, command: LogCase) -> str:
    return log_case(app, command, at(command.received_on.isoformat(), 10)).ref


def second_complaint(
    app: Casework, first: str, received: str = "2026-08-20", agency: str = PROVINCE, **facts: object
) -> str:
    """A second complaint on case `first`, logged at `agency` on `received`."""
    return log(
        app,
        replace(
            COMPLAINT,
            agency=agency,
            received_on=date.fromisoformat(received),
            denouncer=None,
            denounced_officer=None,
            logged_by=LOGGER[agency],
            complaint=ComplaintFacts(second_instance_of=first, **facts),  # type: ignore[arg-type]
        ),
    )


def decided(app: Casework, sent: bool = True, **facts: object) -> str:
    """A first complaint to the commune, decided on 2026-08-03 (and sent on 08-05)."""
    ref = log(
        app,
        replace(
            COMPLAINT,
            complaint=ComplaintFacts(decision_known_on=date(2026, 5, 20), **facts),  # type: ignore[arg-type]
        ),
    )
    handler = "nl-xac-minh"
    step(app, ref, "accept", "2026-07-08", handler)
    step(app, ref, "schedule_dialogue", "2026-07-20", handler, dialogue_on="2026-07-27")
    step(app, ref, "hold_dialogue", "2026-07-27", handler, result="disagreement")
    step(app, ref, "decide", "2026-08-03", handler, outcome="wrong")
    if sent:
        step(app, ref, "send_decision", "2026-08-05", handler)
    return ref


@pytest.mark.integration
def test_each_refusal_of_a_complaints_facts(app: Casework) -> None:
    def facts(**given: object) -> LogCase:
        return replace(
            COMPLAINT,
            complaint=ComplaintFacts(decision_known_on=date(2026, 5, 20), **given),  # type: ignore[arg-type]
        )

    refusals = {
        "issuer level": refusal(lambda: log(app, facts(issuer_level="mayor")), InvalidInput),
        "remote area": refusal(lambda: log(app, facts(remote_area=True)), InvalidInput),
        "dismissal": refusal(lambda: log(app, facts(dismissal=True)), InvalidInput),
        "known late": refusal(
            lambda: log(
                app,
                replace(COMPLAINT, complaint=ComplaintFacts(decision_known_on=date(2026, 7, 3))),
            ),
            InvalidInput,
        ),
    }
    assert_in_vietnamese(refusals)
    assert "Chủ tịch UBND cấp tỉnh" in refusals["issuer level"].vi  # the choices, in words
    assert "03/07/2026" in refusals["known late"].vi


@pytest.mark.integration
def test_each_refusal_of_a_second_complaint(app: Casework) -> None:
    denunciation = log(app, DENUNCIATION)
    received = log(app, COMPLAINT)  # not even accepted
    resolving = log(app, COMPLAINT)
    step(app, resolving, "accept", "2026-07-08", "nl-xac-minh")  # resolve_first due 08-07
    minister = log(
        app,
        replace(
            COMPLAINT,
            complaint=ComplaintFacts(decision_known_on=date(2026, 5, 20), issuer_level="minister"),
        ),
    )
    unsent = decided(app, sent=False)
    sued = decided(app)
    step(app, sued, "appeal", "2026-08-20", "nl-xac-minh", route="lawsuit", to_agency="TAND tỉnh")
    first = decided(app)
    refusals = {
        "not a complaint": refusal(lambda: second_complaint(app, denunciation), InvalidInput),
        "not yet decided": refusal(lambda: second_complaint(app, received), InvalidInput),
        "still resolving": refusal(
            lambda: second_complaint(app, resolving, "2026-07-20"), InvalidInput
        ),
        "minister": refusal(lambda: second_complaint(app, minister), InvalidInput),
        "decision not sent": refusal(lambda: second_complaint(app, unsent), InvalidInput),
        "taken to court": refusal(lambda: second_complaint(app, sued, "2026-08-21"), InvalidInput),
        "same body": refusal(
            lambda: second_complaint(app, first, agency="xa-nghi-loc"), InvalidInput
        ),
        "not the superior": refusal(
            lambda: second_complaint(app, first, agency="thanh-tra-tinh"), InvalidInput
        ),
    }
    second = second_complaint(app, first)
    refusals["already continued"] = refusal(
        lambda: second_complaint(app, first, "2026-08-21"), InvalidInput
    )
    refusals["already second"] = refusal(
        lambda: second_complaint(app, second, "2026-10-01"), InvalidInput
    )
    assert_in_vietnamese(refusals)
    # the state by its legal name, the dates as dd/mm/yyyy, the agencies by their names
    assert "«Tiếp nhận đơn khiếu nại»" in refusals["not yet decided"].vi
    assert "07/08/2026" in refusals["still resolving"].vi
    assert "Ủy ban nhân dân tỉnh Nghệ An" in refusals["not the superior"].vi
    assert "khoản 1 Điều 33 Luật Khiếu nại năm 2011" in refusals["decision not sent"].vi
    assert second in refusals["already continued"].vi


def original_denunciation(app: Casework, accept: bool = True, **changes: object) -> str:
    """A denunciation to Sở TNMT received on 2024-07-01 (accepted on 07-04: due 08-05)."""
    ref = log(
        app,
        replace(
            DENUNCIATION,
            agency="so-tnmt",
            received_on=date(2024, 7, 1),
            logged_by="tnmt-tiep-nhan",
            **changes,  # type: ignore[arg-type]
        ),
    )
    if accept:
        step(app, ref, "accept", "2024-07-04", "tnmt-xac-minh")
    return ref


def again(
    app: Casework, of: str, ground: str, received: str = "2024-08-12", **changes: object
) -> str:
    """`of` denounced again to the province on `received`."""
    command = replace(
        DENUNCIATION,
        agency=PROVINCE,
        received_on=date.fromisoformat(received),
        denounced_name="",
        logged_by=LOGGER[PROVINCE],
        redenunciation=Redenunciation(of, ground),
    )
    return log(app, replace(command, **changes))  # type: ignore[arg-type]


@pytest.mark.integration
def test_each_refusal_of_a_denunciation_made_again(app: Casework) -> None:
    accepted = original_denunciation(app)
    unaccepted = original_denunciation(app, accept=False)
    anonymous = original_denunciation(app, accept=False, denouncer=None, anonymous=True)
    complaint = log(app, COMPLAINT)
    refusals = {
        "ground": refusal(lambda: again(app, accepted, "slow"), InvalidInput),
        "not a denunciation": refusal(
            lambda: again(app, complaint, "late", "2026-08-12"), InvalidInput
        ),
        "not the superior": refusal(
            lambda: again(app, accepted, "late", agency="thanh-tra-tinh", logged_by="tt-tiep-nhan"),
            InvalidInput,
        ),
        "not yet concluded": refusal(lambda: again(app, accepted, "unlawful"), InvalidInput),
        "late, but not open": refusal(lambda: again(app, anonymous, "late"), InvalidInput),
        "late, but no period": refusal(lambda: again(app, unaccepted, "late"), InvalidInput),
        "not late yet": refusal(lambda: again(app, accepted, "late", "2024-07-20"), InvalidInput),
        "no sender": refusal(lambda: again(app, accepted, "late", denouncer=None), InvalidInput),
    }
    assert_in_vietnamese(refusals)
    assert "05/08/2024" in refusals["not late yet"].vi
    assert "Thông tin có nội dung tố cáo" in refusals["late, but not open"].vi  # legal name
    assert "Ủy ban nhân dân tỉnh Nghệ An" in refusals["not the superior"].vi
    assert "Quá thời hạn mà tố cáo chưa được giải quyết" in refusals["not yet concluded"].vi


@pytest.mark.integration
def test_a_second_complaint_or_a_redenunciation_on_a_case_not_below_is_refused_in_vietnamese(
    app: Casework,
) -> None:
    elsewhere = log(app, DENUNCIATION)  # at the provincial inspectorate, not below Sở TNMT
    reception = principal_of_officer(app, "ubnd-tiep-nhan")
    lower_reception = principal_of_officer(app, "tnmt-tiep-nhan")
    refusals = {
        "missing redenounced": refusal(
            lambda: authorise_intake(
                app,
                reception,
                replace(
                    DENUNCIATION,
                    agency=PROVINCE,
                    redenunciation=Redenunciation("TC-2024-000999", "late"),
                ),
                at("2024-08-12"),
            ),
            NotFound,
        ),
        "missing first": refusal(
            lambda: authorise_intake(
                app,
                reception,
                replace(
                    COMPLAINT, agency=PROVINCE, complaint=ComplaintFacts(second_instance_of="x")
                ),
                at("2026-08-20"),
            ),
            NotFound,
        ),
        # the original is above the lower agency: it may not be linked from there
        "not below": refusal(
            lambda: authorise_intake(
                app,
                lower_reception,
                replace(
                    DENUNCIATION, agency="so-tnmt", redenunciation=Redenunciation(elsewhere, "late")
                ),
                at("2026-08-12"),
            ),
            NotFound,
        ),
    }
    assert_in_vietnamese(refusals)
    assert "TC-2024-000999" in refusals["missing redenounced"].vi


@pytest.mark.integration
def test_each_refusal_of_what_reception_typed(app: Casework) -> None:
    def logged(**changes: object) -> Callable[[], str]:
        return lambda: log(app, replace(DENUNCIATION, **changes))  # type: ignore[arg-type]

    named = Denouncer("Phạm Thị Hoa", "Vinh, Nghệ An")
    refusals = {
        "no kind": refusal(logged(kind=""), InvalidInput),
        "channel": refusal(logged(channel="fax"), InvalidInput),
        "anonymous complaint": refusal(
            lambda: log(app, replace(COMPLAINT, denouncer=None, anonymous=True)), InvalidInput
        ),
        "classified on": refusal(logged(classified_on=date(2026, 7, 6)), InvalidInput),
        "redenounced complaint": refusal(
            lambda: log(
                app, replace(COMPLAINT, redenunciation=Redenunciation("TC-2026-1", "late"))
            ),
            InvalidInput,
        ),
        "complaint facts": refusal(logged(complaint=ComplaintFacts()), InvalidInput),
        "email": refusal(logged(denounced_email="ông Cường"), InvalidInput),
        "own email": refusal(
            logged(
                denouncer=replace(named, email="cuong@example.vn"),
                denounced_email="cuong@example.vn",
            ),
            InvalidInput,
        ),
        "not reception": refusal(logged(logged_by="tt-xac-minh-1"), InvalidInput),
        "complaint unnamed": refusal(
            lambda: log(app, replace(COMPLAINT, denouncer=None)), InvalidInput
        ),
        "complaint without the date": refusal(
            lambda: log(app, replace(COMPLAINT, complaint=None)), InvalidInput
        ),
        "no rule then": refusal(logged(received_on=date(1995, 3, 1)), InvalidInput),
        "too early": refusal(logged(received_on=date(24, 3, 1)), InvalidInput),
        "future": refusal(
            lambda: log_case(
                app, replace(DENUNCIATION, received_on=date(2026, 7, 7)), at("2026-07-06")
            ),
            InvalidInput,
        ),
        "summary too long": refusal(logged(summary="x" * 10_001), InvalidInput),
        "control character": refusal(logged(denounced_name="Lê\x07Văn Cường"), InvalidInput),
        "others without the first": refusal(
            logged(denounced_name="", more_denounced=(OtherDenounced("Lê Văn Cường"),)),
            InvalidInput,
        ),
        "others of a complaint": refusal(
            lambda: log(app, replace(COMPLAINT, more_denounced=(OtherDenounced("Lê Văn Cường"),))),
            InvalidInput,
        ),
        "an empty other": refusal(logged(more_denounced=(OtherDenounced(),)), InvalidInput),
        "the logger is denounced": refusal(
            logged(denounced_name="", denounced_officer="tt-tiep-nhan"), ConflictOfInterest
        ),
        "unknown officer": refusal(
            logged(more_denounced=(OtherDenounced(officer="tt-khong-co"),)), NotFound
        ),
    }
    assert_in_vietnamese(refusals)
    assert "«Nội dung» dài 10.001 ký tự" in refusals["summary too long"].vi
    assert "«Người, cơ quan bị tố cáo / bị khiếu nại»" in refusals["control character"].vi
    assert "Ngày nhận 01/03/0024" in refusals["too early"].vi
    assert "Trực tiếp" in refusals["channel"].vi  # what is allowed, as the form offers it
    assert "Kiến nghị, phản ánh" in refusals["no kind"].vi


@pytest.mark.integration
def test_each_refusal_of_a_case_made_from_a_letter(app: Casework) -> None:
    letter = log(app, replace(DENUNCIATION, kind="letter", denounced_name=""))
    guided = log(app, replace(DENUNCIATION, kind="letter", denounced_name=""))
    step(app, guided, "guide", "2026-07-07", "tt-xac-minh-1", guidance="separate_letters")
    denunciation = log(app, DENUNCIATION)

    def classified(ref: str, kind: str = "denunciation", received: str = "2026-07-06") -> str:
        return log(
            app,
            replace(
                DENUNCIATION, kind=kind, from_letter=ref, received_on=date.fromisoformat(received)
            ),
        )

    refusals = {
        "not a letter": refusal(lambda: classified(denunciation), InvalidInput),
        "not a kind": refusal(lambda: classified(letter, "letter"), InvalidInput),
        "guided": refusal(lambda: classified(guided), InvalidInput),
        "another date": refusal(lambda: classified(letter, received="2026-07-03"), InvalidInput),
    }
    assert_in_vietnamese(refusals)
    assert "«Hướng dẫn người gửi»" in refusals["guided"].vi
    assert "06/07/2026" in refusals["another date"].vi


def test_the_intake_forms_dates_and_fields_are_named_in_vietnamese() -> None:
    labels = {"received": "received date", "denouncer": "sender"}  # as the web form gives them

    def read(**fields: object) -> Callable[[], object]:
        given = {"kind": "complaint", "agency": "xa-nghi-loc", "summary": "x", **fields}
        return lambda: intake_command(
            given, "nl-tiep-nhan", date(2026, 7, 6), lambda ref: date(2026, 7, 1), labels
        )

    refusals = {
        "received": refusal(read(received="32/13/2026"), InvalidInput),
        "decision known": refusal(read(complaint={"decision_known_on": "tháng 5"}), InvalidInput),
        "classified on": refusal(read(classified_on="hôm qua"), InvalidInput),
        "yes or no": refusal(read(anonymous="có lẽ"), InvalidInput),
        "disciplinary": refusal(read(complaint={"disciplinary": "chưa rõ"}), InvalidInput),
        "sender not a mapping": refusal(read(denouncer="Phạm Thị Hoa"), InvalidInput),
        "sender's fields": refusal(read(denouncer={"phone": "0912"}), InvalidInput),
        "complaint's fields": refusal(read(complaint={"decided_by": "x"}), InvalidInput),
        "unknown field": refusal(read(priority="cao"), InvalidInput),
        "text": refusal(read(complaint={"contested_decision": 45}), InvalidInput),
        "remote area": refusal(read(complaint={"remote_area": 60}), InvalidInput),
        "other parties": refusal(read(also_denounced=[["Lê Văn Cường"]]), InvalidInput),
        "no agency": refusal(read(agency=""), InvalidInput),
    }
    assert_in_vietnamese(refusals)
    assert "«Ngày nhận»" in refusals["received"].vi
    assert "«Ngày biết được quyết định bị khiếu nại»" in refusals["decision known"].vi
    assert "«Ngày phân loại đơn»" in refusals["classified on"].vi
    assert "«Khiếu nại quyết định kỷ luật cán bộ, công chức»" in refusals["disciplinary"].vi
    assert "Họ tên người gửi đơn" in refusals["sender's fields"].vi
    assert "«Quyết định, hành vi bị khiếu nại»" in refusals["text"].vi
    # the English keeps naming the field as the entrypoint's user knows it
    assert str(refusals["received"]).startswith("received date: '32/13/2026' is not a date")


# --- steps, assignment, parties --------------------------------------------------------------


def advance(
    app: Casework,
    ref: str,
    trigger: str,
    on: str,
    actor: str,
    version: int | None = None,
    **data: str,
) -> Callable[[], object]:
    return lambda: advance_case(
        app,
        AdvanceCase(ref, trigger, date.fromisoformat(on), actor, "", data, version),
        at("2026-07-10", 16),
    )


@pytest.mark.integration
def test_each_refusal_of_a_step(app: Casework) -> None:
    ref = log(app, DENUNCIATION)  # received 2026-07-06
    letter = log(app, replace(DENUNCIATION, kind="letter", denounced_name=""))
    handler = "tt-xac-minh-1"
    refusals = {
        "version": refusal(advance(app, ref, "triage", "2026-07-07", handler, 7), ConcurrentUpdate),
        "no such step": refusal(advance(app, ref, "fly", "2026-07-07", handler), TransitionRefused),
        "not from here": refusal(
            advance(app, ref, "conclude", "2026-07-07", handler), TransitionRefused
        ),
        "by hand": refusal(
            advance(app, ref, "hand_over", "2026-07-07", handler), TransitionRefused
        ),
        "future": refusal(advance(app, ref, "triage", "2026-07-11", handler), InvalidInput),
        "before receipt": refusal(advance(app, ref, "triage", "2026-07-01", handler), InvalidInput),
        "no acting role": refusal(
            advance(app, ref, "triage", "2026-07-07", "tt-tiep-nhan"), NotAllowed
        ),
        "another agency": refusal(
            advance(app, ref, "triage", "2026-07-07", "tnmt-xac-minh"), NotAllowed
        ),
        "a relative": refusal(
            advance(app, ref, "triage", "2026-07-07", "tt-xac-minh-2"), ConflictOfInterest
        ),
        "missing field": refusal(
            advance(app, letter, "guide", "2026-07-07", handler), InvalidInput
        ),
        "no such linked case": refusal(
            advance(
                app,
                letter,
                "file_without_handling",
                "2026-07-07",
                handler,
                ground="duplicate",
                duplicate_of="TC-2099-000123",
            ),
            InvalidInput,
        ),
        "control character": refusal(
            lambda: advance_case(
                app,
                AdvanceCase(ref, "triage", date(2026, 7, 7), handler, "lý do\x00"),
                at("2026-07-10", 16),
            ),
            InvalidInput,
        ),
    }
    step(app, ref, "triage", "2026-07-08", handler)
    refusals["before the last step"] = refusal(
        advance(app, ref, "accept", "2026-07-07", handler), InvalidInput
    )
    assert_in_vietnamese(refusals)
    assert "Các bước có thể thực hiện" in refusals["by hand"].vi
    assert "11/07/2026" in refusals["future"].vi
    assert "«Lý do»" in refusals["control character"].vi
    # the page lists what bars the officer the same way
    barred = allowed_triggers(app, ref, at("2026-07-10"), actor="tt-xac-minh-2")["triggers"]
    assert all(not english_in(why) for t in barred for why in t["blocked_by_vi"])


@pytest.mark.integration
def test_an_assignment_to_someone_not_allowed_is_refused_in_vietnamese(app: Casework) -> None:
    ref = log(app, DENUNCIATION)
    letter = log(app, replace(DENUNCIATION, kind="letter", denounced_name=""))
    step(app, letter, "guide", "2026-07-07", "tt-xac-minh-1", guidance="separate_letters")
    step(app, letter, "close", "2026-07-08", "tt-xac-minh-1")
    head = "tt-chanh-thanh-tra"

    def assign(case: str, officer: str) -> Callable[[], object]:
        return lambda: assign_case(app, case, officer, head, "phân công", at("2026-07-10"))

    refusals = {
        "not a handler": refusal(assign(ref, "tt-tiep-nhan"), InvalidInput),
        "another agency": refusal(assign(ref, "tnmt-xac-minh"), NotAllowed),
        "a relative": refusal(assign(ref, "tt-xac-minh-2"), ConflictOfInterest),
        "final": refusal(assign(letter, "tt-xac-minh-1"), InvalidInput),
        "unknown": refusal(assign(ref, "tt-khong-co"), NotFound),
    }
    assert_in_vietnamese(refusals)
    assert "Lê Văn Minh" in refusals["a relative"].vi  # the officer by his name
    assert "Sở Tài nguyên và Môi trường" in refusals["another agency"].vi


@pytest.mark.integration
def test_a_recusal_and_the_parties_are_refused_in_vietnamese(app: Casework) -> None:
    ref = log(app, replace(DENUNCIATION, denounced_name="Ngô Thị Lan"))  # may be tt-xac-minh-1
    plain = log(app, DENUNCIATION)
    handler = principal_of_officer(app, "tt-xac-minh-2")
    reception = principal_of_officer(app, "tt-tiep-nhan")
    head = principal_of_officer(app, "tt-chanh-thanh-tra")
    now = at("2026-07-10")
    refusals = {
        "recusal without reason": refusal(
            lambda: recuse(app, handler, plain, "  ", now), InvalidInput
        ),
        "no such party": refusal(
            lambda: identify(app, reception, ref, 3, "tt-xac-minh-1", "lý do", now), InvalidInput
        ),
        "not a head": refusal(
            lambda: identify(app, reception, ref, 1, "tt-xac-minh-1", "lý do", now), NotAllowed
        ),
        "nobody to confirm": refusal(
            lambda: confirm_outside(app, head, plain, 1, "người ngoài", now), InvalidInput
        ),
        "identify without reason": refusal(
            lambda: identify(app, head, ref, 1, "tt-xac-minh-1", "", now), InvalidInput
        ),
    }
    recuse(app, reception, ref, "người quen của người tố cáo", now)
    refusals["recused twice"] = refusal(
        lambda: recuse(app, reception, ref, "lần nữa", now), InvalidInput
    )
    assert_in_vietnamese(refusals)
    assert "Ngô Thị Lan" in refusals["not a head"].vi  # the candidates by their names
    assert "từ chối tham gia giải quyết hồ sơ" in refusals["recusal without reason"].vi


# --- who may do what; signing in ------------------------------------------------------------


@pytest.mark.integration
def test_a_refusal_of_the_role_or_the_agency_is_in_vietnamese(app: Casework) -> None:
    reception = principal_of_officer(app, "tt-tiep-nhan")
    now = at("2026-07-10")
    refusals = {
        "role": refusal(lambda: authorise(app, reception, Action.ADVANCE_CASE, now), NotAllowed),
        "agency": refusal(
            lambda: authorise(app, reception, Action.READ_CASES, now, agency="so-tnmt"), NotAllowed
        ),
        "unknown agency": refusal(
            lambda: authorise(app, reception, Action.READ_CASES, now, agency="so-khong-co"),
            NotFound,
        ),
        "list elsewhere": refusal(
            lambda: scoped_filter(app, reception, CaseFilter(agency="so-tnmt")), NotAllowed
        ),
        "alert": refusal(lambda: acknowledge(app, 12345, reception, now), NotFound),
    }
    assert_in_vietnamese(refusals)
    assert "thực hiện các bước xử lý hồ sơ" in refusals["role"].vi
    assert "Sở Tài nguyên và Môi trường" in refusals["agency"].vi


@pytest.mark.integration
def test_signing_in_and_changing_ones_password_are_refused_in_vietnamese(app: Casework) -> None:
    now = at("2026-07-10")
    add_user(app, "tt-tiep-nhan", PASSWORD, now)
    refusals = {
        "wrong password": refusal(lambda: sign_in(app, "tt-tiep-nhan", "sai"), NotSignedIn),
        "wrong current": refusal(
            lambda: change_own_password(app, "tt-tiep-nhan", "sai", "mật khẩu mới đủ dài", now),
            NotSignedIn,
        ),
        "too short": refusal(
            lambda: change_own_password(app, "tt-tiep-nhan", PASSWORD, "ngắn", now), InvalidInput
        ),
    }
    assert_in_vietnamese(refusals)


def test_a_typed_text_names_its_field_in_vietnamese() -> None:
    error = refusal(lambda: check_text("the name", "a\x07b", label_vi="Họ tên"), InvalidInput)
    assert_vietnamese(error, "«Họ tên»", "U+0007")
    assert str(error) == "the name holds a control character (U+0007); type plain text on one line"


# --- a case that does not exist, or not for the reader -----------------------------------


def test_a_missing_case_and_a_hidden_one_are_said_alike_in_vietnamese() -> None:
    ref = "TC-2026-000123"
    missing = hidden(ref)
    assert_vietnamese(missing, f"Không có hồ sơ số {ref}", "không có quyền xem hồ sơ này")
    assert str(missing) == f"no case {ref!r}; `casework case list` shows the cases"
    invisible = refusal(lambda: require_exists(NOTHING, ref), NotFound)
    assert (str(invisible), invisible.vi) == (str(missing), missing.vi)
    malformed = refusal(lambda: canonical_ref("số 123"), NotFound)
    assert_vietnamese(malformed, "«số 123» không phải là số hồ sơ", "TC-2026-000123")


@pytest.mark.integration
def test_a_case_read_by_someone_it_does_not_exist_for_is_said_as_a_missing_one(
    app: Casework,
) -> None:
    ref = log(app, DENUNCIATION)
    missing = ref[:-1] + ("9" if ref[-1] != "9" else "8")
    outsider = principal_of_officer(app, "tnmt-xac-minh")  # another agency's handler
    now = at("2026-07-10")
    refusals = {
        "hidden": refusal(lambda: show_case_to(app, outsider, ref, now), NotFound),
        "missing": refusal(lambda: show_case_to(app, outsider, missing, now), NotFound),
        "missing, no viewer": refusal(lambda: allowed_triggers(app, missing, now), NotFound),
    }
    assert_in_vietnamese(refusals)
    hidden_one, missing_one = refusals["hidden"], refusals["missing"]
    assert hidden_one.vi.replace(ref, "REF") == missing_one.vi.replace(missing, "REF")
    assert str(hidden_one).replace(ref, "REF") == str(missing_one).replace(missing, "REF")
    assert refusals["missing, no viewer"].vi == missing_one.vi


def test_the_senders_identity_is_refused_in_vietnamese_naming_who_may_see_it() -> None:
    error = refusal(
        lambda: require_identity(CaseAccess(exists=True, content=True, identity=False), "TC-1"),
        NotAllowed,
    )
    assert_vietnamese(
        error,
        "không được xem thông tin người gửi đơn của hồ sơ TC-1",
        "người đứng đầu cơ quan giải quyết",
        "khoản 3 Điều 8, Điều 47, Điều 56 Luật Tố cáo năm 2018",
    )
    assert str(error).startswith("you may not see the identity of the sender of TC-1")
    # a case that does not exist for him is not even said to have a sender
    assert refusal(lambda: require_identity(NOTHING, "TC-1"), NotFound).vi == hidden("TC-1").vi


@pytest.mark.integration
def test_the_sender_is_shown_to_nobody_unnamed(app: Casework) -> None:
    ref = log(app, DENUNCIATION)
    error = refusal(
        lambda: show_case(app, ref, at("2026-07-10"), viewer=None, reveal_identity=True),
        NotAllowed,
    )
    assert_vietnamese(error, "Thông tin người gửi đơn chỉ được mở cho một cán bộ")


def test_a_notice_that_would_name_the_sender_is_refused_in_vietnamese() -> None:
    identity = {"full_name": "Phạm Thị Hoa", "contact": "0912 345 678"}
    data = {"decision": {"data": {"reasons": "bà Phạm Thị Hoa, ĐT 0912345678, đề nghị"}}}
    places = {"decision.data.reasons": "«Lý do gia hạn»"}

    def scan(may_name: bool) -> CaseworkError:
        return refusal(
            lambda: ensure_no_identity(
                data, identity, "the notice x", may_name_fields=may_name, places_vi=places
            ),
            IdentityDisclosure,
        )

    named, unnamed = scan(True), scan(False)
    assert_vietnamese(named, "họ tên của người gửi đơn có trong «Lý do gia hạn»", "số điện thoại")
    assert_vietnamese(unnamed, "(trong «Lý do gia hạn»)", "khoản 3 Điều 8, Điều 56")
    # to who may not see the sender, no part is named: the refusal would confirm a guess
    assert "họ tên" not in unnamed.vi
    assert "số điện thoại" not in unnamed.vi


@pytest.mark.integration
def test_a_step_whose_notice_would_name_the_sender_is_refused_in_vietnamese(
    app: Casework,
) -> None:
    ref = log(app, DENUNCIATION)  # sent by Phạm Thị Hoa
    step(app, ref, "triage", "2026-07-07", "tt-xac-minh-1")
    step(app, ref, "accept", "2026-07-08", "tt-xac-minh-1")

    def send(actor: str) -> Callable[[], object]:
        content = "Bà Phạm Thị Hoa tố cáo cán bộ địa chính thu tiền"
        return advance(app, ref, "send_acceptance_notices", "2026-07-09", actor, content=content)

    refusals = {
        "to the head": refusal(send("tt-chanh-thanh-tra"), IdentityDisclosure),
        "to the handler": refusal(send("tt-xac-minh-1"), IdentityDisclosure),
    }
    assert_in_vietnamese(refusals)
    content = "«Nội dung tố cáo thông báo cho người bị tố cáo»"
    assert "họ tên của người gửi đơn có trong " + content in refusals["to the head"].vi
    assert content in refusals["to the handler"].vi
    assert "họ tên" not in refusals["to the handler"].vi


# --- a notice delivered by hand; the dashboard; the case list; sessions -----------------


@pytest.mark.integration
def test_each_refusal_of_a_notice_recorded_as_delivered_by_hand(
    app: Casework, tmp_path: Path
) -> None:
    ref = log(app, replace(DENUNCIATION, denouncer=Denouncer("Nguyễn Văn Bảy")))  # no address
    step(app, ref, "reject", "2026-07-07", "tt-xac-minh-1", reasons="không đủ điều kiện")
    deliver_pending(app, at("2026-07-08", 8), letters=LetterWriter(tmp_path))
    head = principal_of_officer(app, "tt-chanh-thanh-tra")
    (waiting,) = [
        m for m in list_outbox(app, head, "needs_attention")["messages"] if m["case"] == ref
    ]
    notice, now = int(waiting["id"]), at("2026-07-09")
    other_head = principal_of_officer(app, "tnmt-giam-doc")
    refusals = {
        "nothing said": refusal(lambda: record_handed(app, notice, head, "  ", now), InvalidInput),
        "too long": refusal(
            lambda: record_handed(app, notice, head, "trao tay " * 100, now), InvalidInput
        ),
        "no such notice": refusal(
            lambda: record_handed(app, 987654, head, "trao tay", now), NotFound
        ),
        "not his agency's": refusal(
            lambda: record_handed(app, notice, other_head, "trao tay", now), NotFound
        ),
    }
    assert record_handed(app, notice, head, "trao tận tay tại trụ sở ngày 09/07/2026", now) == ref
    refusals["already handed"] = refusal(
        lambda: record_handed(app, notice, head, "lần nữa", now), InvalidInput
    )
    assert_in_vietnamese(refusals)
    assert "trao tận tay tại trụ sở" in refusals["nothing said"].vi  # an example of what to say
    assert "đã nhập 899 ký tự" in refusals["too long"].vi
    # a notice about a case he may not see is one that does not exist: not even its case's number
    elsewhere = refusals["not his agency's"]
    assert ref not in str(elsewhere)
    assert ref not in elsewhere.vi
    assert elsewhere.vi.replace(str(notice), "N") == refusals["no such notice"].vi.replace(
        "987654", "N"
    )
    assert "đã được ghi nhận là đã chuyển" in refusals["already handed"].vi
    assert "is handed, not needs_attention" in str(refusals["already handed"])


@pytest.mark.integration
def test_the_dashboard_and_the_case_lists_bounds_are_said_in_vietnamese(app: Casework) -> None:
    now = at("2026-07-10")
    refusals = {
        "horizon": refusal(lambda: dashboard(app, None, now, horizon_days=-1), InvalidInput),
        "rows": refusal(lambda: dashboard(app, None, now, overdue_limit=0), InvalidInput),
        "state": refusal(
            lambda: check_filter_values(app, CaseFilter(state="đang bay")), InvalidInput
        ),
        "kind": refusal(lambda: check_filter_values(app, CaseFilter(kind="khac")), InvalidInput),
        "due within": refusal(
            lambda: check_filter_values(app, CaseFilter(due_within=999)), InvalidInput
        ),
    }
    assert_in_vietnamese(refusals)
    # the kinds as the reception form offers them
    assert {"Tố cáo", "Khiếu nại", "Đơn chưa phân loại"} <= set(
        refusals["kind"].vi.split(": ")[-1].split("; ")
    )


@pytest.mark.integration
def test_a_session_that_ended_is_said_in_vietnamese(app: Casework) -> None:
    now = at("2026-07-10")
    refusals = {
        "unknown session": refusal(lambda: resume(app, "khong-co", now), NotSignedIn),
        "unknown login": refusal(
            lambda: end_sessions_of(app, "khong-co", now, "ubnd-quan-tri"), InvalidInput
        ),
    }
    assert_in_vietnamese(refusals)
    assert "đăng nhập lại" in refusals["unknown session"].vi


@pytest.mark.integration
def test_each_refusal_of_an_interval_not_counted_is_in_vietnamese(app: Casework) -> None:
    """A complainant's obstacle (LKN Art. 9) leaves days out of the limitation, which runs
    from the day after 2026-05-20 until the complaint's receipt on 2026-07-02."""
    ref = log(app, COMPLAINT)
    handler = "nl-xac-minh"

    def obstacle(start: str, end: str) -> Callable[[], object]:
        return advance(
            app,
            ref,
            "record_obstacle",
            "2026-07-08",
            handler,
            reasons="ốm",
            to=end,
            **{"from": start},
        )

    refusals = {
        "not a date": refusal(obstacle("tháng 6", "2026-06-05"), InvalidInput),
        "backwards": refusal(obstacle("2026-06-05", "2026-06-01"), InvalidInput),
        "before the period": refusal(obstacle("2026-04-01", "2026-04-10"), InvalidInput),
        "after the period": refusal(obstacle("2026-06-01", "2026-07-10"), InvalidInput),
    }
    obstacle("2026-06-01", "2026-06-05")()
    refusals["overlapping"] = refusal(obstacle("2026-06-03", "2026-06-08"), InvalidInput)
    assert_in_vietnamese(refusals)
    assert "«Ngày bắt đầu»" in refusals["not a date"].vi
    assert "tính «Thời hiệu khiếu nại», từ ngày 21/05/2026" in refusals["before the period"].vi
    assert "đến ngày 02/07/2026" in refusals["after the period"].vi
    assert "từ ngày 01/06/2026 đến ngày 05/06/2026" in refusals["overlapping"].vi


# --- every raise on these paths has its Vietnamese ----------------------------------------

SRC = REPO_ROOT / "src" / "casework"
CHECKED = (
    "services/intake.py",
    "services/intake_form.py",
    "services/complaint_intake.py",
    "services/redenunciation_intake.py",
    "services/letter_intake.py",
    "services/advance.py",
    "services/assignment.py",
    "services/case_parties.py",
    "services/exclusions.py",
    "services/users.py",
    "services/sign_in_limits.py",
    "services/escalations.py",
    "services/authorisation.py",
    "services/outbox.py",
    "services/web_sessions.py",
    "services/dashboard.py",
    "services/case_views.py",
    "services/party_notices.py",
    "adapters/case_store.py",
    "adapters/case_lookup.py",
    "adapters/unit_of_work.py",
    "adapters/state_machine.py",
    "domain/access.py",
    "domain/case.py",
    "domain/clock_effects.py",
    "domain/confidentiality.py",
    "domain/free_text.py",
    "domain/organisation.py",
    "domain/visibility.py",
)
"""The files whose refusals reach a page of the web UI (the paths it calls)."""

ALLOWED_IN_ENGLISH = {
    ("domain/organisation.py", "__post_init__", "ConfigurationError"): (
        "an inconsistent organisation file is refused when an administrator loads it with the "
        "command line, never on a page"
    ),
    ("services/outbox.py", "list_outbox", "InvalidInput"): (
        "`casework outbox list --status`: the command line only; no page filters the outbox"
    ),
    ("services/outbox.py", "show_message", "NotFound"): (
        "`casework outbox show`: the command line only; no page shows one notice"
    ),
    ("services/outbox.py", "retry_dead", "InvalidInput"): (
        "`casework outbox retry`: the command line only; no page queues a notice again"
    ),
}
"""(file, function, error) → why that raise never reaches a page of the web UI."""

ERRORS = {
    name
    for module in (errors, confidentiality)  # IdentityDisclosure is an InvalidInput
    for name, value in vars(module).items()
    if isinstance(value, type) and issubclass(value, CaseworkError)
}


def _raises(tree: ast.AST) -> Iterator[tuple[str, ast.Raise, ast.AST]]:
    """Each `raise` with the function it is in."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Raise):
                    yield node.name, inner, node


def _error_made(call: ast.expr) -> str | None:
    """The CaseworkError `call` makes without its Vietnamese, if it does."""
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        return None
    name = call.func.id
    if name == "said":
        return None
    if name == "TransitionRefused" and any(k.arg == "vi" for k in call.keywords):
        return None
    return name if name in ERRORS else None


def _unsaid(function: ast.AST, raised: ast.expr) -> str | None:
    """The CaseworkError `raised` in `function` without its Vietnamese, if it is one."""
    if isinstance(raised, ast.Name):  # `raise missing`: how `missing` was made, in the function
        made = [
            node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == raised.id for t in node.targets)
        ]
        return next((name for value in made if (name := _error_made(value))), None)
    return _error_made(raised)


def _returned(tree: ast.AST) -> Iterator[tuple[str, ast.expr, ast.AST]]:
    """What each `return` gives, with the function it is in: a function that makes the error
    its callers raise (`raise hidden(ref)`) must make it with its Vietnamese."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    yield node.name, inner.value, node


def test_every_refusal_on_the_web_uis_paths_has_its_vietnamese() -> None:
    unsaid = []
    for relative in CHECKED:
        tree = ast.parse((SRC / relative).read_text(encoding="utf-8"))
        made = [
            (function, node.exc, scope, node.lineno)
            for function, node, scope in _raises(tree)
            if node.exc is not None  # else a bare re-raise
        ]
        made += [
            (function, value, scope, value.lineno) for function, value, scope in _returned(tree)
        ]
        for function, value, scope, line in made:
            error = _unsaid(scope, value)
            if error and (relative, function, error) not in ALLOWED_IN_ENGLISH:
                unsaid.append(f"{relative}:{line} {function}: {error}")
    assert unsaid == []


def test_the_check_of_the_source_finds_a_raise_without_vietnamese() -> None:
    source = """
def bare(x):
    raise InvalidInput("x")

def kept(x):
    missing = NotFound("x")
    raise missing

def fine(x):
    raise said(InvalidInput("x"), "y")

def refused(x):
    raise TransitionRefused("x", [], vi="y")

def made(x):
    return NotFound("x")

def made_and_said(x):
    return said(NotFound("x"), "y")
"""
    tree = ast.parse(source)
    found = [
        (function, _unsaid(scope, node.exc))
        for function, node, scope in _raises(tree)
        if node.exc is not None
    ]
    assert found == [
        ("bare", "InvalidInput"),
        ("kept", "NotFound"),
        ("fine", None),
        ("refused", None),
    ]
    assert [(function, _unsaid(scope, value)) for function, value, scope in _returned(tree)] == [
        ("made", "NotFound"),
        ("made_and_said", None),
    ]
    assert all((SRC / relative).is_file() for relative in CHECKED)
    assert all(Path(SRC / key[0]).is_file() for key in ALLOWED_IN_ENGLISH)
