"""What an officer types into casework: bounded in length, free of control characters (issue
21: a 10 MB summary was stored, then came back in every list and export of its agency)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from casework.domain.errors import InvalidInput, said
from casework.domain.words_vi import vi_day

SUMMARY = 10_000
"""Characters in a summary, a reason or a field of a step: pages of a letter, not a file."""
LINE = 500
"""Characters in a one-line value: a name, an address, a contact, a decision's number."""

INVISIBLE_CONTROLS = frozenset(
    [*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u2028", "\u2029"]
)
"""Characters that are not Unicode controls (Cc) but act as ones: the bidirectional embeddings,
overrides and isolates, which make a name read otherwise than it is stored ("Trojan Source"),
and the line and paragraph separators, which break a line without saying so."""

ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
"""The same rule as a regular expression, for the API's document: no control character (the
Unicode category Cc is exactly U+0000–U+001F and U+007F–U+009F), nor INVISIBLE_CONTROLS."""
MULTILINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
"""As ONE_LINE, but line breaks and tabs are allowed."""

EARLIEST_DATE = date(1990, 1, 1)
"""The earliest date a letter, a decision or an event may bear: older paper is archive, and a
year-1 date made a case whose own reference could not open it."""


def check_text(
    label: str, value: str, limit: int = LINE, multiline: bool = False, label_vi: str = ""
) -> None:
    """Refuse `value` if longer than `limit` or holding a control character (a line break or a
    tab only where the text may span lines), naming `label` and what is allowed; a Vietnamese
    page names the field `label_vi` (else "Nội dung nhập")."""
    field_vi = f"«{label_vi}»" if label_vi else "Nội dung nhập"
    if len(value) > limit:
        raise said(
            InvalidInput(
                f"{label} is {len(value):,} characters long; at most {limit:,} are kept — attach "
                "longer documents to the case file instead"
            ),
            f"{field_vi} dài {_vi_number(len(value))} ký tự; chỉ giữ tối đa "
            f"{_vi_number(limit)} ký tự: tài liệu dài hơn cần đính kèm hồ sơ",
        )
    allowed = "\n\r\t" if multiline else ""
    for char in value:
        if (unicodedata.category(char) == "Cc" or char in INVISIBLE_CONTROLS) and (
            char not in allowed
        ):
            raise said(
                InvalidInput(
                    f"{label} holds a control character (U+{ord(char):04X}); type plain text"
                    + ("" if multiline else " on one line")
                ),
                f"{field_vi} có ký tự điều khiển không được phép (U+{ord(char):04X}): chỉ "
                "nhập văn bản thông thường" + ("" if multiline else " trên một dòng"),
            )


def _vi_number(number: int) -> str:
    """12.345: thousands separated by a dot, as Vietnamese writes them."""
    return f"{number:,}".replace(",", ".")


def check_date(label: str, value: date, label_vi: str = "") -> None:
    """Refuse a date before `EARLIEST_DATE`; a Vietnamese page names the date `label_vi`."""
    if value < EARLIEST_DATE:
        raise said(
            InvalidInput(
                f"{label} {value.isoformat()} is before {EARLIEST_DATE.isoformat()}: give the date "
                "as YYYY-MM-DD, as it is on the letter or decision"
            ),
            f"{label_vi or 'Ngày đã nhập'} {vi_day(value)} trước ngày {vi_day(EARLIEST_DATE)}: "
            "nhập đúng ngày ghi trên đơn hoặc văn bản (ngày/tháng/năm)",
        )


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def read_day(text: str) -> date:
    """A date as officers write it, day first (`07/02/2024`, `7/2/2024`), or as ISO
    (`2024-02-07`, what a browser's date picker sends): never month first. ValueError
    otherwise."""
    found = _DAY_FIRST.match(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return date(year, month, day)
    return date.fromisoformat(text.strip())


def as_iso_if_day(text: str) -> str:
    """`text` as an ISO date if it is a day-first date (a step's date field typed by an
    officer), else as it is."""
    if not _DAY_FIRST.match(text):
        return text
    try:
        return read_day(text).isoformat()
    except ValueError:
        return text
