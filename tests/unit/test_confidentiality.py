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
FULL = {
    "full_name": "Hoàng Thị Bích Ngọc",
    "address": "Số 12 ngõ 34 đường Lê Lợi, phường Hưng Bình, Vinh",
    "contact": "0912 345 678 (Zalo)",
    "id_number": "040190001234",
    "email": "ngoc.hoang@example.vn",
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


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("bà Bích Ngọc phản ánh", ["full_name"]),  # the given name, as people say it
        ("BICH NGOC", ["full_name"]),
        ("gọi +84 912 345 678", ["contact"]),  # a phone number however it is written
        ("ĐT 0912.345.678", ["contact"]),
        ("mail ngoc.hoang", ["email"]),  # the local part of the address
        ("ở số 12 ngõ 34 đường Lê Lợi", ["address"]),  # the street part of the address
        ("CCCD 040 190 001 234", ["id_number"]),
    ],
)
def test_parts_of_the_identity_are_found_too(text: str, fields: list[str]) -> None:
    assert [field for _, field in identity_leaks({"t": text}, FULL)] == fields


@pytest.mark.parametrize(
    "text",
    [
        "chủ tịch phường Hưng Bình thu tiền",  # the ward where the denouncer lives is no secret
        "bà Hoàng Thị Lan",  # a family and middle name alone are not the person
        "thu 123.456 đồng năm 2024",
        "đường Lê Lợi",
    ],
)
def test_common_words_do_not_count_as_the_identity(text: str) -> None:
    assert identity_leaks({"t": text}, FULL) == []


def test_a_refusal_to_someone_who_may_not_see_the_identity_names_no_part_of_it() -> None:
    with pytest.raises(IdentityDisclosure) as raised:
        ensure_no_identity({"reasons": "Bích Ngọc"}, FULL, "the notice x", may_name_fields=False)
    assert "full_name" not in str(raised.value)
    assert "in reasons" in str(raised.value)


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
