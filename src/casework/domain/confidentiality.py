"""Keeping the denouncer's identity out of what the denounced person is told (LTC Arts. 8(3), 56).

A notice to the denounced is built from case facts that never include the identity; this module
is the second line: it looks for every piece of the identity in every text of a notice's data,
ignoring case, Vietnamese diacritics, spaces and punctuation, so "Nguyễn Văn An", "NGUYEN VAN
AN" and "nguyen-van-an" are the same name and "0912 345 678" the same phone as "0912345678".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from casework.domain.errors import InvalidInput

IDENTITY_FIELDS: tuple[str, ...] = ("full_name", "address", "contact", "id_number", "email")
"""The parts of a denouncer's identity; each is confidential on its own."""

MINIMUM_COMPARED_LENGTH = 4
"""Shorter values (after folding) are not looked for: "An" would match half the texts."""


class IdentityDisclosure(InvalidInput):
    """A message to the denounced person would reveal who denounced them; nothing was written."""


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(
        ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch)
    )


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
    """(path in `data`, identity field) for every identity value found in `data`."""
    wanted = {
        name: folded
        for name in IDENTITY_FIELDS
        if len(folded := fold(str(identity.get(name) or ""))) >= MINIMUM_COMPARED_LENGTH
    }
    leaks: list[tuple[str, str]] = []
    for path, text in _texts(data, ""):
        folded_text = fold(text)
        leaks.extend((path, name) for name, value in wanted.items() if value in folded_text)
    return leaks


def ensure_no_identity(
    data: Any,
    identity: Mapping[str, str] | None,
    what: str,
    advice: Mapping[str, str] | None = None,
) -> None:
    """Raise IdentityDisclosure, naming each identity field and where it appears, if `data`
    holds any part of `identity`. `what` names the message; `advice` maps a path prefix of
    `data` to what the user can do about a leak there."""
    if not identity:
        return
    leaks = identity_leaks(data, identity)
    if not leaks:
        return
    where = "; ".join(f"the denouncer's {name} appears in {path}" for path, name in leaks)
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
