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
