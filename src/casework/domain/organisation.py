"""The organisation: agencies as a tree, officers and their roles, declared family relations.

Used to resolve escalation recipients when a step fires, and by domain/people.py and
domain/parties.py to work out whom a case names and excludes (ND31 Art. 10(3)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from casework.domain.errors import ConfigurationError, NotFound, said


class Role(StrEnum):
    """What an officer may do (domain/access.py)."""

    RECEPTION = "reception"
    HANDLER = "handler"
    HEAD = "head"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Kinship(StrEnum):
    """Relations that bar an officer from verifying a case (ND31 Art. 10(3))."""

    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    PARENT_IN_LAW = "parent_in_law"
    CHILD_IN_LAW = "child_in_law"
    DIRECT_INTEREST = "direct_interest"


@dataclass(frozen=True)
class Agency:
    """A body in the tree; `superior` is its direct superior agency."""

    code: str
    name: str
    kind: str
    head: str | None = None
    deputies: tuple[str, ...] = ()
    inspectorate: str | None = None
    superior: str | None = None


@dataclass(frozen=True)
class Officer:
    """A person who works in an agency."""

    code: str
    name: str
    agency: str
    roles: tuple[Role, ...]
    email: str = ""
    title: str = ""


@dataclass(frozen=True)
class Relation:
    """An officer's declared relation to a person (by name) or to another officer."""

    officer: str
    kinship: Kinship
    person_name: str = ""
    person_officer: str | None = None


@dataclass(frozen=True)
class Acting:
    """An officer who holds an agency's head post for a period (both days included)."""

    officer: str
    agency: str
    start: date
    end: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Recipient:
    """An officer addressed by an escalation step, in the post that made them one."""

    officer: str
    name: str
    email: str
    post: str

    def as_dict(self) -> dict[str, str]:
        return {"officer": self.officer, "name": self.name, "email": self.email, "post": self.post}


@dataclass(frozen=True)
class Organisation:
    """A snapshot of agencies, officers and relations."""

    agencies: Mapping[str, Agency]
    officers: Mapping[str, Officer]
    relations: tuple[Relation, ...] = ()
    name: str = ""
    acting: tuple[Acting, ...] = ()
    _relations_by_officer: dict[str, list[Relation]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for relation in self.relations:
            self._relations_by_officer.setdefault(relation.officer, []).append(relation)
        problems = list(self._problems())
        if problems:
            raise ConfigurationError("organisation is inconsistent: " + "; ".join(problems))

    def _problems(self) -> Iterable[str]:
        for agency in self.agencies.values():
            for ref, what in [(agency.head, "head"), *[(d, "deputy") for d in agency.deputies]]:
                if ref is not None and ref not in self.officers:
                    yield f"agency {agency.code}: {what} {ref!r} is not an officer"
            for ref, what in [(agency.superior, "superior"), (agency.inspectorate, "inspectorate")]:
                if ref is not None and ref not in self.agencies:
                    yield f"agency {agency.code}: {what} {ref!r} is not an agency"
        for officer in self.officers.values():
            if officer.agency not in self.agencies:
                yield f"officer {officer.code}: agency {officer.agency!r} is not declared"
        for relation in self.relations:
            if relation.officer not in self.officers:
                yield f"relation: officer {relation.officer!r} is not declared"
        for acting in self.acting:
            if acting.officer not in self.officers:
                yield f"acting: officer {acting.officer!r} is not declared"
            if acting.agency not in self.agencies:
                yield f"acting: agency {acting.agency!r} is not declared"
            if acting.end < acting.start:
                yield f"acting: {acting.officer} for {acting.agency} ends before it starts"
        for code in self.agencies:
            seen = {code}
            current = self.agencies[code].superior
            while current is not None:
                if current in seen:
                    yield f"agency {code}: the superior chain loops"
                    break
                seen.add(current)
                current = self.agencies[current].superior if current in self.agencies else None

    def agency(self, code: str) -> Agency:
        try:
            return self.agencies[code]
        except KeyError:
            raise said(
                NotFound(f"no agency {code!r}; known agencies: {', '.join(sorted(self.agencies))}"),
                f"Không có cơ quan mã «{code}» trong danh sách tổ chức",
            ) from None

    def officer(self, code: str) -> Officer:
        try:
            return self.officers[code]
        except KeyError:
            raise said(
                NotFound(
                    f"no officer {code!r}; known officers: {', '.join(sorted(self.officers))}"
                ),
                f"Không có cán bộ mã «{code}» trong danh sách tổ chức",
            ) from None

    def head_of(self, agency_code: str | None, on: date | None = None) -> Officer | None:
        """Who holds the head post of an agency — on `on`, an acting head if one is recorded."""
        if agency_code is None or agency_code not in self.agencies:
            return None
        if on is not None:
            for acting in self.acting:
                if acting.agency == agency_code and acting.covers(on):
                    return self.officers.get(acting.officer)
        head = self.agencies[agency_code].head
        return self.officers.get(head) if head else None

    def recipient(self, officer: Officer | None, post: str) -> Recipient | None:
        if officer is None:
            return None
        return Recipient(officer.code, officer.name, officer.email, post)
