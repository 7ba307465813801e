"""Bootstrap: everything a use case needs, built once from settings.

`Casework` holds the database, the definitions from `state_machines/`, the legal
calendar and one `transitions` machine per case kind. Services receive it explicitly, and
take `now` as a parameter: only entrypoints read the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from casework.adapters.case_steps import CaseSteps
from casework.adapters.database import is_initialised, make_engine
from casework.adapters.definitions import Definitions, load_definitions
from casework.adapters.holiday_calendar import VietnamCalendar
from casework.adapters.identity_vault import Vault
from casework.adapters.installation import installation_id
from casework.adapters.keyring import Keyring, key_source
from casework.adapters.organisation_rows import organisation_stamp, read_organisation
from casework.adapters.state_machine import LifecycleMachine
from casework.adapters.unit_of_work import (
    Database,
    ReadSession,
    Transaction,
    reading,
    writing,
)
from casework.config import LEGAL_TIMEZONE, Settings, load_settings
from casework.domain.case import Law
from casework.domain.errors import ConfigurationError, InvalidInput
from casework.domain.organisation import Organisation
from casework.domain.rules import RuleBook
from casework.environment import CACHE_FOLDER
from casework.resources import state_machines_dir


def legal_date(now: datetime) -> date:
    """The date in Asia/Ho_Chi_Minh of an aware instant: legal periods are local dates."""
    if now.tzinfo is None:
        raise InvalidInput(f"instant {now.isoformat()} has no timezone; give one, e.g. +07:00")
    return now.astimezone(LEGAL_TIMEZONE).date()


@dataclass
class Casework:
    """casework's dependencies, shared by every use case."""

    settings: Settings
    database: Database
    definitions: Definitions
    rules: RuleBook
    calendar: VietnamCalendar
    machines: dict[str, LifecycleMachine] = field(default_factory=dict)
    _organisation: tuple[str, Organisation] | None = field(default=None, repr=False)

    def machine(self, kind: str) -> LifecycleMachine:
        if kind not in self.machines:
            self.machines[kind] = LifecycleMachine(self.definitions.lifecycle(kind))
        return self.machines[kind]

    @cached_property
    def law(self) -> Law:
        """What a case's step consults besides the case (domain/case.py); built once, as
        the rules, the calendar and the settings it holds are."""
        return Law(
            machines=self.machine,
            rules=self.rules,
            calendar=self.calendar,
            allow_late_extension=self.settings.allow_late_extension,
        )

    @cached_property
    def vault(self) -> Vault:
        """Seals and opens what names a case's sender, under this installation's keys
        (adapters/identity_vault.py); the keys are read when first needed."""
        return Vault(Keyring(key_source(self.settings)))

    @cached_property
    def installation_id(self) -> str:
        """This installation's id (adapters/installation.py), read once; a read, so it may be
        asked inside another unit of work's transaction."""
        with self.reading() as session:
            return installation_id(session.connection())

    def case_steps(self, connection: Transaction) -> CaseSteps:
        """The store of cases as the domain steps them, inside `connection`'s transaction."""
        return CaseSteps(connection, self.rules, self.calendar, self.definitions.escalation)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One writing unit of work: commits if the block succeeds, rolls back otherwise."""
        self.require_schema()
        with writing(self.database) as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[ReadSession]:
        """One reading unit of work (no write lock)."""
        self.require_schema()
        with reading(self.database) as session:
            yield session

    def require_schema(self) -> None:
        if not getattr(self, "_schema_checked", False):
            if not is_initialised(self.database):
                raise ConfigurationError(
                    f"the database at {self.database.url.render_as_string()} has no casework "
                    "schema yet: run `casework init` first"
                )
            self._schema_checked = True

    def organisation(self, connection: Transaction, stamp: str | None = None) -> Organisation:
        """The organisation as loaded; cached until another file is loaded. `stamp` is the
        loaded file's stamp if the caller already read it in this transaction."""
        if stamp is None:
            stamp = organisation_stamp(connection)
        key = stamp or ""
        if self._organisation is None or self._organisation[0] != key:
            self._organisation = (key, read_organisation(connection))
        return self._organisation[1]


def bootstrap(settings: Settings | None = None, database: Database | None = None) -> Casework:
    """Build casework from settings (environment variables by default)."""
    settings = settings or load_settings()
    definitions = load_definitions(settings.definitions_dir or state_machines_dir())
    rules = definitions.rules
    if settings.policy_lengths:
        rules = rules.with_policy_lengths(settings.policy_lengths)
    return Casework(
        settings=settings,
        database=database
        or make_engine(
            settings.resolved_database_url(),
            synchronous_commit=settings.postgres_synchronous_commit,
        ),
        definitions=definitions,
        rules=rules,
        calendar=VietnamCalendar.from_file(settings.calendar_file, settings.home / CACHE_FOLDER),
    )
