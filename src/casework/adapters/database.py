"""The database engine and schema migrations (Alembic), for SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlmodel import create_engine

from casework.adapters.database_failures import bad_url, home_failure
from casework.private_files import private_file, private_folder

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
READ_ONLY = "casework_read_only"  # execution option: a reading transaction takes no write lock


def stored_instant(instant: datetime) -> datetime:
    """An instant read back from the database, as UTC: SQLite gives it without its offset
    (casework stores every instant in UTC), PostgreSQL with it."""
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def json_text(value: Any) -> str:
    """What a JSON column stores: compact UTF-8 JSON written by orjson. A sweep of 10^6 open
    cases writes tens of thousands of JSON values (recipients, notice contexts, audit payloads),
    and the standard encoder was a fifth of its time on SQLite. Readers parse the text, so
    only its spelling differs from the standard encoder's; keys that are not strings are
    written as strings, as the standard encoder does."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


_JSON = {"json_serializer": json_text, "json_deserializer": orjson.loads}


def make_engine(url: str, echo: bool = False, synchronous_commit: str = "on") -> Engine:
    """An engine; on SQLite: WAL, foreign keys, and write transactions that take the lock first.

    SQLite's default deferred transactions let two writers both read the audit chain's head
    and then fork it; `BEGIN IMMEDIATE` makes each transaction the single writer while it runs.
    On PostgreSQL, `synchronous_commit` is set for casework's sessions (see Settings).
    """
    try:
        parsed = make_url(url)
        parsed.get_dialect()  # a misspelt kind ("postgersql") is found here, not at first use
    except (ArgumentError, NoSuchModuleError) as wrong:
        raise bad_url(url, wrong) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            # the identities, password hashes and token digests: the owner's alone
            try:
                private_folder(Path(database).parent, narrow_existing=False)
                private_file(Path(database))
            except OSError as refused:  # the home (or the database's folder) itself
                raise home_failure(refused) from None
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30}, **_JSON)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below rule
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: a sweep dirties many index pages
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            readonly = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    options = {"options": f"-c synchronous_commit={synchronous_commit}"}
    # No ping before each checkout: it cost a fifth of a transition's time (measured, 2026-12).
    # After a server restart, the first statement on a stale connection fails as a disconnect;
    # SQLAlchemy then drops every pooled connection, so only work already under way fails (a
    # flow's task is retried; a web request answers 503 and the next one reconnects).
    return create_engine(url, echo=echo, pool_pre_ping=False, connect_args=options, **_JSON)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # only to migrate: every command need not load Alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_schema(engine: Engine, vault: Any = None) -> dict[str, int] | None:
    """Bring the schema to the newest migration (idempotent). `vault` seals the identities a
    database of the old format holds (migration 0018); returns what it sealed, if it ran.
    SQLite is then vacuumed, the WAL folded in and emptied, so no clear text stays in free
    pages."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    config.attributes["vault"] = vault
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    sealed: dict[str, int] | None = config.attributes.get("vault_sealed")
    if sealed is not None and engine.dialect.name == "sqlite":
        # outside any transaction: the driver's own connection, which autocommits here
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
    return sealed


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("case_file")


def refresh_planner_statistics(engine: Engine) -> None:
    """Keep SQLite's query planner informed of how many rows each table holds.

    SQLite gathers no statistics by itself: without them it guessed, at 10^5 open cases, that
    the header's alert badge should walk every running clock rather than the hundred alerts
    (24 ms a page instead of under 1 ms). `analysis_limit` keeps ANALYZE to a sample per
    index (7 ms at 10^5 cases). PostgreSQL's autovacuum analyses on its own: nothing to do.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA analysis_limit=400")
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
