"""Legal citations as a Vietnamese reader expects them.

The rules and the state machines cite the law in an English shorthand that is quick to write
and to check against the legal research (§0.1 of `shared/legal/PROCEDURES.md`, next to this
repository, lists the abbreviations)::

    LTC Arts. 29(3), 56; ND31 Art. 9(2), Mẫu 06
    LKN Art. 50: complex up to 45 days

A Vietnamese notice prints them in the usual administrative style, smallest unit first::

    khoản 3 Điều 29, Điều 56 Luật Tố cáo năm 2018; khoản 2 Điều 9, Mẫu 06 Nghị định số 31/2019/NĐ-CP
    Điều 50 Luật Khiếu nại năm 2011

Only what is recognised is kept: the instruments below, their articles (`Art.`, `Arts.`) with
clauses `(1)`, points `(a)`, paragraphs `para. 2` and ranges `–`, and forms (`Mẫu 06`). The
commentary around them (": complex up to 45 days", "(remote area)", "cf.") is dropped; an
instrument in parentheses after a citation, or after "as amended by", is the text that amended
it. A basis with nothing recognisable gives "" so that a template can leave the line out rather
than print English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# (pattern of the abbreviation, the instrument's Vietnamese name), longest abbreviations first.
_INSTRUMENTS: tuple[tuple[str, str], ...] = (
    (r"LTCD", "Luật Tiếp công dân năm 2013"),
    (r"LTC", "Luật Tố cáo năm 2018"),
    (r"LKN", "Luật Khiếu nại năm 2011"),
    (r"LTTHC", "Luật Tố tụng hành chính năm 2015"),
    (r"BLTTHS|CPC", "Bộ luật Tố tụng hình sự năm 2015"),
    (r"BLDS", "Bộ luật Dân sự năm 2015"),
    (r"BLL[ĐD]", "Bộ luật Lao động năm 2019"),
    (r"L136|Law\s+(?:No\.\s*)?136/2025(?:/QH15)?", "Luật số 136/2025/QH15"),
    (r"N[ĐD]\s?31(?:/2019(?:/NĐ-CP)?)?", "Nghị định số 31/2019/NĐ-CP"),
    (r"N[ĐD]\s?124(?:/2020(?:/NĐ-CP)?)?", "Nghị định số 124/2020/NĐ-CP"),
    (r"N[ĐD]\s?154(?:/2026(?:/NĐ-CP)?)?", "Nghị định số 154/2026/NĐ-CP"),
    (r"N[ĐD]\s?155(?:/2026(?:/NĐ-CP)?)?", "Nghị định số 155/2026/NĐ-CP"),
    (r"N[ĐD]\s?156(?:/2026(?:/NĐ-CP)?)?", "Nghị định số 156/2026/NĐ-CP"),
    (r"TT\s?05(?:/2021(?:/TT-TTCP)?)?", "Thông tư số 05/2021/TT-TTCP"),
    (r"TT\s?07/2013(?:/TT-TTCP)?", "Thông tư số 07/2013/TT-TTCP"),
    (r"TT\s?07/2014(?:/TT-TTCP)?", "Thông tư số 07/2014/TT-TTCP"),
)
_INSTRUMENT = r"(?<![\w/])(?:{})(?![\w/])".format("|".join(p for p, _ in _INSTRUMENTS))

_DASH = r"[–-]"
_SUB = r"\((?:\d+|[a-zđ])\)"  # a clause (3) or a point (b)
# One article: 24, 28b, 13–14, 26(2)(b), 34(1)–(2), (4), 24(1) para. 2
_ITEM = (
    rf"\d+[a-z]?(?:{_DASH}\d+[a-z]?)?"
    rf"(?:{_SUB}|{_DASH}{_SUB}|,\s*{_SUB})*"
    r"(?:\s+para\.\s*\d+)?"
)
_ARTICLES = rf"(?<!\w)Arts?\.\s*(?P<articles>{_ITEM}(?:\s*,\s*{_ITEM})*)"
_FORM = r"\d+[a-z]?(?:/[A-ZĐ]+)?"
_FORMS = rf"Mẫu\s+(?:số\s+)?(?P<forms>{_FORM}(?:\s*,\s*{_FORM}(?!\s+\w))*)"
_CITATION = re.compile(
    rf"(?={_INSTRUMENT}|(?<!\w)Arts?\.\s*\d|Mẫu\s)"
    rf"(?P<instrument>{_INSTRUMENT})?(?:\s*{_ARTICLES})?(?:\s*,?\s*{_FORMS})?"
)
_ITEM_PARTS = re.compile(
    rf"(?P<first>\d+[a-z]?)(?:{_DASH}(?P<last>\d+[a-z]?))?"
    rf"(?P<subs>(?:{_SUB}|{_DASH}{_SUB}|,\s*{_SUB})*)"
    r"(?:\s+para\.\s*(?P<para>\d+))?"
)
_SUB_TOKEN = re.compile(rf"(?P<sep>{_DASH}|,)?\s*\((?P<value>\w+)\)")
_AMENDED_BY = re.compile(r"amended\s+by", re.IGNORECASE)
_LEVELS = ("khoản", "điểm")  # the name of a clause (1) and of a point (a)


@dataclass
class _Citation:
    """One instrument with what is cited in it, and the instruments that amended it."""

    instrument: str
    references: list[str] = field(default_factory=list)
    amended_by: list[str] = field(default_factory=list)

    def vietnamese(self) -> str:
        references = list(dict.fromkeys(self.references))  # in order, without repeats
        # "Điều 28" says less than "đoạn 2 Điều 28" (a rule and its variant): keep the latter
        cited = ", ".join(r for r in references if not any(o.endswith(f" {r}") for o in references))
        text = f"{cited} {self.instrument}" if cited else self.instrument
        if self.amended_by:
            text += f" (được sửa đổi, bổ sung bởi {', '.join(self.amended_by)})"
        return text


def cite_vi(basis: str) -> str:
    """`basis` in our English shorthand as a Vietnamese legal citation; "" if nothing in it
    is recognised.

    >>> cite_vi("LTC Arts. 29(3), 56; ND31 Art. 9(2), Mẫu 06")
    'khoản 3 Điều 29, Điều 56 Luật Tố cáo năm 2018; khoản 2 Điều 9, Mẫu 06 Nghị định số 31/2019/NĐ-CP'
    >>> cite_vi("LKN Art. 50: complex up to 45 days")
    'Điều 50 Luật Khiếu nại năm 2011'
    """
    text = unicodedata.normalize("NFC", basis or "")
    citations: list[_Citation] = []
    previous_end = 0
    for match in _CITATION.finditer(text):
        if not match.group():
            continue
        between, previous_end = text[previous_end : match.start()], match.end()
        before = text[: match.start()]
        in_parentheses = before.count("(") > before.count(")")
        articles = _articles(match.group("articles"))
        forms = [f"Mẫu {form}" for form in re.split(r"\s*,\s*", match.group("forms") or "") if form]
        if match.group("instrument") is None:  # "; Art. 33", "(Mẫu 14a, 14b)": the last law's
            if citations and articles:
                citations.append(_Citation(citations[-1].instrument, articles + forms))
            elif citations:
                citations[-1].references.extend(forms)
            continue
        instrument = _instrument_name(match.group("instrument"))
        amends = (
            citations
            and citations[-1].instrument != instrument
            and (_AMENDED_BY.search(between) or (in_parentheses and not articles))
        )
        if amends:
            citations[-1].amended_by.append(_Citation(instrument, articles).vietnamese())
            citations[-1].references.extend(forms)
        else:
            citations.append(_Citation(instrument, articles + forms))
    return "; ".join(c.vietnamese() for c in _merged(citations))


def _instrument_name(abbreviation: str) -> str:
    """The Vietnamese name of the instrument abbreviated `abbreviation` (one of _INSTRUMENTS)."""
    for pattern, name in _INSTRUMENTS:
        if re.fullmatch(pattern, abbreviation):
            return name
    raise AssertionError(f"no instrument matches {abbreviation!r}")  # pragma: no cover


def _merged(citations: list[_Citation]) -> list[_Citation]:
    """Consecutive citations of the same instrument (none amended) as one."""
    merged: list[_Citation] = []
    for citation in citations:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.instrument == citation.instrument
            and not (last.amended_by or citation.amended_by)
        ):
            last.references.extend(citation.references)
        else:
            merged.append(citation)
    return merged


def _articles(articles: str | None) -> list[str]:
    """ "29(3), 56" as ["khoản 3 Điều 29", "Điều 56"]."""
    if not articles:
        return []
    return [_article(item) for item in _ITEM_PARTS.finditer(articles)]


def _article(item: re.Match[str]) -> str:
    """One article with its clauses, points and paragraph: "đoạn 2 khoản 1 Điều 24"."""
    first, last = item.group("first"), item.group("last")
    article = last or first
    paths = _paths(item.group("subs"))
    whole = [f"Điều {n}" for n in _span(first, last)]
    if len(whole) > 2 and not (paths or item.group("para")):
        whole = [f"từ Điều {first} đến Điều {last}"]
    parts = [_path(path, closing) for path, closing in paths]
    if item.group("para"):
        if parts:
            parts[-1] = f"đoạn {item.group('para')} {parts[-1]}"
        else:
            whole[-1] = f"đoạn {item.group('para')} {whole[-1]}"
    if parts:
        whole[-1] = f"{', '.join(parts)} Điều {article}"
    return ", ".join(whole)


def _paths(subs: str) -> list[tuple[list[str], list[str] | None]]:
    """ "(1)–(2), (4)" as [(["1"], ["2"]), (["4"], None)]: each path with the end of its range."""
    paths: list[tuple[list[str], list[str] | None]] = []
    for token in _SUB_TOKEN.finditer(subs):
        value, sep = token.group("value"), token.group("sep")
        if not paths:
            paths.append(([value], None))
        elif sep is None:  # (2)(b): a point of clause 2
            path, closing = paths[-1]
            paths[-1] = ([*path, value], None) if closing is None else (path, [*closing, value])
        elif sep == ",":  # (1), (4): another clause (or point) at the same level
            path = paths[-1][0]
            paths.append(([*path[:-1], value], None))
        else:  # (3)–(4): a range at the same level
            path = paths[-1][0]
            paths[-1] = (path, [*path[:-1], value])
    return paths


def _path(path: list[str], closing: list[str] | None) -> str:
    """["2", "b"] as "điểm b khoản 2"; with a range end, the range in words."""

    def words(levels: list[str]) -> str:
        named = zip(_LEVELS, levels, strict=False)
        return " ".join(f"{name} {value}" for name, value in reversed(list(named)))

    if closing is None:
        return words(path)
    values = _span(path[-1], closing[-1])
    if len(values) > 2:
        return f"từ {words(path)} đến {words(closing)}"
    return ", ".join(words([*path[:-1], value]) for value in values)


def _span(first: str, last: str | None) -> list[str]:
    """The numbers from `first` to `last` ("3", "4" → ["3", "4"]); letters are only ends."""
    if last is None:
        return [first]
    if first.isdigit() and last.isdigit() and int(first) < int(last):
        return [str(n) for n in range(int(first), int(last) + 1)]
    return [first, last]
