"""Bootstrap: everything a use case needs, built once from settings.

`Casework` holds the database engine, the definitions from `state_machines/`, the legal
calendar and one `transitions` machine per case kind. Services receive it explicitly, and
take `now` as a parameter: only entrypoints read the clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row
from sqlalchemy import select as core_select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from casework.adapters.case_steps import CaseSteps
from casework.adapters.database import READ_ONLY, is_initialised, make_engine
from casework.adapters.definitions import Definitions, load_definitions
from casework.adapters.holiday_calendar import VietnamCalendar
from casework.adapters.state_machine import LifecycleMachine
from casework.adapters.tables import (
    ORGANISATION_STAMP,
    ActingRow,
    AgencyRow,
    EngineStateRow,
    OfficerRow,
    RelationRow,
)
from casework.config import LEGAL_TIMEZONE, Settings, load_settings
from casework.domain.case import Law
from casework.domain.errors import ConcurrentUpdate, ConfigurationError, InvalidInput
from casework.domain.organisation import (
    Acting,
    Agency,
    Kinship,
    Officer,
    Organisation,
    Relation,
    Role,
)
from casework.domain.rules import RuleBook
from casework.environment import CACHE_FOLDER
from casework.resources import state_machines_dir

_ENGINE_STATE = EngineStateRow.__table__  # type: ignore[attr-defined]
_SELECT_ORGANISATION_STAMP = core_select(_ENGINE_STATE.c.value).where(
    _ENGINE_STATE.c.key == ORGANISATION_STAMP
)


def organisation_stamp(connection: Connection) -> str | None:
    """The stamp of the loaded organisation file; None before any is loaded."""
    stamp: str | None = connection.execute(_SELECT_ORGANISATION_STAMP).scalar_one_or_none()
    return stamp


def legal_date(now: datetime) -> date:
    """The date in Asia/Ho_Chi_Minh of an aware instant: legal periods are local dates."""
    if now.tzinfo is None:
        raise InvalidInput(f"instant {now.isoformat()} has no timezone; give one, e.g. +07:00")
    return now.astimezone(LEGAL_TIMEZONE).date()


@dataclass
class Casework:
    """The engine's dependencies, shared by every use case."""

    settings: Settings
    engine: Engine
    definitions: Definitions
    rules: RuleBook
    calendar: VietnamCalendar
    machines: dict[str, LifecycleMachine] = field(default_factory=dict)
    _organisation: tuple[str, Organisation] | None = field(default=None, repr=False)

    def machine(self, kind: str) -> LifecycleMachine:
        if kind not in self.machines:
            self.machines[kind] = LifecycleMachine(self.definitions.lifecycle(kind))
        return self.machines[kind]

    @property
    def law(self) -> Law:
        """What a case's step consults besides the case (domain/case.py)."""
        return Law(
            engines=self.machine,
            rules=self.rules,
            calendar=self.calendar,
            allow_late_extension=self.settings.allow_late_extension,
        )

    def case_steps(self, connection: Connection) -> CaseSteps:
        """The store of cases as the domain steps them, inside `connection`'s transaction."""
        return CaseSteps(connection, self.rules, self.calendar, self.definitions.escalation)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: commits if the block succeeds, rolls back otherwise."""
        self.require_schema()
        try:
            with self.engine.begin() as connection:
                yield connection
        except StaleDataError as exc:
            raise ConcurrentUpdate(
                "the case was changed by someone else while you worked on it; nothing was "
                "written — show the case again and repeat the action if it still applies"
            ) from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        self.require_schema()
        with (
            self.engine.connect().execution_options(**{READ_ONLY: True}) as connection,
            Session(bind=connection) as session,
        ):
            yield session

    def require_schema(self) -> None:
        if not getattr(self, "_schema_checked", False):
            if not is_initialised(self.engine):
                raise ConfigurationError(
                    f"the database at {self.engine.url.render_as_string()} has no casework "
                    "schema yet: run `casework init` first"
                )
            self._schema_checked = True

    def organisation(self, connection: Connection, stamp: str | None = None) -> Organisation:
        """The organisation as loaded; cached until another file is loaded. `stamp` is the
        loaded file's stamp if the caller already read it in this transaction."""
        if stamp is None:
            stamp = organisation_stamp(connection)
        key = stamp or ""
        if self._organisation is None or self._organisation[0] != key:
            self._organisation = (key, self._read_organisation(connection))
        return self._organisation[1]

    def _read_organisation(self, connection: Connection) -> Organisation:
        # Core, not a Session: a flow run reads the organisation once in a fresh process,
        # where the ORM's query compilation cost more than the four small reads themselves
        def rows(table: Any) -> Sequence[Row[Any]]:
            return connection.execute(core_select(table.__table__)).all()

        agencies = {
            row.code: Agency(
                code=row.code,
                name=row.name,
                kind=row.kind,
                head=row.head,
                deputies=tuple(row.deputies),
                inspectorate=row.inspectorate,
                superior=row.superior,
            )
            for row in rows(AgencyRow)
        }
        officers = {
            row.code: Officer(
                code=row.code,
                name=row.name,
                agency=row.agency,
                roles=tuple(Role(r) for r in row.roles),
                email=row.email,
                title=row.title,
            )
            for row in rows(OfficerRow)
        }
        relations = tuple(
            Relation(
                officer=row.officer,
                kinship=Kinship(row.kinship),
                person_name=row.person_name,
                person_officer=row.person_officer,
            )
            for row in rows(RelationRow)
        )
        acting = tuple(
            Acting(
                officer=row.officer,
                agency=row.agency,
                start=row.start,
                end=row.end,
                reason=row.reason,
            )
            for row in rows(ActingRow)
        )
        return Organisation(
            agencies=agencies, officers=officers, relations=relations, acting=acting
        )


def bootstrap(settings: Settings | None = None, engine: Engine | None = None) -> Casework:
    """Build the engine from settings (environment variables by default)."""
    settings = settings or load_settings()
    definitions = load_definitions(settings.definitions_dir or state_machines_dir())
    rules = definitions.rules
    if settings.policy_lengths:
        rules = rules.with_policy_lengths(settings.policy_lengths)
    return Casework(
        settings=settings,
        engine=engine
        or make_engine(
            settings.resolved_database_url(),
            synchronous_commit=settings.postgres_synchronous_commit,
        ),
        definitions=definitions,
        rules=rules,
        calendar=VietnamCalendar.from_file(settings.calendar_file, settings.home / CACHE_FOLDER),
    )
