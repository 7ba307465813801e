"""Keeping the denouncer's identity out of what the denounced person is told (LTC Arts. 8(3), 56).

A notice to the denounced is built from case facts that never include the identity; this module
is the second line. It searches the free text of a notice (what officers typed: the content, the
reasons of a decision) for the identity **and for its parts**, the way a reader would recognise
someone:

- the full name, and its given name with the syllable before it ("Bích Ngọc" of "Hoàng Thị
  Bích Ngọc"), as whole words in any case, with or without diacritics;
- every phone or ID number in the identity (six digits or more), however it is spaced or
  prefixed ("+84 912 345 678", "0912.345.678");
- the email address and its local part ("ngoc.hoang");
- the street part of the address (a comma-separated part holding a house number) and the
  whole address.

Names of officials and agencies that casework itself puts in a notice are not searched: they
come from the organisation, not from the case, and a denouncer who shares a name with a head of
agency must not block the case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from casework.domain.errors import ConflictOfInterest, InvalidInput
from casework.domain.organisation import Organisation

IDENTITY_FIELDS: tuple[str, ...] = ("full_name", "address", "contact", "id_number", "email")
"""The parts of a denouncer's identity; each is confidential on its own."""

MINIMUM_DIGITS = 6
"""Digit runs shorter than this (a house number, a year) are not identifying on their own."""


class IdentityDisclosure(InvalidInput):
    """A message to the denounced person would reveal who denounced them; nothing was written."""


def may_see_identity(
    org: Organisation,
    officer_code: str | None,
    agency: str,
    logged_by: str | None,
    denounced_name: str,
    denounced_officer: str | None,
) -> bool:
    """Who needs the identity (DOMAIN §5): the reception officer who logged the letter and the
    resolver (head of the resolving agency) — never the denounced person or a relative of
    theirs; verifiers get the redacted file (LTC Art. 56)."""
    if not officer_code or officer_code not in org.officers:
        return False
    try:
        org.check_no_conflict(officer_code, denounced_name, denounced_officer)
    except ConflictOfInterest:
        return False
    head = org.head_of(agency)
    return officer_code == logged_by or (head is not None and head.code == officer_code)


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), letters and digits only."""
    return "".join(ch for ch in _fold_chars(text) if ch.isalnum())


def _fold_chars(text: str) -> Iterator[str]:
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    for ch in decomposed.casefold():
        if unicodedata.combining(ch):
            continue
        yield ch


def words(text: str) -> list[str]:
    """The folded words of `text`: "Bà Hoàng-Thị Bích Ngọc!" → [ba, hoang, thi, bich, ngoc]."""
    return re.findall(r"[a-z0-9]+", "".join(_fold_chars(text)))


def _digit_runs(text: str) -> list[str]:
    """The digits of each run of digits, spaces, dots, dashes and brackets in `text`."""
    return [re.sub(r"\D", "", run) for run in re.findall(r"\d[\d .\-()]*\d|\d", text)]


def _number_markers(value: str) -> list[str]:
    """Each phone or ID number in `value` without its prefix (a leading 0, or +84), so it is
    found however it is written ("+84 912 345 678", "0912.345.678")."""
    markers = []
    for digits in _digit_runs(value):
        if len(digits) == 11 and digits.startswith("84"):
            digits = digits[2:]
        digits = digits.lstrip("0")
        if len(digits) >= MINIMUM_DIGITS:
            markers.append(digits)
    return markers


def identity_markers(identity: Mapping[str, str]) -> list[tuple[str, list[str] | str]]:
    """(field, marker): a marker is a word sequence to find, or a digit key (a str)."""
    markers: list[tuple[str, list[str] | str]] = []
    name = words(identity.get("full_name") or "")
    if len(name) >= 2 or (name and len(name[0]) >= 4):  # "An" alone would match "An ninh"
        markers.append(("full_name", name))
        if len(name) >= 3:
            markers.append(("full_name", name[-2:]))  # the given name as people say it
    for field in ("contact", "id_number", "email", "address"):
        value = identity.get(field) or ""
        markers.extend((field, number) for number in _number_markers(value))
    email = (identity.get("email") or "").strip()
    if email:
        markers.append(("email", words(email)))
        local = words(email.partition("@")[0])
        if sum(len(w) for w in local) >= 4:
            markers.append(("email", local))
    contact = identity.get("contact") or ""
    if "@" in contact:
        markers.append(("contact", words(contact.split()[0] if contact.split() else contact)))
    address = identity.get("address") or ""
    if len(words(address)) >= 2:
        markers.append(("address", words(address)))
    for part in address.split(","):
        part_words = words(part)
        if len(part_words) >= 2 and any(w.isdigit() for w in part_words):
            markers.append(("address", part_words))
    return markers


def _contains(haystack: list[str], needle: list[str]) -> bool:
    size = len(needle)
    return any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


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


def identity_leaks(data: Any, identity: Mapping[str, str]) -> list[tuple[str, str]]:
    """(path in `data`, identity field) for every identity marker found in `data`, in order,
    each pair once."""
    markers = identity_markers(identity)
    leaks: list[tuple[str, str]] = []
    for path, text in _texts(data, ""):
        text_words = words(text)
        text_runs = _digit_runs(text)
        for field, marker in markers:
            found = (
                any(marker in run for run in text_runs)
                if isinstance(marker, str)
                else _contains(text_words, marker)
            )
            if found and (path, field) not in leaks:
                leaks.append((path, field))
    return leaks


def ensure_no_identity(
    data: Any,
    identity: Mapping[str, str] | None,
    what: str,
    advice: Mapping[str, str] | None = None,
    may_name_fields: bool = True,
) -> None:
    """Raise IdentityDisclosure if `data` holds any part of `identity`. The message says where
    (and, when `may_name_fields`, which part: only to someone allowed to see the identity, or
    the refusal would confirm a guess). `advice` maps a path prefix to what the user can do."""
    if not identity:
        return
    leaks = identity_leaks(data, identity)
    if not leaks:
        return
    if may_name_fields:
        where = "; ".join(f"the denouncer's {name} appears in {path}" for path, name in leaks)
    else:
        where = "in " + ", ".join(dict.fromkeys(path for path, _ in leaks))
    hints = [
        hint
        for prefix, hint in (advice or {}).items()
        if any(path == prefix or path.startswith(prefix + ".") for path, _ in leaks)
    ]
    raise IdentityDisclosure(
        f"{what} would reveal the denouncer's identity to the denounced person ({where}); "
        "nothing was written. Reword that text without it (LTC Arts. 8(3), 56)"
        + "".join(f". {hint}" for hint in hints)
    )
