r"""Folding text to what a reader recognises in it: the same letters and digits, whatever the
case, the diacritics, the compatibility forms and the invisible characters.

"Nguyễn Văn Đức", "NGUYEN VAN DUC", "Ｎｇｕｙｅｎ Văn Đức", "Nguy\u200bễn Văn Đ\u00adức" and
"Nguyễn Vаn Đức" (with a Cyrillic "а") all fold to the words ``nguyen van duc``.

Look-alike letters are mapped by the small explicit table below (the Cyrillic and Greek letters
that look like Latin ones, and a few Latin variants), not by a Unicode TR39 "skeleton": a
skeleton is made to compare two strings for confusability, not to read them, so it also maps
digits to letters ("0" → "O", "1" → "l") and marks to other marks, which would break the digits
of phone and ID numbers and the Vietnamese letters. The PyPI packages that implement TR39
(confusable-homoglyphs, confusables) detect mixed scripts rather than fold text, the latter is
no longer maintained, and both would add a runtime dependency for a table of sixty letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

# Letters of other scripts drawn like Latin letters (a subset of Unicode's confusables.txt).
# Upper and lower case are mapped separately: Cyrillic "Н" looks like "H", but "н" does not
# look like "h"; casefolding comes after the mapping.
_LOOK_ALIKES: dict[str, str] = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y",
    "Һ": "H", "Ӏ": "I", "Ԛ": "Q", "Ԝ": "W", "Ѵ": "V",
    # Cyrillic small letters
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s",
    "і": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "ӏ": "l",
    "ѵ": "v",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    # Greek small letters
    "α": "a", "ι": "i", "ν": "v", "ο": "o", "ρ": "p", "γ": "y", "ϲ": "c", "ϳ": "j",
    # Latin variants that neither NFKC nor the removal of marks turn into a-z
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "Ð": "D", "ð": "d", "Ɖ": "D", "ɖ": "d",
    "Đ": "D", "đ": "d",
}  # fmt: skip
_LOOK_ALIKE_TABLE = str.maketrans(_LOOK_ALIKES)

# Characters that show nothing but are not format characters (category Cf): the Hangul fillers.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")

_MARKS = frozenset(("Mn", "Me"))  # combining marks: diacritics, variation selectors, ...
_WORD = re.compile(r"[a-z0-9]+")


def is_invisible(ch: str) -> bool:
    """A character that shows nothing: a format character (category Cf: zero-width space,
    zero-width (non-)joiner, word joiner, byte-order mark, soft hyphen, direction marks, ...)
    or a Hangul filler."""
    return unicodedata.category(ch) == "Cf" or ch in _BLANK_LETTERS


def plain_text(text: str) -> str:
    r"""`text` in NFKC, without invisible characters, every decimal digit in ASCII: what a
    reader sees, in ordinary characters. Letters and punctuation are otherwise kept, so numbers
    can be found in it with their separators ("０９１２\u200b345" → "0912345")."""
    return "".join(_ascii_digit(ch) for ch in unicodedata.normalize("NFKC", text))


def _ascii_digit(ch: str) -> str:
    if is_invisible(ch):
        return ""
    if ch.isdecimal() and not ch.isascii():
        return str(unicodedata.decimal(ch))
    return ch


def _fold_chars(text: str) -> Iterator[str]:
    # mapped before NFKC too, which would turn the Greek lunate sigma "ϲ" into "σ"
    decomposed = unicodedata.normalize("NFKD", plain_text(text.translate(_LOOK_ALIKE_TABLE)))
    latin = decomposed.translate(_LOOK_ALIKE_TABLE).casefold()
    for ch in unicodedata.normalize("NFKD", latin):
        if unicodedata.category(ch) in _MARKS:
            continue
        yield "d" if ch == "đ" else ch


def folded_words(text: str) -> list[str]:
    r"""The words of `text` as a reader recognises them, each a run of ``[a-z0-9]``.

    In order: NFKC (fullwidth and other compatibility forms become ordinary letters and digits),
    invisible characters removed (zero-width characters, the soft hyphen, every other Unicode
    format character "Cf"), Cyrillic and Greek letters that look like Latin ones mapped to those,
    casefold, diacritics removed (đ → d), digits of any script in ASCII; then the runs of
    ``[a-z0-9]``, everything else separating them:

    "Bà Hoàng-Thị Bích Ngọc!" → ["ba", "hoang", "thi", "bich", "ngoc"];
    "ÔNG Ｎｇｕｙễn\u200bVăn" → ["ong", "nguyenvan"] (an invisible character joins, never splits).

    Letters of other scripts that look like no Latin letter separate words, like punctuation.
    """
    return _WORD.findall("".join(_fold_chars(text)))


def fold(text: str) -> str:
    """`text` folded as in `folded_words`, its letters and digits only, joined:
    "Nguyễn Văn Đức" → "nguyenvanduc", "0912.345.678" → "0912345678". Letters of other scripts
    that look like no Latin letter are kept (folded), so a name in another script does not fold
    to nothing."""
    return "".join(ch for ch in _fold_chars(text) if ch.isalnum())


def in_any_order(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether `len(needle)` consecutive words of `haystack` are the words of `needle`, in any
    order ("hoa pham thi" holds "pham thi hoa"): how a reader recognises a name, used both to
    find an officer a letter names and to find the denouncer's name in a notice."""
    size, key = len(needle), sorted(needle)
    return size > 0 and any(
        sorted(haystack[start : start + size]) == key
        for start in range(len(haystack) - size + 1)
        if haystack[start] in needle
    )
