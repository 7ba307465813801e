"""The Alembic migrations build exactly the schema the tables declare, on both stores."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from casework.services.app import Casework

pytestmark = pytest.mark.integration


def test_migrations_match_the_declared_tables(app: Casework) -> None:
    with app.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "add a migration: `alembic revision --autogenerate` (see README)"
