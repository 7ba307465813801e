"""Letter handling (xử lý đơn): a letter is logged once, then classified into the case(s) of
its kind, keeping its receipt date, or filed; repeats of earlier cases are linked and counted
once. Dates counted by hand on the 2026 calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert
from tests.conftest import at
from tests.scenarios import clocks

from casework.adapters.case_store import CASES, IDENTITIES
from casework.adapters.repeat_lookup import _FIRST_WITH_REPEAT_KEY
from casework.domain.errors import ConflictOfInterest, InvalidInput, TransitionRefused
from casework.domain.repeats import repeat_key, sender_key, subject_key
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.complaint_intake import ComplaintFacts
from casework.services.intake import Denouncer, LogCase, Logged, log_case
from casework.services.redenunciation_intake import Redenunciation
from casework.services.statistics import Period, case_counts
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration

SENDER = Denouncer("Trần Thị Mai", "xóm 2, Hưng Nguyên", id_number="040190001234")


def letter(app: Casework, received: str = "2026-07-06", **changes: Any) -> str:
    command = LogCase(
        kind="letter",
        agency="thanh-tra-tinh",
        received_on=date.fromisoformat(received),
        summary="Đơn vừa khiếu nại quyết định thu hồi đất vừa tố cáo cán bộ địa chính",
        denouncer=SENDER,
        channel="visit",
        logged_by="tt-tiep-nhan",
    )
    return log_case(app, replace(command, **changes), at(received)).ref


def classify(app: Casework, letter_ref: str, kind: str, today: str, **changes: Any) -> Logged:
    view = show_case(app, letter_ref, at(today))
    command = LogCase(
        kind=kind,
        agency="",
        received_on=date.fromisoformat(view["received_on"]),
        summary="",
        logged_by="tt-tiep-nhan",
        from_letter=letter_ref,
    )
    return log_case(app, replace(command, **changes), at(today))


def view(app: Casework, ref: str, today: str, by: str = "ubnd-chu-tich") -> dict[str, Any]:
    """The case as officer `by` reads it (by default the provincial chairman, who sees every
    unit's cases but no sender he is not entitled to)."""
    return show_case(app, ref, at(today), viewer=principal_of_officer(app, by))


def test_a_mixed_letter_is_split_into_cases_that_count_from_its_receipt(app: Casework) -> None:
    ref = letter(app)  # Mon 07-06
    assert ref.startswith("DON-2026-")
    # 10 WD: 07, 08, 09, 10, 13, 14, 15, 16, 17, 20
    assert clocks(app, ref, "2026-07-06")["letter.handle"]["due"] == "2026-07-20"
    denunciation = classify(
        app, ref, "denunciation", "2026-07-09", denounced_name="Lê Văn Tám",
        summary="Cán bộ địa chính nhận tiền",
    )  # fmt: skip
    complaint = classify(
        app, ref, "complaint", "2026-07-09", agency="xa-hung-nguyen", logged_by="hn-tiep-nhan",
        denounced_officer="hn-chu-tich",
        complaint=ComplaintFacts(decision_known_on=date(2026, 6, 20)),
    )  # fmt: skip
    # both count from the letter's receipt, not from the day of classification
    tc = view(app, denunciation.ref, "2026-07-09")
    assert (tc["received_on"], tc["channel"], tc["agency"]) == (
        "2026-07-06",
        "visit",
        "thanh-tra-tinh",
    )
    assert tc["attributes"]["from_letter"] == ref
    assert tc["summary"] == "Cán bộ địa chính nhận tiền"
    # 7 WD from Mon 07-06: 07, 08, 09, 10, 13, 14, 15
    assert clocks(app, denunciation.ref, "2026-07-09")["denunciation.triage"]["due"] == "2026-07-15"
    kn = view(app, complaint.ref, "2026-07-09")
    assert (kn["received_on"], kn["agency"]) == ("2026-07-06", "xa-hung-nguyen")
    assert kn["summary"].startswith("Đơn vừa khiếu nại")  # the letter's, none given
    assert clocks(app, complaint.ref, "2026-07-09")["complaint.accept"]["due"] == "2026-07-15"
    # the sender carries over to every case
    revealed = show_case(
        app,
        complaint.ref,
        at("2026-07-09"),
        viewer=principal_of_officer(app, "hn-tiep-nhan"),
        reveal_identity=True,
    )
    assert revealed["denouncer"]["full_name"] == "Trần Thị Mai"
    # the letter records each classification and stops its clock on the first
    letter_view = view(app, ref, "2026-07-09")
    assert letter_view["state"] == "classified"
    assert [(h["trigger"], h["to"]) for h in letter_view["history"]] == [
        ("classify", "classified"),
        ("classify", "classified"),
    ]
    handle = clocks(app, ref, "2026-07-09")["letter.handle"]
    assert (handle["status"], handle["stopped_on"]) == ("stopped", "2026-07-09")
    assert letter_view["allowed_triggers"] == ["close"]  # classify is never taken by hand
    advance_case(
        app, AdvanceCase(ref, "close", date(2026, 7, 10), "tt-xac-minh-1"), at("2026-07-10")
    )


def test_classification_keeps_the_receipt_date_and_its_rules(app: Casework) -> None:
    ref = letter(app)
    with pytest.raises(InvalidInput, match="received on 2026-07-06"):
        classify(app, ref, "petition", "2026-07-09", received_on=date(2026, 7, 9))
    with pytest.raises(InvalidInput, match="classified as one of"):
        classify(app, ref, "letter", "2026-07-09")
    tc = classify(app, ref, "petition", "2026-07-09", summary="Kiến nghị")
    with pytest.raises(InvalidInput, match="not a letter"):
        classify(app, tc.ref, "petition", "2026-07-09")
    with pytest.raises(TransitionRefused, match="not recorded by hand"):
        advance_case(
            app,
            AdvanceCase(
                ref, "classify", date(2026, 7, 9), data={"as_kind": "petition", "case_ref": "x"}
            ),
            at("2026-07-09"),
        )


def test_a_classification_entered_later_keeps_its_own_date(app: Casework) -> None:
    ref = letter(app, "2026-07-06")
    classify(
        app, ref, "petition", "2026-07-30", summary="Kiến nghị", classified_on=date(2026, 7, 15)
    )
    handle = clocks(app, ref, "2026-07-30")["letter.handle"]
    assert (handle["stopped_on"], handle["late"]) == ("2026-07-15", False)  # due 07-20
    with pytest.raises(InvalidInput, match="goes with --from-letter"):
        letter(app, "2026-07-06", classified_on=date(2026, 7, 15))


def test_a_letter_not_to_be_handled_is_filed_with_its_ground(app: Casework) -> None:
    first = letter(app, "2026-07-06")
    again = letter(app, "2026-07-08")
    with pytest.raises(TransitionRefused, match="ground=duplicate needs --set duplicate_of"):
        advance_case(
            app,
            AdvanceCase(
                again,
                "file_without_handling",
                date(2026, 7, 9),
                "tt-xac-minh-1",
                data={"ground": "duplicate"},
            ),
            at("2026-07-09"),
        )
    with pytest.raises(InvalidInput, match="ground"):
        advance_case(
            app,
            AdvanceCase(again, "file_without_handling", date(2026, 7, 9), "tt-xac-minh-1"),
            at("2026-07-09"),
        )
    for wrong in ("TC-2099-000001", "not a reference"):
        with pytest.raises(InvalidInput, match=f"duplicate_of: no case {wrong!r}"):
            advance_case(
                app,
                AdvanceCase(
                    again,
                    "file_without_handling",
                    date(2026, 7, 9),
                    "tt-xac-minh-1",
                    data={"ground": "duplicate", "duplicate_of": wrong},
                ),
                at("2026-07-09"),
            )
    typed = first.lower().replace("-00000", "-")  # as an officer may type it: don-2026-1
    advance_case(
        app,
        AdvanceCase(
            again,
            "file_without_handling",
            date(2026, 7, 9),
            "tt-xac-minh-1",
            data={"ground": "duplicate", "duplicate_of": typed},
        ),
        at("2026-07-09"),
    )
    filed = view(app, again, "2026-07-09")
    assert (filed["state"], filed["attributes"]["duplicate_of"]) == ("not_handled", first)
    with pytest.raises(InvalidInput, match="not_handled"):
        classify(app, again, "petition", "2026-07-10", summary="x")


def _denunciation(app: Casework, received: str, sender: Denouncer, denounced: str) -> Logged:
    return log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date.fromisoformat(received),
            summary="Cán bộ nhận tiền",
            denouncer=sender,
            anonymous=not sender.full_name,
            denounced_name=denounced,
            logged_by="tt-tiep-nhan",
        ),
        at(received),
    )


def test_repeats_are_linked_to_the_first_case_and_counted_once(app: Casework) -> None:
    first = _denunciation(app, "2026-07-06", SENDER, "Lê Văn Tám")
    assert first.repeat_of is None
    # the same person (ID number decides; spelling, case and diacritics do not), same matter
    same = Denouncer("TRAN THI MAI", "Hưng Nguyên", id_number="040 190 001 234")
    second = _denunciation(app, "2026-08-06", same, "le van  tam")
    third = _denunciation(app, "2026-09-07", SENDER, "Lê Văn Tám")
    assert (second.repeat_of, third.repeat_of) == (first.ref, first.ref)
    # the reception officer who logged both may see both senders: he is told which case
    assert view(app, second.ref, "2026-08-06", "tt-tiep-nhan")["attributes"]["repeat_of"] == (
        first.ref
    )
    # a handler, who may see neither, is told nothing of it
    handler = view(app, second.ref, "2026-08-06", "tt-xac-minh-1")["attributes"]
    assert handler["repeat_of"] is None
    # another denounced person, or another person with the same name, is not a repeat
    other_matter = _denunciation(app, "2026-08-07", SENDER, "Nguyễn Văn Bảy")
    namesake = _denunciation(
        app, "2026-08-07", Denouncer("Trần Thị Mai", "Vinh", id_number="040190009999"), "Lê Văn Tám"
    )
    assert (other_matter.repeat_of, namesake.repeat_of) == (None, None)
    # an anonymous letter has no sender to compare
    anonymous = _denunciation(app, "2026-08-10", Denouncer(""), "Lê Văn Tám")
    assert anonymous.repeat_of is None
    counts = case_counts(app, Period(date(2026, 1, 1), date(2026, 12, 31)))
    (row,) = counts["kinds"]
    assert (row["kind"], row["received"], row["repeats"], row["counted"]) == (
        "denunciation",
        6,
        2,
        4,
    )
    assert row["by_state"] == {"intelligence": 1, "received": 3}
    july = case_counts(app, Period(date(2026, 7, 1), date(2026, 7, 31), "thanh-tra-tinh"))
    assert july["kinds"][0]["counted"] == 1
    with pytest.raises(InvalidInput, match="before --from"):
        case_counts(app, Period(date(2026, 7, 31), date(2026, 7, 1)))


def test_finding_a_repeat_reads_one_index_however_many_cases_share_the_subject(
    app: Casework,
) -> None:
    # two thousand people denounced the same official, and the planner has no statistics yet
    # (a new database, or a sudden burst): the lookup must go by the repeat key's index and
    # read case_file by its key alone. Joining on the subject once walked all two thousand
    # cases on PostgreSQL, once per letter logged.
    subject = subject_key("Lê Văn Tám")
    crowd = range(1000, 3000)
    with app.database.begin() as connection:
        connection.execute(
            insert(CASES),
            [
                {
                    "id": number,
                    "reference": f"TC-2026-{number:06d}",
                    "kind": "denunciation",
                    "state": "received",
                    "agency": "thanh-tra-tinh",
                    "received_on": date(2026, 7, 6),
                    "logged_at": at("2026-07-06"),
                    "subject_key": subject,
                    "attributes": {},
                    "version": 1,
                }
                for number in crowd
            ],
        )
        connection.execute(
            insert(IDENTITIES),
            [
                {
                    "case_id": number,
                    # never opened: only the digests matter to the lookup
                    "key_id": app.vault.keyring.current()[0],
                    "wrapped_key": "",
                    "identity": "",
                    "repeat_key": repeat_key(
                        f"sender-{number}", "denunciation", "thanh-tra-tinh", subject
                    ),
                }
                for number in crowd
            ],
        )
    first = _denunciation(app, "2026-07-07", SENDER, "Lê Văn Tám")
    again = _denunciation(app, "2026-07-08", SENDER, "le van tam")
    assert (first.repeat_of, again.repeat_of) == (None, first.ref)
    key = repeat_key(
        sender_key(app.vault.digest, SENDER.full_name, SENDER.id_number),
        "denunciation",
        "thanh-tra-tinh",
        subject,
    )
    with app.database.connect() as connection:
        compiled = _FIRST_WITH_REPEAT_KEY.compile(dialect=connection.dialect)
        parameters = compiled.construct_params({"repeat_key": key})
        if connection.dialect.name == "postgresql":
            plan = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", parameters)]
            by_key = "case_file_pkey"
        else:
            positional = tuple(parameters[name] for name in compiled.positiontup or ())
            plan = [
                row[-1]
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional)
            ]
            by_key = "PRIMARY KEY"
    text = "\n".join(plan)
    assert "ix_denouncer_identity_repeat_key" in text, text
    case_reads = [line for line in plan if "case_file" in line]
    assert case_reads, text
    assert all(by_key in line for line in case_reads), text


def test_repeats_never_tell_another_desk_or_the_denounced_who_wrote(app: Casework) -> None:
    # a denunciation of the commune's reception officer, lodged with the provincial inspectorate
    first = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2026, 7, 6),
            summary="Cán bộ tiếp dân đòi tiền",
            denouncer=SENDER,
            denounced_officer="hn-tiep-nhan",
            logged_by="tt-tiep-nhan",
        ),
        at("2026-07-06"),
    )
    probe = LogCase(
        kind="denunciation",
        agency="xa-hung-nguyen",
        received_on=date(2026, 7, 7),
        summary="thử",
        denouncer=Denouncer("tran thi mai", "xom 2 hung nguyen", id_number="040190001234"),
        denounced_officer="hn-tiep-nhan",
        logged_by="hn-tiep-nhan",
    )
    # the denounced officer may not log a denunciation of himself: nothing is disclosed
    with pytest.raises(ConflictOfInterest):
        log_case(app, probe, at("2026-07-07"))
    # another desk logging the same sender and matter is not told of the inspectorate's case
    other_desk = log_case(app, replace(probe, logged_by=None), at("2026-07-07"))
    assert (first.repeat_of, other_desk.repeat_of) == (None, None)


def test_a_second_complaint_or_a_re_denunciation_is_not_a_repeat(app: Casework) -> None:
    lower = _denunciation(app, "2024-07-01", SENDER, "Lê Văn Tám")
    advance_case(
        app, AdvanceCase(lower.ref, "accept", date(2024, 7, 4), "tt-xac-minh-1"), at("2024-07-04")
    )
    again = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="ubnd-tinh",
            received_on=date(2024, 8, 12),
            summary="Tố cáo tiếp",
            denouncer=SENDER,
            logged_by="ubnd-tiep-nhan",
            redenunciation=Redenunciation(lower.ref, "late"),
        ),
        at("2024-08-12"),
    )
    assert again.repeat_of is None
    counts = case_counts(app, Period(date(2024, 1, 1), date(2024, 12, 31)))
    assert counts["kinds"][0]["counted"] == 2
