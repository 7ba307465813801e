"""The keys that recognise a repeated letter (domain/repeats.py)."""

from __future__ import annotations

import pytest

from casework.domain.repeats import repeat_key, sender_key, subject_key

pytestmark = pytest.mark.unit


def test_the_same_sender_on_the_same_matter_shares_one_repeat_key() -> None:
    first = sender_key("Trần Thị Mai", id_number="040190001234")
    again = sender_key("TRAN THI MAI", id_number="040 190 001 234")
    assert first == again
    assert repeat_key(first, "denunciation", "thanh-tra-tinh", subject_key("Lê Văn Tám")) == (
        repeat_key(again, "denunciation", "thanh-tra-tinh", subject_key("le van  tam"))
    )


@pytest.mark.parametrize(
    ("kind", "agency", "denounced"),
    [
        ("complaint", "thanh-tra-tinh", "Lê Văn Tám"),  # another kind of case
        ("denunciation", "xa-hung-nguyen", "Lê Văn Tám"),  # another agency's desk
        ("denunciation", "thanh-tra-tinh", "Nguyễn Văn Bảy"),  # another matter
    ],
)
def test_kind_agency_and_subject_each_tell_cases_apart(
    kind: str, agency: str, denounced: str
) -> None:
    sender = sender_key("Trần Thị Mai", id_number="040190001234")
    base = repeat_key(sender, "denunciation", "thanh-tra-tinh", subject_key("Lê Văn Tám"))
    assert repeat_key(sender, kind, agency, subject_key(denounced)) != base


def test_without_a_sender_or_a_subject_there_is_nothing_to_compare() -> None:
    sender = sender_key("Trần Thị Mai", id_number="040190001234")
    assert repeat_key("", "denunciation", "thanh-tra-tinh", subject_key("Lê Văn Tám")) == ""
    assert repeat_key(sender, "denunciation", "thanh-tra-tinh", subject_key()) == ""
    assert sender_key("   ") == ""
