"""Shared fixtures: a real database (SQLite, and PostgreSQL where a server answers), the
example organisation loaded, and instants in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from casework.config import LEGAL_TIMEZONE, Settings
from casework.services.app import Casework, bootstrap
from casework.services.organisation import load_organisation_file
from casework.services.schema import initialise

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_ORG = REPO_ROOT / "examples" / "org.yaml"
POSTGRES_ADMIN_URL = os.environ.get(
    "CASEWORK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def at(day: str, hour: int = 9) -> datetime:
    """An instant on `day` (YYYY-MM-DD) at `hour` o'clock in Asia/Ho_Chi_Minh."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time()).replace(
        hour=hour, tzinfo=LEGAL_TIMEZONE
    )


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server here
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    problem = _postgres_reachable()
    if problem:
        pytest.skip(f"no PostgreSQL server at {POSTGRES_ADMIN_URL} ({problem})")
    name = f"casework_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of each supported kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'casework.db'}"
    url: str = request.getfixturevalue("postgres_database")
    _reset_postgres(url)
    return url


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Casework]:
    """An initialised engine with the example organisation loaded."""
    engine_app = bootstrap(Settings(home=tmp_path, database_url=database_url))
    initialise(engine_app)
    load_organisation_file(engine_app, EXAMPLE_ORG, "tests", at("2024-01-02"))
    yield engine_app
    engine_app.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Casework]:
    """Like `app`, on SQLite only (for tests about the embedded default)."""
    engine_app = bootstrap(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}"))
    initialise(engine_app)
    load_organisation_file(engine_app, EXAMPLE_ORG, "tests", at("2024-01-02"))
    yield engine_app
    engine_app.engine.dispose()
