"""Read the organisation from its YAML file (agencies, officers, declared relations)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from casework.domain.errors import ConfigurationError
from casework.domain.organisation import Agency, Kinship, Officer, Organisation, Relation, Role

_AGENCY_KEYS = {"code", "name", "kind", "head", "deputies", "inspectorate", "superior"}
_OFFICER_KEYS = {"code", "name", "agency", "roles", "email", "title"}
_RELATION_KEYS = {"officer", "kinship", "person_name", "person_officer"}


def _entries(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    entries = data.get(key) or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigurationError(f"{path}: '{key}' must be a list of mappings")
    return entries


def _check_keys(entry: dict[str, Any], allowed: set[str], required: set[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown keys {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    missing = sorted(k for k in required if not entry.get(k))
    if missing:
        raise ConfigurationError(f"{where}: missing {', '.join(missing)}")


def _unique(codes: list[str], what: str, path: Path) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ConfigurationError(f"{path}: {what} code {code!r} is declared twice")
        seen.add(code)


def load_organisation(path: Path) -> Organisation:
    """Parse and validate `path`; every problem names the file, the entry and what is allowed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read organisation file {path}: {exc}") from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise ConfigurationError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: expected a mapping with agencies, officers, relations")
    raw_agencies = _entries(data, "agencies", path)
    raw_officers = _entries(data, "officers", path)
    raw_relations = _entries(data, "relations", path)
    if not raw_agencies:
        raise ConfigurationError(f"{path}: declare at least one agency under 'agencies'")
    _unique([str(a.get("code")) for a in raw_agencies], "agency", path)
    _unique([str(o.get("code")) for o in raw_officers], "officer", path)

    agencies: dict[str, Agency] = {}
    for entry in raw_agencies:
        where = f"{path}: agency {entry.get('code', '?')}"
        _check_keys(entry, _AGENCY_KEYS, {"code", "name", "kind"}, where)
        agencies[str(entry["code"])] = Agency(
            code=str(entry["code"]),
            name=str(entry["name"]),
            kind=str(entry["kind"]),
            head=entry.get("head"),
            deputies=tuple(str(d) for d in entry.get("deputies") or ()),
            inspectorate=entry.get("inspectorate"),
            superior=entry.get("superior"),
        )
    officers: dict[str, Officer] = {}
    allowed_roles = ", ".join(r.value for r in Role)
    for entry in raw_officers:
        where = f"{path}: officer {entry.get('code', '?')}"
        _check_keys(entry, _OFFICER_KEYS, {"code", "name", "agency", "roles"}, where)
        try:
            roles = tuple(Role(str(r)) for r in entry["roles"])
        except ValueError as exc:
            raise ConfigurationError(f"{where}: {exc}; roles allowed: {allowed_roles}") from None
        officers[str(entry["code"])] = Officer(
            code=str(entry["code"]),
            name=str(entry["name"]),
            agency=str(entry["agency"]),
            roles=roles,
            email=str(entry.get("email", "")),
            title=str(entry.get("title", "")),
        )
    relations = []
    allowed_kinship = ", ".join(k.value for k in Kinship)
    for index, entry in enumerate(raw_relations, start=1):
        where = f"{path}: relation {index}"
        _check_keys(entry, _RELATION_KEYS, {"officer", "kinship"}, where)
        if not entry.get("person_name") and not entry.get("person_officer"):
            raise ConfigurationError(f"{where}: give person_name or person_officer")
        try:
            kinship = Kinship(str(entry["kinship"]))
        except ValueError:
            raise ConfigurationError(
                f"{where}: kinship {entry['kinship']!r} is unknown; allowed: {allowed_kinship}"
            ) from None
        if entry.get("person_officer") and entry["person_officer"] not in officers:
            raise ConfigurationError(
                f"{where}: person_officer {entry['person_officer']!r} is not declared"
            )
        relations.append(
            Relation(
                officer=str(entry["officer"]),
                kinship=kinship,
                person_name=str(entry.get("person_name") or ""),
                person_officer=entry.get("person_officer"),
            )
        )
    return Organisation(
        agencies=agencies,
        officers=officers,
        relations=tuple(relations),
        name=str(data.get("name", "")),
    )


def organisation_to_dict(org: Organisation) -> dict[str, Any]:
    """The organisation as plain data (the inverse of the file), for JSON output."""
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
    }
