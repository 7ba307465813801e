"""Create or upgrade the database schema."""

from __future__ import annotations

from sqlalchemy import select

from casework.adapters.database import upgrade_schema
from casework.adapters.tables import ORGANISATION_STAMP, EngineStateRow
from casework.services.app import Casework
from casework.services.exclusions import ensure_exclusions_current

_STATE = EngineStateRow.__table__  # type: ignore[attr-defined]


def initialise(app: Casework) -> str:
    """Run the migrations up to the newest, then bring each case's exclusions up to date if the
    rule changed since they were worked out; returns the database URL (without password)."""
    upgrade_schema(app.engine)
    with app.transaction() as connection:
        stamp = connection.execute(
            select(_STATE.c.value).where(_STATE.c.key == ORGANISATION_STAMP)
        ).scalar_one_or_none()
        if stamp is not None:
            ensure_exclusions_current(connection, app.organisation(connection, stamp), stamp)
    return app.engine.url.render_as_string(hide_password=True)
