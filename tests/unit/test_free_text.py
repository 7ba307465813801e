"""The bounds on typed text: the check the services run, and the regular expressions the API's
document declares, refuse exactly the same characters."""

from __future__ import annotations

import re
import sys

import pytest

from casework.domain.errors import InvalidInput
from casework.domain.free_text import MULTILINE, ONE_LINE, check_text


def _refused(char: str, multiline: bool) -> bool:
    try:
        check_text("the text", f"a{char}b", multiline=multiline)
    except InvalidInput:
        return True
    return False


@pytest.mark.parametrize(("pattern", "multiline"), [(ONE_LINE, False), (MULTILINE, True)])
def test_the_documents_pattern_is_the_services_rule(pattern: str, multiline: bool) -> None:
    compiled = re.compile(pattern)
    disagree = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF  # surrogates are no text
        and (compiled.match(f"a{chr(code)}b") is None) != _refused(chr(code), multiline)
    ]
    assert disagree == []


def test_a_refusal_names_the_field_the_length_and_the_character() -> None:
    with pytest.raises(InvalidInput, match="the name is 501 characters long; at most 500"):
        check_text("the name", "x" * 501)
    with pytest.raises(InvalidInput, match=r"control character \(U\+0007\); type plain text"):
        check_text("the name", "a\ab")
    check_text("the reason", "line one\nline two\ttab", limit=100, multiline=True)


def test_a_date_is_read_day_first_never_month_first() -> None:
    from datetime import date

    from casework.domain.free_text import as_iso_if_day, read_day

    assert read_day("07/02/2024") == date(2024, 2, 7)  # 7 February, as officers write it
    assert read_day("7/2/2024") == date(2024, 2, 7)
    assert read_day("2024-02-07") == date(2024, 2, 7)  # what a date picker sends
    with pytest.raises(ValueError, match=r"month must be in 1\.\.12"):
        read_day("02/31/2024")  # month first: no 31st month
    with pytest.raises(ValueError, match="Invalid isoformat"):
        read_day("07-02-2024")
    assert as_iso_if_day("07/02/2024") == "2024-02-07"
    assert as_iso_if_day("Quyết định số 15/QĐ-TTr") == "Quyết định số 15/QĐ-TTr"
