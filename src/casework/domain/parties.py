"""The parties a case concerns, resolved at intake, and the officers each case excludes.

A denunciation may name several denounced parties; each is one of: an officer of the
organisation (by code), an agency, or an outside person. A name typed at reception that may be
an officer (`people.officers_named`) keeps its candidates until a head who is not one of them
confirms, on the record, that the party is an outside person: until then every candidate is
treated as denounced (fail closed).

`excluded_officers` turns the parties into the set of officers who may not see or act on the
case (LTC Arts. 8(3), 12–14; ND31 Art. 10(3)). It is stored with the case, so that a list can
leave those cases out in SQL by the same rule a case page applies in Python
(`domain.visibility`), and recomputed when the organisation or the parties change.

A complaint's respondent (the official whose decision is complained about) resolves the first
instance (LKN Arts. 7(1), 18): resolved the same way for identification and repeats, never
excluded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from casework.domain.organisation import Organisation
from casework.domain.people import officers_named_how, relatives_of


class PartyRole(StrEnum):
    """What the party is to the case."""

    DENOUNCED = "denounced"
    RESPONDENT = "respondent"  # of a complaint: identified, never excluded


class PartyKind(StrEnum):
    """What the party was resolved to."""

    OFFICER = "officer"
    AGENCY = "agency"
    PERSON = "person"  # outside the organisation, or not yet confirmed to be (candidates)


class Exclusion(StrEnum):
    """Why an officer may not see or act on a case."""

    DENOUNCED = "denounced"
    CANDIDATE = "candidate"  # a typed name or post that may be his; no head confirmed otherwise
    DENOUNCED_AGENCY = "denounced_agency"  # officer of a denounced agency, or of a denounced head
    RELATIVE = "relative"  # declared relative of an excluded officer or of the typed person
    RECUSED = "recused"  # recused himself, with a reason on the record
    LINKED = "linked"  # excluded from a case this record is linked to (a classified letter)


EXCLUSION_TEXT: dict[Exclusion, str] = {
    Exclusion.DENOUNCED: "he is the denounced person",
    Exclusion.CANDIDATE: (
        "the name or post the letter gives may be his, and no head has confirmed on the record "
        "that it is someone else (`casework case confirm-outside`)"
    ),
    Exclusion.DENOUNCED_AGENCY: "he works for the denounced agency or under the denounced head",
    Exclusion.RELATIVE: "he declared a family relation or an interest in the denounced person",
    Exclusion.RECUSED: "he recused himself from the case",
    Exclusion.LINKED: "he is excluded from the case this record was classified into",
}
"""Why an officer is excluded, as a refusal says it."""

EXCLUSION_TEXT_VI: dict[Exclusion, str] = {
    Exclusion.DENOUNCED: "là người bị tố cáo",
    Exclusion.CANDIDATE: (
        "có thể là người có họ tên hoặc chức vụ nêu trong đơn, và chưa có người đứng đầu xác "
        "nhận đó là người khác"
    ),
    Exclusion.DENOUNCED_AGENCY: (
        "công tác tại cơ quan bị tố cáo hoặc dưới quyền người đứng đầu bị tố cáo"
    ),
    Exclusion.RELATIVE: "đã kê khai có quan hệ gia đình hoặc lợi ích liên quan đến người bị tố cáo",
    Exclusion.RECUSED: "đã từ chối tham gia giải quyết hồ sơ",
    Exclusion.LINKED: "thuộc trường hợp phải tránh ở hồ sơ được tạo từ đơn này",
}
"""Why an officer is excluded, as a Vietnamese page says it after who it is ("Cán bộ X …",
"Đồng chí …")."""

PARTY_KIND_VI: dict[PartyKind, str] = {
    PartyKind.OFFICER: "cán bộ trong cơ quan",
    PartyKind.AGENCY: "cơ quan, tổ chức",
    PartyKind.PERSON: "người ngoài cơ quan (hoặc chưa xác định)",
}
"""What a party was resolved to, as a Vietnamese page says it."""


@dataclass(frozen=True)
class Party:
    """A party as resolved at intake. `candidates` are officers the typed `name` may be;
    `outside_confirmed_by` is the head who confirmed on the record that it is none of them."""

    role: PartyRole
    kind: PartyKind
    name: str = ""
    officer: str | None = None
    agency: str | None = None
    candidates: tuple[str, ...] = ()
    outside_confirmed_by: str | None = None
    # candidates only as the staff of an agency the name gives (known at intake, not stored)
    as_staff: tuple[str, ...] = ()

    @property
    def is_pending(self) -> bool:
        """A person who may be an officer, with no head's confirmation that he is not."""
        return (
            self.kind == PartyKind.PERSON
            and bool(self.candidates)
            and self.outside_confirmed_by is None
        )


def resolve_party(
    org: Organisation,
    role: PartyRole,
    on: date,
    name: str = "",
    officer: str | None = None,
    agency: str | None = None,
) -> Party:
    """A party as reception described it: an officer by code wins; else a typed name (with its
    candidate officers on `on`, the received date); else an agency. Unknown codes raise."""
    name = name.strip()
    if officer:
        record = org.officer(officer)
        return Party(role, PartyKind.OFFICER, name or record.name, officer=record.code)
    if agency and not name:
        return Party(role, PartyKind.AGENCY, org.agency(agency).name, agency=agency)
    if agency:
        org.agency(agency)
    named = officers_named_how(org, name, on)
    return Party(
        role,
        PartyKind.PERSON,
        name,
        agency=agency,
        candidates=tuple(o.code for o, _ in named),
        as_staff=tuple(o.code for o, staff in named if staff),
    )


@dataclass(frozen=True)
class CaseExclusions:
    """Officer code → why he is excluded from the case."""

    reasons: Mapping[str, Exclusion] = field(default_factory=dict)

    @property
    def officers(self) -> frozenset[str]:
        return frozenset(self.reasons)


def excluded_officers(
    org: Organisation,
    kind: str,
    parties: Iterable[Party],
    on: date,
    recused: Iterable[str] = (),
) -> CaseExclusions:
    """The officers who may not see or act on a case of `kind` with `parties`, as of `on` (the
    received date: the post holders then). Only denounced parties exclude; recusals always do."""
    reasons: dict[str, Exclusion] = {}
    names: list[str] = []
    for party in parties:
        if party.role != PartyRole.DENOUNCED or kind == "complaint":
            continue
        names.append(party.name)
        if party.officer:
            reasons.setdefault(party.officer, Exclusion.DENOUNCED)
        if party.kind == PartyKind.AGENCY and party.agency:
            for code in _agency_staff(org, party.agency, on):
                reasons.setdefault(code, Exclusion.DENOUNCED_AGENCY)
        if party.is_pending:
            for code in party.candidates:
                reasons.setdefault(code, Exclusion.CANDIDATE)
    # a denunciation of a head is handled above him (LTC Arts. 12–14): his agency's officers,
    # who answer to him, are excluded like him
    for code in [c for c, r in reasons.items() if r != Exclusion.DENOUNCED_AGENCY]:
        for agency in _agencies_headed(org, code, on):
            for staff in _agency_staff(org, agency, on):
                reasons.setdefault(staff, Exclusion.DENOUNCED_AGENCY)
    for code in relatives_of(org, list(reasons), names):
        reasons.setdefault(code, Exclusion.RELATIVE)
    for code in recused:
        reasons.setdefault(code, Exclusion.RECUSED)
    return CaseExclusions(reasons)


def _agency_staff(org: Organisation, agency: str, on: date) -> list[str]:
    staff = [o.code for o in org.officers.values() if o.agency == agency]
    head = org.head_of(agency, on)
    if head is not None and head.code not in staff:
        staff.append(head.code)  # an acting head from another agency
    return staff


def _agencies_headed(org: Organisation, officer: str, on: date) -> list[str]:
    headed = []
    for agency in org.agencies.values():
        acting = org.head_of(agency.code, on)
        if agency.head == officer or (acting is not None and acting.code == officer):
            headed.append(agency.code)
    return headed
