"""One reading of an intake for every entrypoint (services/intake_form.py): the command line,
the API and the web form map their input onto the same fields, and these are read alike."""

from __future__ import annotations

from datetime import date

import pytest

from casework.domain.errors import InvalidInput
from casework.services.intake import Denouncer, OtherDenounced
from casework.services.intake_form import intake_command

pytestmark = pytest.mark.unit

TODAY = date(2026, 7, 6)


def no_letter(ref: str) -> date:
    raise AssertionError(f"no letter is read here, asked for {ref}")


def read(fields: dict[str, object], **labels: str) -> object:
    return intake_command(fields, "tt-tiep-nhan", TODAY, no_letter, labels)


def test_a_case_file_reads_into_the_command() -> None:
    command = intake_command(
        {
            "kind": "denunciation",
            "agency": "thanh-tra-tinh",
            "received": "2026-07-01",
            "summary": "Thu tiền trái quy định",
            "denouncer": {"full_name": "Phạm Thị Hoa", "address": "Vinh"},
            "denounced_name": "Lê Văn Cường",
            "also_denounced": ["officer:tt-xac-minh-1", "agency:ubnd-huyen-a", "Nguyễn Văn B"],
            "anonymous": "no",
        },
        "tt-tiep-nhan",
        TODAY,
        no_letter,
    )
    assert command.received_on == date(2026, 7, 1)
    assert command.denouncer == Denouncer("Phạm Thị Hoa", address="Vinh")
    assert command.more_denounced == (
        OtherDenounced(officer="tt-xac-minh-1"),
        OtherDenounced(agency="ubnd-huyen-a"),
        OtherDenounced(name="Nguyễn Văn B"),
    )
    assert command.anonymous is False
    assert command.logged_by == "tt-tiep-nhan"
    assert command.complaint is None
    assert command.channel == "letter"


def test_the_api_shapes_read_the_same() -> None:
    as_text = intake_command(
        {"kind": "denunciation", "agency": "a", "also_denounced": ["officer:x"]},
        "t",
        TODAY,
        no_letter,
    )
    as_mapping = intake_command(
        {"kind": "denunciation", "agency": "a", "also_denounced": [{"officer": "x", "name": ""}]},
        "t",
        TODAY,
        no_letter,
    )
    assert as_text.more_denounced == as_mapping.more_denounced
    assert as_text.received_on == TODAY  # no date given: received today


def test_a_complaint_reads_its_facts() -> None:
    command = intake_command(
        {
            "kind": "complaint",
            "agency": "a",
            "complaint": {
                "decision_known_on": date(2026, 6, 30),
                "contested_decision": " QĐ 12/QĐ-UBND ",
                "remote_area": "xã đặc biệt khó khăn",
                "disciplinary": "yes",
            },
        },
        "t",
        TODAY,
        no_letter,
    )
    facts = command.complaint
    assert facts is not None
    assert facts.decision_known_on == date(2026, 6, 30)
    assert facts.contested_decision == "QĐ 12/QĐ-UBND"
    assert (facts.remote_area, facts.remote_area_reason) == (True, "xã đặc biệt khó khăn")
    assert facts.disciplinary is True
    assert facts.issuer_level == "other"
    yes_only = intake_command(
        {"kind": "complaint", "agency": "a", "complaint": {"remote_area": "yes"}},
        "t",
        TODAY,
        no_letter,
    )
    assert yes_only.complaint is not None
    assert (yes_only.complaint.remote_area, yes_only.complaint.remote_area_reason) == (True, "")


@pytest.mark.parametrize(
    ("fields", "labels", "said"),
    [
        ({"kind": "denunciation"}, {"agency": "--agency"}, "--agency is required"),
        (
            {"kind": "denunciation", "agency": "a", "received": "2026-13-01"},
            {"received": "received_on"},
            "received_on: '2026-13-01' is not a date; use DD/MM/YYYY or YYYY-MM-DD",
        ),
        (
            {"kind": "denunciation", "agency": "a", "anonymous": "maybe"},
            {"anonymous": "the case file's anonymous"},
            "the case file's anonymous must be yes or no, not 'maybe'",
        ),
        (
            {"kind": "denunciation", "agency": "a", "colour": "red"},
            {},
            "unknown fields colour; allowed: kind, agency",
        ),
        (
            {"kind": "denunciation", "agency": "a", "denouncer": "Hoa"},
            {"denouncer": "'denouncer' in the file"},
            "'denouncer' in the file must be a mapping of: full_name, address",
        ),
        (
            {"kind": "complaint", "agency": "a", "complaint": {"dismissal": "perhaps"}},
            {},
            "complaint dismissal must be yes or no, not 'perhaps'",
        ),
        (
            {"kind": "complaint", "agency": "a", "complaint": {"when": "now"}},
            {},
            "unknown complaint fields when; allowed: decision_known_on",
        ),
        (
            {"kind": "denunciation", "agency": "a", "also_denounced": [{"who": "x"}]},
            {"also_denounced": "--also-denounced"},
            "--also-denounced: each party is a name as the letter gives it",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_as_given(
    fields: dict[str, object], labels: dict[str, str], said: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        read(fields, **labels)
    assert said in str(refused.value)


def test_a_case_from_a_letter_keeps_the_letter_s_date_and_agency() -> None:
    asked: list[str] = []

    def receipt(ref: str) -> date:
        asked.append(ref)
        return date(2026, 7, 2)

    command = intake_command(
        {"kind": "complaint", "from_letter": "DON-2026-1"}, "t", TODAY, receipt
    )
    assert (command.received_on, command.agency, asked) == (date(2026, 7, 2), "", ["DON-2026-1"])


def test_what_the_review_found_reads_as_before() -> None:
    # the API's reason is a reason, whatever its words
    api = intake_command(
        {"kind": "complaint", "agency": "a", "complaint": {"remote_area_reason": "yes"}},
        "t",
        TODAY,
        no_letter,
    )
    assert api.complaint is not None
    assert (api.complaint.remote_area, api.complaint.remote_area_reason) == (True, "yes")
    # a complaint's facts on a denunciation reach the intake, which refuses them
    stray = intake_command(
        {"kind": "denunciation", "agency": "a", "complaint": {"disciplinary": False}},
        "t",
        TODAY,
        no_letter,
    )
    assert stray.complaint is not None
    # a number a case file gives unquoted is text
    numbered = intake_command(
        {"kind": "denunciation", "agency": "a", "summary": 12345}, "t", TODAY, no_letter
    )
    assert numbered.summary == "12345"
    # the ground of a re-denunciation is read wherever it is given
    again = intake_command(
        {
            "kind": "denunciation",
            "agency": "a",
            "redenunciation_of": "TC-2024-000001",
            "redenunciation_ground": "late",
        },
        "t",
        TODAY,
        no_letter,
    )
    assert again.redenunciation is not None
    assert (again.redenunciation.of_ref, again.redenunciation.ground) == ("TC-2024-000001", "late")
