"""Load the organisation from its YAML file into the database, replacing the previous one."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import cast

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.organisation_file import load_organisation, organisation_to_dict
from casework.adapters.organisation_rows import case_references, replace_organisation
from casework.adapters.unit_of_work import Transaction
from casework.domain.errors import ConfigurationError
from casework.domain.organisation import Organisation
from casework.services.app import Casework
from casework.services.case_parties import unassign_excluded_handlers
from casework.services.exclusions import record_stamp as record_exclusions_stamp
from casework.services.exclusions import refresh_exclusions
from casework.services.read_models import OrganisationView


def load_organisation_file(
    app: Casework, path: Path, actor: str | None, now: datetime
) -> dict[str, int]:
    """Validate `path` fully, then swap it in, in one transaction; the audit keeps its hash."""
    org = load_organisation(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with app.transaction() as connection:
        _refuse_orphans(connection, org, path)
        # a new stamp makes every running engine re-read the organisation
        stamp = f"{digest}@{now.isoformat()}"
        replace_organisation(connection, org, stamp)
        counts = {
            "agencies": len(org.agencies),
            "officers": len(org.officers),
            "relations": len(org.relations),
        }
        # who each case excludes follows the organisation: a new relation, a new officer whose
        # name a letter typed, a new acting head
        refresh_exclusions(connection, org)
        record_exclusions_stamp(connection, stamp)
        # a handler the new organisation excludes (a relation just declared) steps down
        unassign_excluded_handlers(app, connection, org, now, by=actor)
        audit_log.append(
            connection,
            [
                AuditEvent(
                    "organisation.loaded",
                    actor,
                    None,
                    {"file": path.name, "sha256": digest, **counts},
                )
            ],
            now,
        )
        return counts


def _refuse_orphans(connection: Transaction, org: Organisation, path: Path) -> None:
    """A new organisation must still hold every agency and officer that cases refer to, or
    their escalations would reach nobody."""
    referred = case_references(connection)
    missing: list[str] = []
    for column, known, what in [
        ("agency", org.agencies, "agency"),
        ("handler", org.officers, "handler"),
        ("denounced_officer", org.officers, "denounced officer"),
    ]:
        missing += [
            f"{what} {code} ({count} case(s))"
            for code, count in referred[column]
            if code not in known
        ]
    if missing:
        raise ConfigurationError(
            f"{path} leaves cases without their {', '.join(missing)}: keep them in the file "
            "(an agency that merged can stay, with its head) or reassign the cases first"
        )


def show_organisation(app: Casework, with_relations: bool = False) -> OrganisationView:
    """The organisation as plain data. The declared family relations of officers are personal
    data kept for the conflict-of-interest rule: only an administrator reads them
    (`with_relations`); everyone else gets an empty list."""
    with app.reading() as session:
        shown = organisation_to_dict(app.organisation(session.connection()))
    if not with_relations:
        shown["relations"] = []
    # the file's shape (adapters/organisation_file.py), which the read model describes
    return cast(OrganisationView, shown)
