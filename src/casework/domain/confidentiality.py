"""Keeping the denouncer's identity out of what the denounced person is told (LTC Arts. 8(3), 56).

A notice to the denounced is built from case facts that never include the identity; this module
is the second line. It searches the free text of a notice (what officers typed: the content, the
reasons of a decision) for the identity **and for its parts**, the way a reader would recognise
someone. Text is compared folded (`casework.domain.text_folding`): case, diacritics, fullwidth
and other compatibility forms, invisible characters (zero-width, soft hyphen) and Cyrillic or
Greek look-alike letters do not matter.

- the full name as whole words, its words in any order ("Hoa Phạm Thị"), run together
  ("PhạmThịHoa") or split ("Ph-ạm Thị Hoa"); and its given name with the syllable before it
  ("Bích Ngọc" of "Hoàng Thị Bích Ngọc");
- every phone or ID number in the identity (six digits or more), however it is separated or
  prefixed ("+84 912 345 678", "(+84) 912-345-678", "0912/345/678", "040 190 001 234");
- the email address and its local part ("ngoc.hoang"), also spelled out ("hoa [at] example
  [dot] vn", "hoa a còng example chấm vn");
- the street part of the address (a comma-separated part holding a house number) and the
  whole address.

Names of officials and agencies that casework itself puts in a notice are not searched: they
come from the organisation, not from the case, and a denouncer who shares a name with a head of
agency must not block the case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from casework.domain.citations import cite_vi
from casework.domain.errors import InvalidInput, said
from casework.domain.text_folding import fold as fold  # re-exported: repeats and tests use it
from casework.domain.text_folding import folded_words, in_any_order, plain_text

IDENTITY_FIELDS: tuple[str, ...] = ("full_name", "address", "contact", "id_number", "email")
"""The parts of a denouncer's identity; each is confidential on its own."""

MINIMUM_DIGITS = 6
"""Digit runs shorter than this (a house number, a year) are not identifying on their own."""

LONGEST_NUMBER = 12
"""The digits of the longest number of an identity (a citizen ID card); a longer run of digits
in an identity holds several numbers ("0912 345 678 / 0238 3 123 456")."""

SHORTEST_WHOLE_NUMBER = 9
"""The digits of the shortest whole number (a mobile number without its 0, an old ID card): the
numbers looked for inside a longer run are at least this long, so that part of one and part of
the next ("345 678 0238") are not taken for a number of their own."""

LONGEST_SYLLABLE = 7
"""The letters of the longest Vietnamese syllable, folded ("nghieng"): a word no longer than
this may be an ordinary word of the text."""

EMAIL_FILLERS = frozenset({"at", "dot", "a", "cong", "moc", "cham"})
"""Words that spell out "@" and "." in an address ("hoa [at] example [dot] vn", "hoa a còng
example chấm vn")."""


class IdentityDisclosure(InvalidInput):
    """A message to the denounced person would reveal who denounced them; nothing was written."""


def words(text: str) -> list[str]:
    """The folded words of `text`: "Bà Hoàng-Thị Bích Ngọc!" → [ba, hoang, thi, bich, ngoc]
    (see `text_folding.folded_words`)."""
    return folded_words(text)


# A run of digits and the separators people put between them: up to three characters that are
# neither letters nor digits ("0912.345.678", "(+84) 912 345 678", "0912 / 345 / 678", "0912_345").
_NUMBER_RUN = re.compile(r"[0-9]+(?:(?:[^\w]|_){1,3}[0-9]+)*")
_DATE = re.compile(
    r"[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2,4}|[0-9]{4}[./-][0-9]{1,2}[./-][0-9]{1,2}"
)
_DIGITS = re.compile(r"[0-9]+")


def _digit_runs(text: str) -> list[str]:
    """The digits of each run of digits and separators in `text` (invisible characters do not
    count, fullwidth digits do)."""
    return ["".join(_DIGITS.findall(run)) for run in _NUMBER_RUN.findall(plain_text(text))]


def _national(digits: str) -> str:
    """A phone or ID number without its prefix: the country code (84, 0084) of a Vietnamese
    number, and leading zeros."""
    for prefix in ("0084", "84"):
        if digits.startswith(prefix) and len(digits[len(prefix) :].lstrip("0")) in (9, 10):
            return digits[len(prefix) :].lstrip("0")
    return digits.lstrip("0")


def _number_markers(value: str) -> list[str]:
    """Each phone or ID number in `value` without its prefix (a leading 0, or +84), so it is
    found however it is written ("+84 912 345 678", "0912.345.678", "0912/345/678"). A date
    is not a number of the identity; a run too long for one number gives each of the numbers
    it may hold."""
    markers: list[str] = []
    for run in _NUMBER_RUN.findall(plain_text(value)):
        if _DATE.fullmatch(run):
            continue
        groups = _DIGITS.findall(run)
        candidates = [_national("".join(groups))]
        if len(candidates[0]) > LONGEST_NUMBER:
            candidates.extend(
                _national("".join(groups[start:end]))
                for start in range(len(groups))
                for end in range(start + 1, len(groups) + 1)
                if SHORTEST_WHOLE_NUMBER <= len("".join(groups[start:end])) <= LONGEST_NUMBER
            )
        markers.extend(
            digits
            for digits in dict.fromkeys(candidates)
            if len(digits) >= MINIMUM_DIGITS and digits not in markers
        )
    return markers


@dataclass(frozen=True)
class IdentityMarker:
    """One thing in a text that would tell a reader who the denouncer is."""

    field: str
    """The identity field it comes from (one of IDENTITY_FIELDS)."""
    words: tuple[str, ...] = ()
    """Folded words to find as whole words, in this order; they may also be run together or
    split ("PhạmThịHoa", "Ph-ạm Thị Hoa"), but not both at once."""
    digits: str = ""
    """Or: the digits of a number, to find in any run of digits of the text."""
    any_order: bool = False
    """The words may also come in any order, next to each other ("Hoa Phạm Thị")."""
    fillers: frozenset[str] = frozenset()
    """Words that may stand between two of the words ("hoa [at] example [dot] vn")."""

    def is_in(self, text_words: list[str], digit_runs: list[str]) -> bool:
        """Whether the marker is in a text with these folded words and digit runs."""
        if self.digits:
            return any(self.digits in run for run in digit_runs)
        return (
            _contains_joined(text_words, self.words)
            or (self.any_order and in_any_order(text_words, self.words))
            or (bool(self.fillers) and _contains_with_fillers(text_words, self.words, self.fillers))
        )


def identity_markers(identity: Mapping[str, str]) -> list[IdentityMarker]:
    """What to look for in a text to find `identity` or a part of it."""
    markers: list[IdentityMarker] = []
    name = tuple(words(identity.get("full_name") or ""))
    if len(name) >= 2 or (name and len(name[0]) >= 4):  # "An" alone would match "An ninh"
        markers.append(IdentityMarker("full_name", name, any_order=len(name) >= 2))
        if len(name) >= 3:
            # the given name as people say it
            markers.append(IdentityMarker("full_name", name[-2:]))
            # the family and given names alone ("Phùng Thu"), and with initials for the rest
            # ("Phùng T. Thu", "P.T.Thu")
            initials = tuple(word[0] for word in name[1:-1])
            markers.append(IdentityMarker("full_name", (name[0], name[-1])))
            markers.append(IdentityMarker("full_name", (name[0], *initials, name[-1])))
            markers.append(IdentityMarker("full_name", (name[0][0], *initials, name[-1])))
    for field in ("contact", "id_number", "email", "address"):
        value = identity.get(field) or ""
        markers.extend(IdentityMarker(field, digits=number) for number in _number_markers(value))
    email = (identity.get("email") or "").strip()
    if email:
        markers.append(IdentityMarker("email", tuple(words(email)), fillers=EMAIL_FILLERS))
        local = tuple(words(email.partition("@")[0]))
        if _is_distinctive(local):
            markers.append(IdentityMarker("email", local, fillers=EMAIL_FILLERS))
    for token in (identity.get("contact") or "").split():
        if "@" in token:
            markers.append(IdentityMarker("contact", tuple(words(token)), fillers=EMAIL_FILLERS))
    address = identity.get("address") or ""
    if len(words(address)) >= 2:
        markers.append(IdentityMarker("address", tuple(words(address))))
    for part in address.split(","):
        part_words = tuple(words(part))
        if len(part_words) >= 2 and any(w.isdigit() for w in part_words):
            markers.append(IdentityMarker("address", part_words))
    return [marker for marker in markers if marker.digits or marker.words]


def _is_distinctive(local: tuple[str, ...]) -> bool:
    """Whether the local part of an email address tells who it is on its own: "ngoc.hoang",
    "hoa1990", "phamthihoa" do; a single syllable ("dung@…" in "nội dung") does not."""
    if sum(len(w) for w in local) < 4:
        return False
    return len(local) >= 2 or len(local[0]) > LONGEST_SYLLABLE or not local[0].isalpha()


def _boundaries(pieces: Sequence[str]) -> set[int]:
    """Where one piece ends and the next begins, in the pieces joined."""
    ends: set[int] = set()
    length = 0
    for piece in pieces:
        length += len(piece)
        ends.add(length)
    ends.discard(length)
    return ends


def _contains_joined(haystack: list[str], needle: tuple[str, ...]) -> bool:
    """Whether consecutive words of `haystack`, joined, spell the words of `needle` joined, with
    the same word breaks, fewer ("PhạmThịHoa") or more ("Ph-ạm Thị Hoa") — not other ones
    ("Thanh An" is not "Thân Hân"). A needle of one word is not looked for split: "nguyenvan"
    (of an email address) is not "Nguyễn Văn", the start of many names."""
    target = "".join(needle)
    breaks = _boundaries(needle)
    for start in range(len(haystack)):
        length, end = 0, start
        while end < len(haystack) and length < len(target):
            if not target.startswith(haystack[end], length):
                break
            length += len(haystack[end])
            end += 1
        if length == len(target):
            text_breaks = _boundaries(haystack[start:end])
            if text_breaks <= breaks or (len(needle) >= 2 and breaks <= text_breaks):
                return True
    return False


def _contains_with_fillers(
    haystack: list[str], needle: tuple[str, ...], fillers: frozenset[str]
) -> bool:
    """Whether `haystack` holds the words of `needle` in order, with at most three `fillers`
    between two of them."""

    def rest_from(position: int, index: int) -> bool:
        if index == len(needle):
            return True
        for at in range(position, min(position + 4, len(haystack))):
            if haystack[at] == needle[index] and rest_from(at + 1, index + 1):
                return True
            if haystack[at] not in fillers:
                return False
        return False

    return any(word == needle[0] and rest_from(start + 1, 1) for start, word in enumerate(haystack))


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside `value` (keys too), with its dotted path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from _texts(item, child)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]")
    elif value is not None:
        yield path, str(value)


@lru_cache(maxsize=16384)
def _scanned(text: str) -> tuple[list[str], list[str], str]:
    """A text as the scan reads it: its folded words, its digit runs, and its folded letters
    and digits run together. Cached: most texts scanned are the same codes, bases and dates
    over and over (every audit entry is scanned before it is stored)."""
    text_words = words(text)
    return text_words, _digit_runs(text), "".join(text_words)


@dataclass(frozen=True)
class IdentityScan:
    """The markers of one identity, built once, and an anchor for each: the longest of its
    words, or its number. A text holds a marker only if it holds its anchor among its folded
    letters and digits run together, so a text in which one search finds no anchor is not
    searched further (most texts scanned are codes, dates and bases)."""

    markers: tuple[IdentityMarker, ...]
    anchors: re.Pattern[str] | None

    @staticmethod
    def of(identity: Mapping[str, str]) -> IdentityScan:
        return _scan_of(tuple(sorted((k, v or "") for k, v in identity.items())))

    def leaks(self, data: Any) -> list[tuple[str, str]]:
        """(path in `data`, identity field) for every marker found in `data`, in order, each
        pair once."""
        leaks: list[tuple[str, str]] = []
        if self.anchors is None:
            return leaks
        for path, text in _texts(data, ""):
            text_words, digit_runs, joined = _scanned(text)
            if not self.anchors.search(joined):
                continue
            for marker in self.markers:
                if (path, marker.field) not in leaks and marker.is_in(text_words, digit_runs):
                    leaks.append((path, marker.field))
        return leaks


@lru_cache(maxsize=1024)
def _scan_of(identity: tuple[tuple[str, str], ...]) -> IdentityScan:
    markers = tuple(identity_markers(dict(identity)))
    # a word marker's words all appear, whole or run together, in a text that holds it; a
    # number's digits appear run together there too (its separators are not letters)
    anchors = {m.digits or max(m.words, key=len) for m in markers}
    pattern = "|".join(re.escape(a) for a in sorted(anchors, key=len, reverse=True))
    return IdentityScan(markers, re.compile(pattern) if anchors else None)


def identity_leaks(data: Any, identity: Mapping[str, str]) -> list[tuple[str, str]]:
    """(path in `data`, identity field) for every identity marker found in `data`, in order,
    each pair once."""
    return IdentityScan.of(identity).leaks(data)


IDENTITY_PARTS_VI: Mapping[str, str] = {
    "full_name": "họ tên",
    "address": "địa chỉ",
    "contact": "số điện thoại",
    "id_number": "số căn cước công dân",
    "email": "địa chỉ thư điện tử",
}
"""The parts of an identity (IDENTITY_FIELDS) as a Vietnamese refusal names them."""


def ensure_no_identity(
    data: Any,
    identity: Mapping[str, str] | None,
    what: str,
    advice: Mapping[str, str] | None = None,
    may_name_fields: bool = True,
    *,
    places_vi: Mapping[str, str] | None = None,
    advice_vi: Mapping[str, str] | None = None,
) -> None:
    """Raise IdentityDisclosure if `data` holds any part of `identity`. The message says where
    (and, when `may_name_fields`, which part: only to someone allowed to see the identity, or
    the refusal would confirm a guess). `advice` maps a path prefix to what the user can do.
    A Vietnamese page names a path by `places_vi` (path prefix → what the officer typed it as:
    "«Lý do không thụ lý»"), and gives the advice of `advice_vi` (path prefix → advice)."""
    if not identity:
        return
    leaks = identity_leaks(data, identity)
    if not leaks:
        return
    if may_name_fields:
        where = "; ".join(f"the denouncer's {name} appears in {path}" for path, name in leaks)
    else:
        where = "in " + ", ".join(dict.fromkeys(path for path, _ in leaks))

    def advised(advice: Mapping[str, str] | None) -> list[str]:
        return [
            hint
            for prefix, hint in (advice or {}).items()
            if any(_under(path, prefix) for path, _ in leaks)
        ]

    def place_vi(path: str) -> str:
        found = [prefix for prefix in places_vi or {} if _under(path, prefix)]
        return (places_vi or {})[max(found, key=len)] if found else "nội dung đã nhập"

    if may_name_fields:
        parts = {(IDENTITY_PARTS_VI.get(name, "thông tin"), place_vi(path)) for path, name in leaks}
        where_vi = "; ".join(
            f"{part} của người gửi đơn có trong {place}" for part, place in sorted(parts)
        )
    else:
        where_vi = "trong " + ", ".join(dict.fromkeys(place_vi(path) for path, _ in leaks))
    raise said(
        IdentityDisclosure(
            f"{what} would reveal the denouncer's identity to the denounced person ({where}); "
            "nothing was written. Reword that text without it (LTC Arts. 8(3), 56)"
            + "".join(f". {hint}" for hint in advised(advice))
        ),
        "Thông báo gửi người bị tố cáo, bị khiếu nại sẽ để lộ thông tin người gửi đơn "
        f"({where_vi}); chưa có gì được ghi lại. Đề nghị viết lại phần đó, không nêu thông tin "
        f"người gửi đơn ({cite_vi('LTC Arts. 8(3), 56')})"
        + "".join(f". {hint}" for hint in advised(advice_vi)),
    )


def _under(path: str, prefix: str) -> bool:
    """Whether `path` (case.content, decision.data.reasons) is `prefix` or inside it."""
    return path == prefix or path.startswith(prefix + ".")


SUMMARY_WITHHELD = (
    "(Nội dung tóm tắt không hiển thị vì có nêu thông tin của người gửi đơn; chỉ người được "
    "pháp luật cho phép mới xem được trên hệ thống)"
)
"""What a summary that names its sender reads as, for whoever may not see the sender."""


TEXT_WITHHELD = (
    "(Không hiển thị vì có nêu thông tin của người gửi đơn; chỉ người được pháp luật cho phép "
    "mới xem được trên hệ thống)"
)
"""What any other typed text (a step's reason, a field) that names its sender reads as."""


WITHHELD_TEXTS = frozenset({SUMMARY_WITHHELD, TEXT_WITHHELD})
"""What a text that named its sender is stored as (its original is sealed in the vault)."""


def withheld(
    data: Any, identity: Mapping[str, str] | None, placeholder: str = TEXT_WITHHELD
) -> Any:
    """`data` with every text in it that names the sender (the scan of `identity_leaks`)
    replaced by `placeholder`, the rest as it is; None when no text names him. What is stored
    for every reader to see; the original goes into the case's vault."""
    if not identity or not identity_leaks(data, identity):
        return None
    return _replaced(data, identity, placeholder)


def _replaced(value: Any, identity: Mapping[str, str], placeholder: str) -> Any:
    if isinstance(value, str):
        return placeholder if identity_leaks(value, identity) else value
    if isinstance(value, Mapping):
        return {key: _replaced(item, identity, placeholder) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_replaced(item, identity, placeholder) for item in value]
    return value


def withheld_at_intake(
    summary: str,
    forwarded_by: str | None,
    attributes: Mapping[str, Any],
    identity: Mapping[str, str],
) -> tuple[str, str | None, dict[str, Any], dict[str, Any]]:
    """What reception typed, as stored — the summary, the forwarder, the attributes (a
    contested decision, a reason for the longer periods, a historical import's note), each
    withheld where it names the sender — and the originals of those that did (`summary`,
    `forwarded_by`, `attributes`: only the keys withheld), to seal; {} when none did."""
    typed: dict[str, Any] = {}
    stored_summary = withheld(summary, identity, SUMMARY_WITHHELD)
    if stored_summary is not None:
        typed["summary"] = summary
    stored_forwarder = withheld(forwarded_by or "", identity)
    if stored_forwarder is not None:
        typed["forwarded_by"] = forwarded_by
    hidden = withheld(dict(attributes), identity)
    stored_attributes = dict(attributes) if hidden is None else hidden
    changed = {k: v for k, v in attributes.items() if stored_attributes.get(k) != v}
    if changed:
        typed["attributes"] = changed
    return (
        summary if stored_summary is None else stored_summary,
        forwarded_by if stored_forwarder is None else stored_forwarder,
        stored_attributes,
        typed,
    )


def is_withheld(text: Any) -> bool:
    """Whether `text` is what a text that named the sender is stored as."""
    return isinstance(text, str) and text in WITHHELD_TEXTS
