"""Read the organisation from its YAML file (agencies, officers, declared relations).

The file has four top-level keys: ``name`` (optional text), ``agencies``, ``officers`` and
``relations`` (lists of mappings). Every problem is reported as a `ConfigurationError` whose
message names the file, the entry (by position and code) and what is allowed, so whoever
maintains the file can fix it without reading this code::

    name: "Tỉnh Nghệ An (example)"
    agencies:
      - {code: ubnd-tinh, name: "Ủy ban nhân dân tỉnh", kind: provincial_committee,
         head: o-chu-tich, deputies: [o-pct-1], inspectorate: thanh-tra-tinh, superior: null}
    officers:
      - {code: o-chu-tich, name: "Nguyễn Văn An", agency: ubnd-tinh, roles: [head, supervisor],
         title: "Chủ tịch", email: chu-tich@ubnd.example}
    relations:
      - {officer: o-chu-tich, kinship: sibling, person_name: "Trần Văn B"}   # or person_officer

`organisation_to_dict` is the inverse: plain data in the same shape, for JSON output.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from casework.domain.errors import ConfigurationError
from casework.domain.organisation import (
    Acting,
    Agency,
    Kinship,
    Officer,
    Organisation,
    Relation,
    Role,
)

_TOP_KEYS = ("name", "agencies", "officers", "relations", "acting")
_AGENCY_REQUIRED = ("code", "name", "kind")
_AGENCY_OPTIONAL = ("head", "deputies", "inspectorate", "superior")
_OFFICER_REQUIRED = ("code", "name", "agency", "roles")
_OFFICER_OPTIONAL = ("email", "title")
_RELATION_REQUIRED = ("officer", "kinship")
_RELATION_OPTIONAL = ("person_name", "person_officer")

_SINGULAR = {
    "agencies": "agency",
    "officers": "officer",
    "relations": "relation",
    "acting": "acting head",
}
_ALLOWED_ROLES = ", ".join(role.value for role in Role)
_ALLOWED_KINSHIP = ", ".join(kinship.value for kinship in Kinship)


class _Entry:
    """One mapping from a list in the file, with helpers that read typed values from it.

    Every error raised here names the file, the entry and what would have been accepted.
    """

    def __init__(self, path: Path, section: str, index: int, raw: object) -> None:
        self.path = path
        self.section = section
        self.index = index
        self.singular = _SINGULAR[section]
        if not isinstance(raw, dict):
            raise ConfigurationError(
                f"{path}: {section} entry #{index} must be a mapping (key: value pairs), "
                f"got {raw!r}"
            )
        self.data: dict[Any, Any] = raw
        code = raw.get("code") if section != "relations" else raw.get("officer")
        label = f" ({code})" if isinstance(code, str) and code else ""
        self.where = f"{path}: {self.singular} #{index}{label}"

    def fail(self, problem: str) -> ConfigurationError:
        """An error about this entry."""
        return ConfigurationError(f"{self.where}: {problem}")

    def check_keys(self, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
        """Refuse unknown keys and missing (or empty) required keys."""
        allowed = (*required, *optional)
        unknown = sorted(str(key) for key in self.data if key not in allowed)
        if unknown:
            raise self.fail(
                f"unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(allowed)}"
            )
        missing = [key for key in required if self.data.get(key) in (None, "", [])]
        if missing:
            raise self.fail(
                f"missing required key(s) {', '.join(missing)}; "
                f"every {self.singular} needs {', '.join(required)}"
            )

    def text(self, key: str, default: str = "") -> str:
        """A text value (numbers and booleans are refused, to catch YAML surprises)."""
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(f"{key} must be text, got {value!r}; quote it in the YAML file")
        return value.strip()

    def code(self, key: str) -> str | None:
        """An optional reference to another entry's code (null or absent means none)."""
        value = self.text(key)
        return value or None

    def codes(self, key: str) -> tuple[str, ...]:
        """A list of codes (absent or null means an empty list)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{key} must be a list of codes, e.g. [a, b], got {value!r}")
        return tuple(v.strip() for v in value)


def _read(path: Path) -> dict[Any, Any]:
    """The parsed top-level mapping of the file."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read organisation file {path}: {exc}") from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. an impossible date
        raise ConfigurationError(f"organisation file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"{path}: expected a mapping with the keys {', '.join(_TOP_KEYS)}, got {data!r}"
        )
    unknown = sorted(str(key) for key in data if key not in _TOP_KEYS)
    if unknown:
        raise ConfigurationError(
            f"{path}: unknown top-level key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(_TOP_KEYS)}"
        )
    return data


def _entries(data: Mapping[Any, Any], section: str, path: Path) -> list[_Entry]:
    """The entries of one top-level list (absent or null means empty)."""
    raw = data.get(section)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ConfigurationError(
            f"{path}: '{section}' must be a list of mappings (one '- code: ...' per entry)"
        )
    return [_Entry(path, section, index, item) for index, item in enumerate(raw, start=1)]


def _check_unique(entries: list[_Entry], path: Path) -> None:
    """Refuse two entries of one section with the same code."""
    first: dict[str, int] = {}
    for entry in entries:
        code = entry.text("code")
        if code in first:
            raise ConfigurationError(
                f"{path}: {entry.singular} code {code!r} is declared twice "
                f"(entries #{first[code]} and #{entry.index}); codes must be unique"
            )
        first[code] = entry.index


def _known(codes: Mapping[str, object]) -> str:
    """The declared codes, for an error message."""
    return ", ".join(sorted(codes)) or "none"


def _agency(entry: _Entry) -> Agency:
    entry.check_keys(_AGENCY_REQUIRED, _AGENCY_OPTIONAL)
    return Agency(
        code=entry.text("code"),
        name=entry.text("name"),
        kind=entry.text("kind"),
        head=entry.code("head"),
        deputies=entry.codes("deputies"),
        inspectorate=entry.code("inspectorate"),
        superior=entry.code("superior"),
    )


def _officer(entry: _Entry) -> Officer:
    entry.check_keys(_OFFICER_REQUIRED, _OFFICER_OPTIONAL)
    roles: list[Role] = []
    for name in entry.codes("roles"):
        try:
            role = Role(name)
        except ValueError:
            raise entry.fail(f"role {name!r} is unknown; allowed roles: {_ALLOWED_ROLES}") from None
        if role not in roles:
            roles.append(role)
    return Officer(
        code=entry.text("code"),
        name=entry.text("name"),
        agency=entry.text("agency"),
        roles=tuple(roles),
        email=entry.text("email"),
        title=entry.text("title"),
    )


def _relation(entry: _Entry) -> Relation:
    entry.check_keys(_RELATION_REQUIRED, _RELATION_OPTIONAL)
    kinship_name = entry.text("kinship")
    try:
        kinship = Kinship(kinship_name)
    except ValueError:
        raise entry.fail(
            f"kinship {kinship_name!r} is unknown; allowed: {_ALLOWED_KINSHIP}"
        ) from None
    person_name = entry.text("person_name")
    person_officer = entry.code("person_officer")
    if not person_name and person_officer is None:
        raise entry.fail(
            "say who the relation is to: person_name (a name) or person_officer (an officer code)"
        )
    return Relation(
        officer=entry.text("officer"),
        kinship=kinship,
        person_name=person_name,
        person_officer=person_officer,
    )


def _acting(entry: _Entry) -> Acting:
    """An acting head: `{officer, agency, from: YYYY-MM-DD, to: YYYY-MM-DD, reason}`."""
    entry.check_keys(("officer", "agency", "from", "to"), ("reason",))
    days = []
    for key in ("from", "to"):
        value = entry.data.get(key)
        if isinstance(value, str):  # a quoted date, as JSON output gives it
            with contextlib.suppress(ValueError):  # not a date: refused just below
                value = date.fromisoformat(value)
        if not isinstance(value, date) or isinstance(value, datetime):
            raise entry.fail(f"{key} must be a date as YYYY-MM-DD, got {value!r}")
        days.append(value)
    return Acting(
        officer=entry.text("officer"),
        agency=entry.text("agency"),
        start=days[0],
        end=days[1],
        reason=entry.text("reason"),
    )


def _check_references(
    agencies: Mapping[str, Agency],
    officers: Mapping[str, Officer],
    relations: list[tuple[_Entry, Relation]],
    entries: Mapping[str, _Entry],
) -> None:
    """Every code an entry refers to must be declared; the error lists what is declared."""
    for agency in agencies.values():
        entry = entries[f"agency:{agency.code}"]
        for ref, what in [(agency.head, "head"), *[(d, "deputy") for d in agency.deputies]]:
            if ref is not None and ref not in officers:
                raise entry.fail(
                    f"{what} {ref!r} is not a declared officer; officers: {_known(officers)}"
                )
        for ref, what in [(agency.inspectorate, "inspectorate"), (agency.superior, "superior")]:
            if ref is not None and ref not in agencies:
                raise entry.fail(
                    f"{what} {ref!r} is not a declared agency; agencies: {_known(agencies)}"
                )
    for officer in officers.values():
        if officer.agency not in agencies:
            raise entries[f"officer:{officer.code}"].fail(
                f"agency {officer.agency!r} is not declared; agencies: {_known(agencies)}"
            )
    for entry, relation in relations:
        for ref, what in [
            (relation.officer, "officer"),
            (relation.person_officer, "person_officer"),
        ]:
            if ref is not None and ref not in officers:
                raise entry.fail(
                    f"{what} {ref!r} is not a declared officer; officers: {_known(officers)}"
                )


def load_organisation(path: Path) -> Organisation:
    """Parse and validate the organisation file at `path`.

    Raises `ConfigurationError` naming the file, the entry and what is allowed: unknown or
    missing keys, unknown roles or kinship, duplicate codes, references to undeclared agencies
    or officers, and a superior chain that loops.
    """
    data = _read(path)
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise ConfigurationError(f"{path}: name must be text, got {name!r}")
    agency_entries = _entries(data, "agencies", path)
    officer_entries = _entries(data, "officers", path)
    relation_entries = _entries(data, "relations", path)
    if not agency_entries:
        raise ConfigurationError(f"{path}: declare at least one agency under 'agencies'")

    by_code: dict[str, _Entry] = {}
    agencies: dict[str, Agency] = {}
    for entry in agency_entries:
        agency = _agency(entry)
        agencies[agency.code] = agency
        by_code[f"agency:{agency.code}"] = entry
    _check_unique(agency_entries, path)
    officers: dict[str, Officer] = {}
    for entry in officer_entries:
        officer = _officer(entry)
        officers[officer.code] = officer
        by_code[f"officer:{officer.code}"] = entry
    _check_unique(officer_entries, path)
    relations = [(entry, _relation(entry)) for entry in relation_entries]
    _check_references(agencies, officers, relations, by_code)
    acting = []
    for entry in _entries(data, "acting", path):
        record = _acting(entry)
        if record.officer not in officers or record.agency not in agencies:
            raise entry.fail(
                f"officer and agency must be declared; officers: {_known(officers)}; "
                f"agencies: {_known(agencies)}"
            )
        acting.append(record)
    try:
        return Organisation(
            agencies=agencies,
            officers=officers,
            relations=tuple(relation for _, relation in relations),
            name=(name or "").strip(),
            acting=tuple(acting),
        )
    except ConfigurationError as exc:  # e.g. a superior chain that loops
        raise ConfigurationError(f"{path}: {exc}") from exc


def organisation_to_dict(org: Organisation) -> dict[str, Any]:
    """The organisation as plain data in the file's shape (the inverse of `load_organisation`).

    Suitable for JSON output; dumped back to YAML it loads into an equal `Organisation`.
    """
    return {
        "name": org.name,
        "agencies": [
            {
                "code": a.code,
                "name": a.name,
                "kind": a.kind,
                "head": a.head,
                "deputies": list(a.deputies),
                "inspectorate": a.inspectorate,
                "superior": a.superior,
            }
            for a in org.agencies.values()
        ],
        "officers": [
            {
                "code": o.code,
                "name": o.name,
                "agency": o.agency,
                "roles": [r.value for r in o.roles],
                "email": o.email,
                "title": o.title,
            }
            for o in org.officers.values()
        ],
        "relations": [
            {
                "officer": r.officer,
                "kinship": r.kinship.value,
                "person_name": r.person_name,
                "person_officer": r.person_officer,
            }
            for r in org.relations
        ],
        "acting": [
            {
                "officer": a.officer,
                "agency": a.agency,
                "from": a.start.isoformat(),
                "to": a.end.isoformat(),
                "reason": a.reason,
            }
            for a in org.acting
        ],
    }
