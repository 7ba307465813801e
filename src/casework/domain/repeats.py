"""How a repeated letter is recognised (TT05/2021: the same person on the same matter): the
sender by a keyed digest of their normalised name and ID number (or address, when no ID is
given), the matter by who or what it is about. Names are compared folded — case, spaces,
punctuation and diacritics do not matter — so "NGUYEN VAN AN" and "Nguyễn Văn An" match."""

from __future__ import annotations

from collections.abc import Callable

from casework.domain.confidentiality import fold


def sender_key(
    digest: Callable[[str], str], full_name: str, id_number: str = "", address: str = ""
) -> str:
    """A digest of the sender; empty for an anonymous letter (nothing to compare). `digest`
    is keyed (`Vault.digest`): a digest of a guessed name and number cannot be recomputed
    without the repeat key."""
    name = fold(full_name)
    if not name:
        return ""
    digits = "".join(ch for ch in id_number if ch.isdigit())
    second = f"id:{digits}" if digits else f"addr:{fold(address)}"
    # a digest, not the folded text: the database must not carry a copy of the identity
    return digest(f"{name}|{second}")


def subject_key(
    denounced_name: str = "",
    denounced_officer: str | None = None,
    denounced_agency: str | None = None,
    contested_decision: str = "",
) -> str:
    """Who or what the case is about: the officer's code, else the folded name, else the
    agency's code; for a complaint, with the contested decision. Empty when nobody is named."""
    if denounced_officer:
        who = f"officer:{denounced_officer}"
    elif fold(denounced_name):
        who = f"name:{fold(denounced_name)}"
    elif denounced_agency:
        who = f"agency:{denounced_agency}"
    else:
        return ""
    decision = fold(contested_decision)
    return f"{who}|{decision}" if decision else who


def keyed_subject(digest: Callable[[str], str], subject: str) -> str:
    """The subject as stored: a keyed digest of `subject_key`, which may hold a contested
    decision naming the complainant's household ("thu hồi đất của hộ ông …")."""
    return digest(f"subject|{subject}") if subject else ""


def repeat_key(sender: str, kind: str, agency: str, subject: str) -> str:
    """What a repeat shares with its first case: the same sender writing to the same agency,
    in a case of the same kind, about the same matter. Empty when there is no sender or no
    subject to compare. Joined by `|`: the sender and the subject are already keyed digests."""
    if not (sender and subject):
        return ""
    return f"{sender}|{kind}|{agency}|{subject}"
