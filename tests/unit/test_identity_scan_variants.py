"""The identity scan sees through the ways a name, a number or an address can be disguised.

Property-based: identities are drawn from Vietnamese names, phone numbers, ID numbers and e-mail
addresses; each is disguised (reordered, recased, stripped of diacritics, with invisible
characters, look-alike letters, fullwidth forms, other separators, spelled-out "@" and ".") and
put in a sentence, and the scan must still find it. Texts of unrelated words and short numbers
must find nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.domain.confidentiality import fold, identity_leaks
from casework.domain.text_folding import folded_words, plain_text

pytestmark = pytest.mark.unit

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý")  # fmt: skip
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quốc", "Xuân", "Thu", "Bích")
GIVEN_NAMES = ("Hoa", "Lan", "Hùng", "Dũng", "Phương", "Hương", "Tuấn", "Nguyệt", "Quỳnh",
               "Thảo", "Khánh", "Anh", "Cường", "Hải", "Yến", "Ngọc", "Đạt", "Tâm")  # fmt: skip
MAIL_DOMAINS = ("example.vn", "gmail.com", "yahoo.com.vn", "thanhtra.gov.vn")
STREETS = ("Lê Lợi", "Trần Phú", "Quang Trung", "Nguyễn Du", "Hai Bà Trưng")

# Words of a notice that are no part of any identity drawn above.
UNRELATED_WORDS = ("cán bộ", "địa chính", "nhận tiền", "trái quy định", "ủy ban", "nhân dân",
                   "xã", "huyện", "quyết định", "giải quyết", "tố cáo", "kiến nghị", "an ninh",
                   "trật tự", "tài sản", "công trình", "kết luận", "thời hạn", "gia hạn", "đơn",
                   "người", "bị", "việc", "chuyển", "cơ quan", "có", "thẩm quyền", "An", "Ân",
                   "ngày", "tháng", "năm", "tài liệu", "biên bản", "làm việc", "với")  # fmt: skip

INVISIBLES = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
LOOK_ALIKES = {
    "a": "аα", "e": "е", "o": "оο", "p": "рρ", "c": "сϲ", "y": "уγ", "x": "х", "i": "іι",
    "A": "АΑ", "B": "ВΒ", "E": "ЕΕ", "H": "НΗ", "K": "КΚ", "M": "МΜ", "O": "ОΟ", "P": "РΡ",
    "C": "С", "T": "ТΤ", "X": "ХΧ", "N": "Ν", "I": "ІΙ",
}  # fmt: skip
PHONE_SEPARATORS = (" ", ".", "-", "/", "_", "  ", " - ", " / ", " . ", "\u00a0")
CASINGS: tuple[Callable[[str], str], ...] = (
    str.upper,
    str.lower,
    str.title,
    str.strip,
)  # strip: as is
EXAMPLES = settings(deadline=None, derandomize=True, max_examples=100)


def without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


# --- identities ---------------------------------------------------------------------------


@st.composite
def full_names(draw: st.DrawFn) -> list[str]:
    middle = draw(st.lists(st.sampled_from(MIDDLE_NAMES), max_size=2, unique=True))
    return [draw(st.sampled_from(SURNAMES)), *middle, draw(st.sampled_from(GIVEN_NAMES))]


phones = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(("090", "091", "098", "032", "035", "086", "077", "058")),
    st.text("0123456789", min_size=7, max_size=7),
)
id_numbers = st.builds(
    lambda province, century, rest: f"{province:03d}{century}{rest}",
    st.integers(1, 96),
    st.integers(0, 3),
    st.text("0123456789", min_size=8, max_size=8),
)


@st.composite
def emails(draw: st.DrawFn) -> str:
    given_name = without_diacritics(draw(st.sampled_from(GIVEN_NAMES))).lower()
    surname = without_diacritics(draw(st.sampled_from(SURNAMES))).lower()
    local = draw(st.sampled_from((given_name, f"{given_name}.{surname}", f"{surname}{given_name}")))
    return f"{local}@{draw(st.sampled_from(MAIL_DOMAINS))}"


@st.composite
def identities(draw: st.DrawFn) -> dict[str, str]:
    return {
        "full_name": " ".join(draw(full_names())),
        "contact": draw(phones),
        "id_number": draw(id_numbers),
        "email": draw(emails()),
        "address": f"Số {draw(st.integers(1, 200))} đường {draw(st.sampled_from(STREETS))}",
    }


# --- disguises ----------------------------------------------------------------------------


@st.composite
def insert_invisibles(draw: st.DrawFn, text: str) -> str:
    """`text` with zero-width characters and soft hyphens at random places."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(chars)))
        chars.insert(at, draw(st.sampled_from(INVISIBLES)))
    return "".join(chars)


@st.composite
def swap_look_alikes(draw: st.DrawFn, text: str) -> str:
    """`text` with some Latin letters replaced by Cyrillic or Greek ones that look the same
    (in the decomposed form, so "ạ" can become Cyrillic "а" with a dot below)."""
    chars = list(unicodedata.normalize("NFD", text))
    for at, ch in enumerate(chars):
        if ch in LOOK_ALIKES and draw(st.booleans()):
            chars[at] = draw(st.sampled_from(LOOK_ALIKES[ch]))
    return "".join(chars)


@st.composite
def typed_as(draw: st.DrawFn, text: str) -> str:
    """`text` as someone might type it: recased, without diacritics, decomposed, in fullwidth
    letters, with look-alike letters and invisible characters."""
    text = draw(st.sampled_from(CASINGS))(text)
    if draw(st.booleans()):
        text = without_diacritics(text)
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    if draw(st.booleans()):
        text = "".join(fullwidth(ch) if draw(st.booleans()) else ch for ch in text)
    if draw(st.booleans()):
        text = draw(swap_look_alikes(text))
    return draw(insert_invisibles(text))


@st.composite
def name_variants(draw: st.DrawFn, name: list[str]) -> str:
    """The name, its words reordered, or its given name alone, as someone might type it."""
    shown = draw(st.sampled_from(("reordered", "given name") if len(name) >= 3 else ("reordered",)))
    tokens = draw(st.permutations(name)) if shown == "reordered" else name[-2:]
    separator = draw(st.sampled_from((" ", "  ", "\u00a0", " - ", "-", "_", "\n")))
    return draw(typed_as(separator.join(tokens)))


@st.composite
def number_variants(draw: st.DrawFn, digits: str, phone: bool) -> str:
    """`digits` in groups of 2 to 4 with any separators, perhaps with +84 instead of the 0,
    perhaps in fullwidth digits, with invisible characters."""
    if phone and draw(st.booleans()):
        prefix = draw(st.sampled_from(("+84 ", "(+84) ", "+84", "0084 ", "84", "+84 (0)")))
        digits = digits[1:]
    else:
        prefix = ""
    groups = []
    rest = digits
    while rest:
        size = draw(st.integers(2, 4))
        groups.append(rest[:size])
        rest = rest[size:]
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from(PHONE_SEPARATORS)) + group
    text = prefix + text
    if draw(st.booleans()):
        text = "".join(fullwidth(ch) for ch in text)
    return draw(insert_invisibles(text))


@st.composite
def email_variants(draw: st.DrawFn, email: str) -> str:
    """`email` as typed, or with "@" and "." spelled out, as people do to dodge mail robots."""
    at = draw(st.sampled_from(("@", " @ ", "[at]", " [at] ", "(at)", " at ", " AT ", " a còng ")))
    dot = draw(st.sampled_from((".", " . ", "[dot]", " [dot] ", "(dot)", " dot ", " chấm ")))
    local, _, domain = email.partition("@")
    text = local.replace(".", dot) + at + domain.replace(".", dot)
    text = draw(st.sampled_from(CASINGS))(text)
    return draw(insert_invisibles(text))


def in_a_sentence(part: str) -> dict[str, str]:
    return {"content": f"Theo đơn của {part} thì cán bộ địa chính thu tiền trái quy định."}


def found(data: dict[str, str], identity: dict[str, str]) -> set[str]:
    return {field for _, field in identity_leaks(data, identity)}


# --- properties ---------------------------------------------------------------------------


@EXAMPLES
@given(st.data(), full_names())
def test_a_disguised_name_is_found(data: st.DataObject, name: list[str]) -> None:
    text = data.draw(name_variants(name))
    assert "full_name" in found(in_a_sentence(text), {"full_name": " ".join(name)}), text


@EXAMPLES
@given(st.data(), phones)
def test_a_phone_number_is_found_however_it_is_separated(data: st.DataObject, phone: str) -> None:
    identity = {"contact": data.draw(number_variants(phone, phone=True))}
    text = data.draw(number_variants(phone, phone=True))
    assert "contact" in found(in_a_sentence(text), identity), (identity, text)


@EXAMPLES
@given(st.data(), id_numbers)
def test_an_id_number_is_found_however_it_is_separated(data: st.DataObject, number: str) -> None:
    text = data.draw(number_variants(number, phone=False))
    assert "id_number" in found(in_a_sentence(text), {"id_number": number}), text


@EXAMPLES
@given(st.data(), emails())
def test_an_email_address_is_found_when_spelled_out(data: st.DataObject, email: str) -> None:
    text = data.draw(email_variants(email))
    assert "email" in found(in_a_sentence(text), {"email": email}), text


@EXAMPLES
@given(st.data(), identities())
def test_every_part_is_found_in_a_longer_text(
    data: st.DataObject, identity: dict[str, str]
) -> None:
    parts = {
        "full_name": data.draw(name_variants(identity["full_name"].split())),
        "contact": data.draw(number_variants(identity["contact"], phone=True)),
        "id_number": data.draw(number_variants(identity["id_number"], phone=False)),
        "email": data.draw(email_variants(identity["email"])),
    }
    notice = {field: f"Ông bà {text} có đơn ngày 12/02/2024." for field, text in parts.items()}
    leaks = identity_leaks(notice, identity)
    for field in parts:
        assert (field, field) in leaks, (field, parts[field])


@st.composite
def unrelated_texts(draw: st.DrawFn) -> str:
    """Words of a notice with short numbers, dates and case references between them, each
    number followed by a word."""
    chunks = []
    for _ in range(draw(st.integers(1, 20))):
        chunk = draw(st.sampled_from(UNRELATED_WORDS))
        kind = draw(st.sampled_from(("word", "amount", "year", "date", "case")))
        if kind == "amount":
            chunk = f"{draw(st.integers(0, 99_999)):,}".replace(",", ".") + " đồng " + chunk
        elif kind == "year":
            chunk = f"năm {draw(st.integers(1990, 2030))} {chunk}"
        elif kind == "date":
            day, month = draw(st.integers(1, 31)), draw(st.integers(1, 12))
            chunk = f"ngày {day:02d}/{month:02d}/{draw(st.integers(1990, 2030))} {chunk}"
        elif kind == "case":
            number = draw(st.integers(1, 999_999))
            chunk = f"mã TC-{draw(st.integers(2020, 2030))}-{number:06d} {chunk}"
        chunks.append(chunk)
    return draw(typed_as(" ".join(chunks)))


@EXAMPLES
@given(identities(), unrelated_texts())
def test_unrelated_words_and_short_numbers_find_nothing(
    identity: dict[str, str], text: str
) -> None:
    assert identity_leaks({"content": text}, identity) == [], text


def test_the_unrelated_words_share_no_word_with_the_names() -> None:
    names = {w for part in (SURNAMES, MIDDLE_NAMES, GIVEN_NAMES) for w in map(fold, part)}
    unrelated = {
        w for text in (*UNRELATED_WORDS, "đồng năm ngày mã TC") for w in folded_words(text)
    }
    assert not names & unrelated


# --- the cases of issue 20, by example ----------------------------------------------------

IDENTITY = {
    "full_name": "Phạm Thị Hoa",
    "contact": "0912 345 678",
    "id_number": "040190001234",
    "email": "hoa@example.vn",
    "address": "Số 12 ngõ 34 đường Lê Lợi, Vinh",
}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Hoa Phạm Thị", "full_name"),
        ("Ｐｈạｍ Ｔｈị Ｈｏａ", "full_name"),  # fullwidth letters
        ("Ph\u200bạm Th\u00adị Ho\u2060a", "full_name"),  # zero-width, soft hyphen, word joiner
        ("Phạm Thị Ноа", "full_name"),  # Cyrillic Н, о, а
        ("PhạmThịHoa", "full_name"),  # run together
        ("Ph-ạm Thị Hoa", "full_name"),  # split
        ("0912/345/678", "contact"),
        ("0912_345_678", "contact"),
        ("091-234-5678", "contact"),
        ("(+84) 912 345 678", "contact"),
        ("0912\u200b 345\ufeff 678", "contact"),
        ("０９１２ ３４５ ６７８", "contact"),
        ("hoa [at] example [dot] vn", "email"),
        ("hoa(at)example(dot)vn", "email"),
        ("hoa @ example . vn", "email"),
        ("hoa at example dot vn", "email"),
        ("hoa a còng example chấm vn", "email"),
        ("CCCD 040-190-001-234", "id_number"),
        ("CCCD 0401 9000 1234", "id_number"),
        ("ở số 12 ng\u00adõ 34 đường Lê Lợi", "address"),
    ],
)
def test_the_disguises_of_issue_20_are_seen_through(text: str, field: str) -> None:
    assert [f for _, f in identity_leaks({"t": text}, IDENTITY)] == [field]


@pytest.mark.parametrize("text", ["bà Phạm Hoa", "Phạm T. Hoa", "P.T.Hoa", "P. T. Hoa"])
def test_a_name_shortened_as_people_write_it_is_the_identity(text: str) -> None:
    # failing closed: the family and given names, or initials for the rest, are taken for her
    # (a red-team review found "Phùng Thu" and "P.T.Thu" shown to a handler)
    assert [f for _, f in identity_leaks({"t": text}, IDENTITY)] == ["full_name"]


@pytest.mark.parametrize(
    "text",
    [
        "Thị Phạm",
        "TC-2024-000001 ngày 12/02/2024",
        "thu 12.345.678 đồng năm 2024",
        "An ninh trật tự",
    ],
)
def test_near_misses_are_not_the_identity(text: str) -> None:
    assert identity_leaks({"t": text}, IDENTITY) == []


def test_a_short_name_is_not_matched_in_common_words_even_in_any_order() -> None:
    assert identity_leaks({"t": "Ninh An, an ninh"}, {"full_name": "An"}) == []


def test_a_one_syllable_local_part_is_looked_for_only_with_its_domain() -> None:
    identity = {"email": "dung@example.vn"}
    assert found({"t": "nội dung đơn"}, identity) == set()
    assert found({"t": "dung (at) example (dot) vn"}, identity) == {"email"}
    assert found({"t": "gửi hoa1990 và ngoc.hoang"}, {"email": "hoa1990@example.vn"}) == {"email"}


def test_names_split_differently_are_other_names() -> None:
    assert identity_leaks({"t": "Thanh An"}, {"full_name": "Thân Hân"}) == []
    # one word of the identity is not looked for split into words of the text
    assert found({"t": "ông Nguyễn Văn Cường"}, {"email": "nguyenvan@example.vn"}) == set()


def test_two_numbers_in_the_contact_are_looked_for_each_alone() -> None:
    identity = {"contact": "0912 345 678 / (0238) 3 123 456, từ 12/02/2024"}
    assert found({"t": "gọi 0238.3123.456"}, identity) == {"contact"}
    assert found({"t": "gọi 0912-345-678"}, identity) == {"contact"}
    assert found({"t": "ngày 12/02/2024"}, identity) == set()  # a date is not a number of hers


# --- text folding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bà Hoàng-Thị Bích Ngọc!", ["ba", "hoang", "thi", "bich", "ngoc"]),
        ("ĐẶNG Văn Đạt", ["dang", "van", "dat"]),
        ("Ｎｇｕｙễｎ　０９１２", ["nguyen", "0912"]),  # fullwidth letters, digits and space
        ("Ngu\u200byễn V\u00adăn", ["nguyen", "van"]),  # invisible characters join, not split
        ("Nguyễn\u200bVăn", ["nguyenvan"]),
        ("Тrần Ѵăn Нùng", ["tran", "van", "hung"]),  # Cyrillic look-alikes
        ("Ηοàng Κhánh", ["hoang", "khanh"]),  # Greek look-alikes
        ("số ٣٤ ngõ", ["so", "34", "ngo"]),  # digits of another script
        ("Hà Nội — 2024", ["ha", "noi", "2024"]),
    ],
)
def test_folded_words(text: str, expected: list[str]) -> None:
    assert folded_words(text) == expected


def test_fold_joins_the_folded_letters_and_digits() -> None:
    assert fold("Nguyễn Văn Đức") == fold("NGUYEN\u200b VAN DUC") == fold("Nguyễn Vаn Đức")
    assert (
        fold("0912 345 678") == fold("0912.345.678") == fold("０９１２３４５６７８") == "0912345678"
    )


def test_plain_text_keeps_separators_and_drops_what_cannot_be_seen() -> None:
    assert plain_text("０９１２\u200b.345\u00ad.678") == "0912.345.678"
