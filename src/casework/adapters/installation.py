"""The installation's own id, kept in the database (made by migration 0018): every engine and
machine of one installation shares it, and no two installations do (it names their
Message-IDs apart)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from casework.adapters.tables import EngineStateRow
from casework.domain.errors import ConfigurationError

_STATE = EngineStateRow.__table__  # type: ignore[attr-defined]
INSTALLATION_ID = "installation_id"
_SELECT = select(_STATE.c.value).where(_STATE.c.key == INSTALLATION_ID)


def installation_id(connection: Connection) -> str:
    """The id; ConfigurationError if the schema predates it."""
    found = connection.execute(_SELECT).scalar_one_or_none()
    if found is None:
        raise ConfigurationError(
            "this database has no installation id yet: run `casework init` to upgrade it"
        )
    return str(found)
