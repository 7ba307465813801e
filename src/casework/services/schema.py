"""Create or upgrade the database schema."""

from __future__ import annotations

from casework.adapters.database import upgrade_schema
from casework.services.app import Casework


def initialise(app: Casework) -> str:
    """Run the migrations up to the newest; returns the database URL (without password)."""
    upgrade_schema(app.engine)
    return app.engine.url.render_as_string(hide_password=True)
