"""Create or upgrade the database schema."""

from __future__ import annotations

from casework.adapters.database import upgrade_schema
from casework.adapters.organisation_rows import organisation_stamp
from casework.services.app import Casework
from casework.services.exclusions import ensure_exclusions_current


def initialise(app: Casework) -> str:
    """Run the migrations up to the newest, then bring each case's exclusions up to date if the
    rule changed since they were worked out; returns the database URL (without password)."""
    upgrade_schema(app.database, app.vault)
    with app.transaction() as connection:
        stamp = organisation_stamp(connection)
        if stamp is not None:
            ensure_exclusions_current(connection, app.organisation(connection, stamp), stamp)
    return app.database.url.render_as_string(hide_password=True)
