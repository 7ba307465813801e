"""The Alembic migrations build exactly the schema the tables declare, on both stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel
from tests.conftest import at

from casework.adapters.case_search import is_store_object
from casework.adapters.database import alembic_config
from casework.services.app import Casework
from casework.services.case_views import show_case
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration


def test_migrations_match_the_declared_tables(app: Casework) -> None:
    with app.database.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                # the search index of one store, which no table declares (case_search.py)
                "include_name": lambda name, *_: not is_store_object(name),
            },
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "add a migration: `alembic revision --autogenerate` (see README)"


IRREVERSIBLE = {"0018"}
"""Migrations that refuse to go down: 0018 sealed the identities (ADR 0011)."""


def test_the_newest_migration_goes_down_and_up_again_keeping_the_cases(app: Casework) -> None:
    log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 2, 1),
            summary="Thu tiền trái quy định",
            denouncer=Denouncer("Phạm Thị Hoa", email="hoa@example.vn"),
            denounced_name="Lê Văn Cường",
        ),
        at("2024-02-01"),
    )
    config = alembic_config(app.database.url.render_as_string(hide_password=False))
    previous = ScriptDirectory.from_config(config).get_current_head()
    assert previous is not None
    down_to = ScriptDirectory.from_config(config).get_revision(previous).down_revision

    def migrate(step: Callable[[], None]) -> None:
        with app.database.begin() as connection:
            config.attributes["connection"] = connection
            config.attributes["vault"] = app.vault  # as `casework init` hands it over
            step()

    def go_down() -> None:
        command.downgrade(config, str(down_to))

    if previous in IRREVERSIBLE:
        # going below it would write the sealed identities in clear again: it refuses, and
        # rolls back whole (a backup taken before the upgrade is the way back)
        with pytest.raises(NotImplementedError, match="backup"):
            migrate(go_down)
    else:
        migrate(go_down)
        migrate(lambda: command.upgrade(config, "head"))
    with app.database.connect() as connection:
        assert connection.execute(text("select count(*) from case_file")).scalar() == 1
        assert connection.execute(text("select count(*) from denouncer_identity")).scalar() == 1
    # the case logged before the round trip is still found as a repeat's first case
    later = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 3, 1),
            summary="Lại thu tiền",
            denouncer=Denouncer("PHAM THI HOA"),
            denounced_name="le van cuong",
        ),
        at("2024-03-01"),
    )
    # its series' counter, rebuilt from the references kept, goes on after them
    assert later.ref == "TC-2024-000002"
    # logged by nobody, it is told nothing; the head sees which case it repeats
    assert later.repeat_of is None
    head = principal_of_officer(app, "tt-chanh-thanh-tra")
    shown = show_case(app, later.ref, at("2024-03-01"), viewer=head)
    assert shown["attributes"]["repeat_of"] == "TC-2024-000001"
