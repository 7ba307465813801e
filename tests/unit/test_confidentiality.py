"""Finding a denouncer's identity in a notice's data, however it was typed."""

from __future__ import annotations

import pytest

from casework.domain.confidentiality import (
    IdentityDisclosure,
    ensure_no_identity,
    fold,
    identity_leaks,
)

pytestmark = pytest.mark.unit

IDENTITY = {
    "full_name": "Nguyễn Văn Đức",
    "address": "12 Lê Lợi, Vinh",
    "contact": "0912 345 678",
    "id_number": "040190001234",
    "email": "duc@example.vn",
}


def test_fold_ignores_case_diacritics_spaces_and_punctuation() -> None:
    assert fold("Nguyễn Văn Đức") == fold("NGUYEN VAN DUC") == fold("nguyen-van-duc")
    assert fold("0912 345 678") == fold("0912.345.678") == "0912345678"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"case": {"content": "ông NGUYEN VAN DUC tố cáo"}}, [("case.content", "full_name")]),
        ({"items": ["gọi 0912.345.678"]}, [("items[0]", "contact")]),
        ({"reasons": "CCCD 040 190 001 234"}, [("reasons", "id_number")]),
        ({"to": "DUC@example.vn"}, [("to", "email")]),
        ({"case": {"content": "thu tiền trái quy định", "ref": "TC-2024-000001"}}, []),
    ],
)
def test_leaks_are_found_wherever_they_are(
    data: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert identity_leaks(data, IDENTITY) == expected


def test_very_short_values_are_not_looked_for() -> None:
    assert identity_leaks({"text": "An ninh trật tự"}, {"full_name": "An"}) == []


def test_the_error_names_the_field_and_the_place_and_gives_advice() -> None:
    with pytest.raises(IdentityDisclosure) as raised:
        ensure_no_identity(
            {"case": {"content": "Nguyễn Văn Đức phản ánh"}},
            IDENTITY,
            "the notice party.content_notice",
            advice={"case.content": "Give --set content=..."},
        )
    message = str(raised.value)
    assert "full_name appears in case.content" in message
    assert "nothing was written" in message
    assert "Give --set content=..." in message


def test_no_identity_means_nothing_to_hide() -> None:
    ensure_no_identity({"anything": "Nguyễn Văn Đức"}, None, "x")
