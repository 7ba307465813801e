"""The keys that recognise a repeated letter (domain/repeats.py)."""

from __future__ import annotations

import hashlib
import hmac
from functools import partial

import pytest

from casework.domain.repeats import repeat_key, subject_key
from casework.domain.repeats import sender_key as keyed_sender_key

pytestmark = pytest.mark.unit


def _digest(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[:32]


sender_key = partial(keyed_sender_key, partial(_digest, b"k" * 32))


def test_the_sender_key_cannot_be_recomputed_without_the_repeat_key() -> None:
    """A list of names and ID numbers gives nothing: the digest is keyed."""
    ours = sender_key("Trần Thị Mai", id_number="040190001234")
    theirs = keyed_sender_key(partial(_digest, b"x" * 32), "Trần Thị Mai", "040190001234")
    plain = hashlib.sha256(b"tran thi mai|id:040190001234").hexdigest()[:32]
    assert ours != theirs
    assert ours != plain


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
