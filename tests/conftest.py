"""Shared fixtures: a real database (SQLite, and PostgreSQL where a server answers), the
example organisation loaded, and instants in Asia/Ho_Chi_Minh.

A test's database is a copy of a template migrated and loaded once per run (a copied SQLite
file; on PostgreSQL `CREATE DATABASE … TEMPLATE`), and the definitions are parsed once per
folder: running every migration and loading the organisation for each test was most of the
suite's time (issue 23)."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from casework.adapters import definitions as definition_files
from casework.config import LEGAL_TIMEZONE, Settings
from casework.services import app as app_module
from casework.services import users
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


def pytest_configure(config: pytest.Config) -> None:
    """Definitions parsed once per folder and content (a test that edits a copied folder gets
    its own parse); passwords hashed cheaply."""
    parse = functools.lru_cache(maxsize=32)(_parse_definitions)

    def parsed_once(folder: Path) -> definition_files.Definitions:
        return parse(Path(folder), _fingerprint(Path(folder)))

    app_module.load_definitions = parsed_once  # type: ignore[attr-defined]
    # Argon2id as in production, at its lowest cost: a test signs in a dozen officers, and at
    # the production cost (0.1 s a hash here) that was most of an API test's set-up. The
    # production parameters are used by every test that runs casework in its own process.
    users._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _parse_definitions(
    folder: Path, fingerprint: tuple[object, ...]
) -> definition_files.Definitions:
    return definition_files.load_definitions(folder)


def _fingerprint(folder: Path) -> tuple[object, ...]:
    return tuple(
        (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file()
    )


def _prepare(app: Casework) -> None:
    """The state every `app` test starts from: the schema, and the example organisation."""
    initialise(app)
    load_organisation_file(app, EXAMPLE_ORG, "tests", at("2024-01-02"))


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
def postgres_server() -> str:
    """The admin URL of the PostgreSQL server the tests use, or a skip saying why not."""
    problem = _postgres_reachable()
    if problem:
        pytest.skip(f"no PostgreSQL server at {POSTGRES_ADMIN_URL} ({problem})")
    return POSTGRES_ADMIN_URL


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    yield from _session_database(postgres_server, "casework_test")


def _session_database(server: str, prefix: str) -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}_copy" WITH (FORCE)'))
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_kind(request: pytest.FixtureRequest) -> str:
    """Each supported kind of database, in turn."""
    return str(request.param)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, database_kind: str, tmp_path: Path) -> str:
    """The URL of an empty database of each supported kind."""
    if database_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'casework.db'}"
    url: str = request.getfixturevalue("postgres_database")
    _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and loaded once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "casework.db"
    template = bootstrap(Settings(home=folder, database_url=f"sqlite:///{path}"))
    _prepare(template)
    template.database.dispose()  # the last connection closed: the WAL is folded into the file
    assert not path.with_name("casework.db-wal").exists()
    return path


@pytest.fixture(scope="session")
def postgres_template(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A PostgreSQL database migrated and loaded once, copied for each test."""
    for url in _session_database(postgres_server, "casework_template"):
        folder = tmp_path_factory.mktemp("postgres-template")
        template = bootstrap(Settings(home=folder, database_url=url))
        _prepare(template)
        template.database.dispose()  # CREATE DATABASE … TEMPLATE needs it unused
        yield url


@pytest.fixture
def prepared_database_url(
    request: pytest.FixtureRequest, database_kind: str, tmp_path: Path
) -> str:
    """The URL of a database of each supported kind in the state `_prepare` leaves."""
    if database_kind == "sqlite":
        path = tmp_path / "casework.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    template_url: str = request.getfixturevalue("postgres_template")
    return _copy_postgres(template_url)


def _copy_postgres(template_url: str) -> str:
    """A fresh copy of the template (the previous test's copy dropped)."""
    template = template_url.rsplit("/", 1)[1]
    copy = f"{template}_copy"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"'))
    admin.dispose()
    return template_url.rsplit("/", 1)[0] + f"/{copy}"


@pytest.fixture
def app(prepared_database_url: str, tmp_path: Path) -> Iterator[Casework]:
    """An initialised engine with the example organisation loaded."""
    engine_app = bootstrap(Settings(home=tmp_path, database_url=prepared_database_url))
    yield engine_app
    try:
        assert_next_due_kept(engine_app)
    finally:
        engine_app.database.dispose()


NEXT_DUE_LAGGING = text(
    """
    SELECT case_file.reference, case_file.next_due, nearest.due FROM case_file
    LEFT JOIN (
        SELECT case_id, min(due) AS due FROM clock
        WHERE status = 'running' AND ladder != 'none' AND due IS NOT NULL GROUP BY case_id
    ) AS nearest ON nearest.case_id = case_file.id
    WHERE case_file.next_due IS DISTINCT FROM nearest.due
    """
)


def assert_next_due_kept(engine_app: Casework) -> None:
    """After every test on `app`: each case's `next_due` is the nearest due date of its running
    duty clocks, however the test moved them (steps, the sweep's expiry effects, recompute)."""
    try:
        with engine_app.database.connect() as connection:
            lagging = connection.execute(NEXT_DUE_LAGGING).all()
    except Exception:  # a test that took the database away (a restore, a dropped schema)
        return
    assert not lagging, f"case_file.next_due lags its clocks: {lagging}"


@pytest.fixture
def sqlite_app(tmp_path: Path, sqlite_template: Path) -> Iterator[Casework]:
    """Like `app`, on SQLite only (for tests about the embedded default)."""
    path = tmp_path / "c.db"
    shutil.copyfile(sqlite_template, path)
    engine_app = bootstrap(Settings(home=tmp_path, database_url=f"sqlite:///{path}"))
    yield engine_app
    engine_app.database.dispose()
