"""The write path of cases, in SQLAlchemy Core: one statement per change, no ORM unit of work.

The service layer runs a case through many small transactions (intake, each trigger); the ORM's
per-object bookkeeping costs several times the SQL itself there, so writes go through this
store. Optimistic locking is explicit: an update names the version it read, and an update that
matches no row means someone else changed the case first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Insert,
    Row,
    Table,
    Update,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    null,
    select,
    update,
)
from sqlalchemy import (
    case as sql_case,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from casework.adapters.tables import (
    ORGANISATION_STAMP,
    CaseRow,
    ClockRow,
    DenouncerIdentityRow,
    EngineStateRow,
    TransitionRow,
)
from casework.domain.errors import ConcurrentUpdate, NotFound, said
from casework.domain.escalation import NO_LADDER
from casework.domain.references import REFERENCE
from casework.domain.visibility import hidden

CASES: Table = CaseRow.__table__  # type: ignore[attr-defined]
CLOCKS: Table = ClockRow.__table__  # type: ignore[attr-defined]
TRANSITIONS: Table = TransitionRow.__table__  # type: ignore[attr-defined]
IDENTITIES: Table = DenouncerIdentityRow.__table__  # type: ignore[attr-defined]


def reference_series(prefix: str, received_on: date) -> str:
    """The series a case's reference is numbered in: its kind's prefix (the lifecycle's
    `reference_prefix`) and the year received (references restart at 1 each year, as a
    register does)."""
    return f"{prefix}-{received_on.year}"


def case_ref(series: str, number: int) -> str:
    """The reference printed on receipts: the series, then the number (TC-2026-000123)."""
    return f"{series}-{number:06d}"


def canonical_ref(ref: str) -> str:
    """`ref` as stored: upper case, no surrounding space, the number with its leading zeros
    (`tc-2024-1` is TC-2024-000001, as an officer reads it off a register); a text that
    cannot be a reference is refused, saying what one looks like."""
    found = REFERENCE.match(ref.strip().upper())
    if not found:
        raise said(
            NotFound(f"{ref!r} is not a case reference; they look like TC-2026-000123"),
            f"«{ref}» không phải là số hồ sơ: số hồ sơ có dạng TC-2026-000123",
        )
    prefix, year, number = found.groups()
    return case_ref(f"{prefix}-{year}", int(number))


def as_reference(text: object) -> str | None:
    """`text` as a reference is stored (`canonical_ref`), or None for anything not shaped
    like one (a free-text field that may hold a reference)."""
    try:
        return canonical_ref(str(text))
    except NotFound:
        return None


def case_ids_of(connection: Connection, refs: Iterable[object]) -> dict[str, int]:
    """Reference (as stored) → case id, for each of `refs` that names a case; anything else
    is left out."""
    wanted = {ref for ref in map(as_reference, refs) if ref is not None}
    if not wanted:
        return {}
    rows = connection.execute(
        select(CASES.c.reference, CASES.c.id).where(CASES.c.reference.in_(sorted(wanted)))
    )
    return {row.reference: row.id for row in rows}


@dataclass
class StoredCase:
    """A case row as plain data."""

    id: int
    reference: str
    kind: str
    state: str
    agency: str
    handler: str | None
    received_on: date
    last_event_on: date | None
    logged_by: str | None
    forwarded_by: str | None
    denounced_name: str
    denounced_officer: str | None
    complexity: str
    attributes: dict[str, Any]
    version: int

    @property
    def ref(self) -> str:
        return self.reference


@dataclass
class StoredClock:
    """A clock row as plain data; `id` is None until inserted."""

    case_id: int
    code: str
    rule_version: str
    calendar_version: str
    start_on: date
    status: str
    ladder: str = "default"
    extensions: list[dict[str, Any]] | None = None
    pauses: list[dict[str, Any]] | None = None
    due: date | None = None
    stopped_on: date | None = None
    ladder_due: date | None = None
    next_step: int = 0
    next_step_on: date | None = None
    id: int | None = None

    def values(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "id"}
        data["extensions"] = self.extensions or []
        data["pauses"] = self.pauses or []
        return data


# Statements are built once: SQLAlchemy then reuses their compiled form on every call.
_CASE_COLUMNS = [CASES.c[f.name] for f in fields(StoredCase)]
_CLOCK_COLUMNS = [CLOCKS.c[f.name] for f in fields(StoredClock)]
_SELECT_CASE = select(*_CASE_COLUMNS).where(CASES.c.id == bindparam("case_id"))
_SELECT_CASE_BY_REF = select(*_CASE_COLUMNS).where(CASES.c.reference == bindparam("ref"))
_STATE: Table = EngineStateRow.__table__  # type: ignore[attr-defined]
_SELECT_CASE_AND_STAMP = _SELECT_CASE_BY_REF.add_columns(
    select(_STATE.c.value)
    .where(_STATE.c.key == ORGANISATION_STAMP)
    .scalar_subquery()
    .label("organisation_stamp")
)
_INSERT_CASE = insert(CASES).returning(CASES.c.id)
_INSERT_IDENTITY = insert(IDENTITIES)
_SELECT_ACTIVE_CLOCKS = (
    select(*_CLOCK_COLUMNS)
    .where(CLOCKS.c.case_id == bindparam("case_id"), CLOCKS.c.status != "stopped")
    .order_by(CLOCKS.c.id)
)


def _json_key(name: str) -> Any:
    return literal_column(f"'{name}'")  # a column's own name: written into the SQL, not bound


# PostgreSQL: the case, the organisation's stamp and the case's active clocks (as one JSON
# array) in one round trip; a step needs all three before it can decide anything
_SELECT_CASE_STAMP_AND_CLOCKS = _SELECT_CASE_AND_STAMP.add_columns(
    select(
        func.json_agg(
            aggregate_order_by(
                func.json_build_object(
                    *[
                        part
                        for column in _CLOCK_COLUMNS
                        for part in (_json_key(column.name), column)
                    ]
                ),
                CLOCKS.c.id,
            )
        )
    )
    .where(CLOCKS.c.case_id == CASES.c.id, CLOCKS.c.status != "stopped")
    .scalar_subquery()
    .label("active_clocks")
)
_CLOCK_DATES = tuple(f.name for f in fields(StoredClock) if f.type in ("date", "date | None"))
_INSERT_CLOCK = insert(CLOCKS).returning(CLOCKS.c.id)
_WRITTEN_CLOCK_COLUMNS = [f.name for f in fields(StoredClock) if f.name != "id"]
# The sweep moves a running clock's ladder on without touching its case, so a step may have
# read the clock before a sweep that committed since. Writing back the step it read would
# fire that step again; for the same deadline (ladder_due unchanged) the ladder only moves
# forward. A new deadline restarts it (clock_rows.write_back), and no ladder step is due for
# a clock without one (next_step_on NULL).
_SWEPT_FURTHER = and_(
    CLOCKS.c.ladder_due == bindparam("v_ladder_due"),
    CLOCKS.c.next_step > bindparam("v_next_step"),
)
_UPDATE_CLOCK = (
    update(CLOCKS)
    .where(CLOCKS.c.id == bindparam("clock_id"))
    .values(
        {
            **{name: bindparam(f"v_{name}") for name in _WRITTEN_CLOCK_COLUMNS},
            "next_step": sql_case(
                (_SWEPT_FURTHER, CLOCKS.c.next_step), else_=bindparam("v_next_step")
            ),
            "next_step_on": sql_case(
                (bindparam("v_next_step_on", type_=Date).is_(None), null()),
                (_SWEPT_FURTHER, CLOCKS.c.next_step_on),
                else_=bindparam("v_next_step_on", type_=Date),
            ),
        }
    )
)
_INSERT_TRANSITION = insert(TRANSITIONS).returning(TRANSITIONS.c.id)


def running_duty() -> ColumnElement[bool]:
    """A clock that runs toward a due date someone answers for (on an escalation ladder; a
    window the law leaves to the parties is nobody's deadline)."""
    return and_(
        CLOCKS.c.status == "running",
        CLOCKS.c.ladder != NO_LADDER,
        CLOCKS.c.due.is_not(None),
    )


# a case's nearest deadline, rewritten with each of its clocks (tables.CaseRow.next_due)
_NEAREST_DUE = (
    select(func.min(CLOCKS.c.due))
    .where(CLOCKS.c.case_id == CASES.c.id, running_duty())
    .scalar_subquery()
)
_REFRESH_NEXT_DUE = (
    update(CASES).where(CASES.c.id == bindparam("case_id")).values(next_due=_NEAREST_DUE)
)


@lru_cache(maxsize=64)
def _update_case_statement(columns: tuple[str, ...]) -> Update:
    """UPDATE … WHERE id = :case_id AND version = :read_version, for these columns."""
    return (
        update(CASES)
        .where(CASES.c.id == bindparam("case_id"), CASES.c.version == bindparam("read_version"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


@lru_cache(maxsize=64)
def _update_and_record_statement(columns: tuple[str, ...], recorded: tuple[str, ...]) -> Insert:
    """PostgreSQL: the case update as a CTE, the transition row inserted from what it returned
    (nothing, if the version no longer matched)."""
    changed = _update_case_statement(columns).returning(CASES.c.id).cte("changed_case")
    values = [
        changed.c.id
        if name == "case_id"
        else bindparam(f"t_{name}", type_=TRANSITIONS.c[name].type)
        for name in recorded
    ]
    return (
        insert(TRANSITIONS).from_select(list(recorded), select(*values)).returning(TRANSITIONS.c.id)
    )


@lru_cache(maxsize=16)
def _insert_case_and_identity_statement(
    columns: tuple[str, ...], identity_columns: tuple[str, ...]
) -> Insert:
    """PostgreSQL: the case insert as a CTE, the identity row inserted with its new id."""
    new_case = (
        insert(CASES)
        .values({name: bindparam(f"c_{name}", type_=CASES.c[name].type) for name in columns})
        .returning(CASES.c.id)
        .cte("new_case")
    )
    identity = [bindparam(f"i_{name}", type_=IDENTITIES.c[name].type) for name in identity_columns]
    return (
        insert(IDENTITIES)
        .from_select(["case_id", *identity_columns], select(new_case.c.id, *identity))
        .returning(IDENTITIES.c.case_id)
    )


def _update_parameters(case: StoredCase, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "read_version": case.version,
        **{f"new_{name}": value for name, value in changes.items()},
    }


def _changed_meanwhile(case: StoredCase) -> ConcurrentUpdate:
    return said(
        ConcurrentUpdate(
            f"{case.ref} was changed by someone else while you worked on it; nothing was "
            "written — show the case again and repeat the action if it still applies"
        ),
        f"Hồ sơ {case.ref} vừa được người khác cập nhật trong lúc đồng chí thao tác; chưa có gì "
        "được ghi lại: mở lại hồ sơ và thực hiện lại nếu vẫn cần",
    )


def _apply_in_memory(case: StoredCase, values: dict[str, Any]) -> None:
    case.version += 1
    for key, value in values.items():
        setattr(case, key, value)


def _clock_from_json(values: dict[str, Any]) -> StoredClock:
    """A clock row that came back inside a JSON document, where dates are ISO strings."""
    for name in _CLOCK_DATES:
        if values[name] is not None:
            values[name] = date.fromisoformat(values[name])
    return StoredClock(**values)


def _found(ref: str, values: dict[str, Any] | None) -> StoredCase:
    """The case read for `ref`, or the NotFound of a missing case (as for a hidden one)."""
    if values is None:
        raise hidden(ref)
    return StoredCase(**values)


class CaseStore:
    """Reads and writes of one case inside the caller's transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, ref: str) -> StoredCase:
        row = self.connection.execute(_SELECT_CASE_BY_REF, {"ref": canonical_ref(ref)}).first()
        return _found(ref, None if row is None else row._asdict())

    def get_by_id(self, case_id: int) -> StoredCase:
        """The case with id `case_id`, which the caller knows exists."""
        row = self.connection.execute(_SELECT_CASE, {"case_id": case_id}).one()
        return StoredCase(**row._asdict())

    def get_with_organisation_stamp(self, ref: str) -> tuple[StoredCase, str | None]:
        """The case, and in the same round trip the loaded organisation's stamp (see
        `Casework.organisation`), which every step needs to check who acts."""
        row = self.connection.execute(_SELECT_CASE_AND_STAMP, {"ref": canonical_ref(ref)}).first()
        if row is None:
            return _found(ref, None), None
        values = row._asdict()
        stamp = values.pop("organisation_stamp")
        return _found(ref, values), stamp

    def get_for_step(self, ref: str) -> tuple[StoredCase, str | None, list[StoredClock]]:
        """What a step reads before it decides: the case, the organisation's stamp and the
        case's active clocks. One round trip on PostgreSQL, two on SQLite (where a round trip
        is a function call)."""
        if self.connection.dialect.name != "postgresql":
            case, stamp = self.get_with_organisation_stamp(ref)
            return case, stamp, self.active_clocks(case.id)
        row = self.connection.execute(
            _SELECT_CASE_STAMP_AND_CLOCKS, {"ref": canonical_ref(ref)}
        ).first()
        if row is None:
            return _found(ref, None), None, []
        values = row._asdict()
        stamp = values.pop("organisation_stamp")
        clocks = [_clock_from_json(clock) for clock in values.pop("active_clocks") or ()]
        return _found(ref, values), stamp, clocks

    def insert_case(self, values: dict[str, Any]) -> int:
        return int(self.connection.execute(_INSERT_CASE, values).scalar_one())

    def insert_case_with_identity(
        self, values: dict[str, Any], identity: dict[str, Any] | None
    ) -> int:
        """`insert_case`, and the sender's identity row if there is one (without `case_id`,
        which is the new case's); returns the case's id. On PostgreSQL both are one statement:
        the case insert as a data-modifying CTE that the identity insert selects from."""
        if identity is None or self.connection.dialect.name != "postgresql":
            case_id = self.insert_case(values)
            if identity is not None:
                self.insert_identity({"case_id": case_id, **identity})
            return case_id
        statement = _insert_case_and_identity_statement(tuple(values), tuple(identity))
        parameters = {f"c_{name}": value for name, value in values.items()}
        parameters.update({f"i_{name}": value for name, value in identity.items()})
        return int(self.connection.execute(statement, parameters).scalar_one())

    def update_case(self, case: StoredCase, **values: Any) -> None:
        """Write `values` if nobody changed the case since it was read; bump its version."""
        changes = {"version": case.version + 1, **values}
        statement = _update_case_statement(tuple(sorted(changes)))
        result = self.connection.execute(statement, _update_parameters(case, changes))
        if result.rowcount != 1:
            raise _changed_meanwhile(case)
        _apply_in_memory(case, values)

    def update_case_recording(
        self, case: StoredCase, values: dict[str, Any], transition: dict[str, Any]
    ) -> int:
        """`update_case`, and record the transition that made the change; returns its id.

        On PostgreSQL both writes are one statement (the update as a data-modifying CTE that
        the insert selects from), so a trigger costs one round trip fewer."""
        if self.connection.dialect.name != "postgresql":
            self.update_case(case, **values)
            return self.insert_transition(transition)
        changes = {"version": case.version + 1, **values}
        statement = _update_and_record_statement(tuple(sorted(changes)), tuple(transition))
        parameters = _update_parameters(case, changes)
        parameters.update({f"t_{name}": value for name, value in transition.items()})
        recorded = self.connection.execute(statement, parameters).scalar_one_or_none()
        if recorded is None:
            raise _changed_meanwhile(case)
        _apply_in_memory(case, values)
        return int(recorded)

    def insert_identity(self, values: dict[str, Any]) -> None:
        self.connection.execute(_INSERT_IDENTITY, values)

    def active_clocks(self, case_id: int) -> list[StoredClock]:
        rows = self.connection.execute(_SELECT_ACTIVE_CLOCKS, {"case_id": case_id}).all()
        return [StoredClock(**row._asdict()) for row in rows]

    def latest_clocks(self, case_id: int) -> dict[str, StoredClock]:
        """The newest clock of each code on the case, stopped ones included."""
        rows = self.connection.execute(
            select(*_CLOCK_COLUMNS).where(CLOCKS.c.case_id == case_id).order_by(CLOCKS.c.id)
        ).all()
        return {row.code: StoredClock(**row._asdict()) for row in rows}

    def save_clock(self, clock: StoredClock) -> None:
        """Write the clock, and its case's nearest deadline with it: every clock written goes
        through here, so `case_file.next_due` never lags its clocks."""
        if clock.id is None:
            clock.id = int(self.connection.execute(_INSERT_CLOCK, clock.values()).scalar_one())
        else:
            self.connection.execute(
                _UPDATE_CLOCK,
                {"clock_id": clock.id, **{f"v_{k}": v for k, v in clock.values().items()}},
            )
        self.connection.execute(_REFRESH_NEXT_DUE, {"case_id": clock.case_id})

    def case_row(self, case_id: int) -> Row[Any]:
        """Every column of the case with id `case_id`, which the caller knows exists (the
        denounced party, channel, summary: what a follow-on case takes over)."""
        return self.connection.execute(select(CASES).where(CASES.c.id == case_id)).one()

    def open_clocks(self, not_on_calendar: str | None = None) -> list[tuple[StoredClock, str]]:
        """Every running or paused clock with its case's reference; only those computed on
        another calendar version than `not_on_calendar`, when given."""
        rows = self.connection.execute(
            select(*_CLOCK_COLUMNS, CASES.c.reference)
            .join(CASES, CASES.c.id == CLOCKS.c.case_id)
            .where(
                CLOCKS.c.status != "stopped",
                *(
                    []
                    if not_on_calendar is None
                    else [CLOCKS.c.calendar_version != not_on_calendar]
                ),
            )
        ).all()
        found = []
        for row in rows:
            values = row._asdict()
            ref = values.pop("reference")
            found.append((StoredClock(**values), str(ref)))
        return found

    def run_out_clocks(
        self, kind: str, code: str, before: date, unless_started: Iterable[str]
    ) -> list[tuple[int, date]]:
        """(case id, due date) of each running `code` clock of a `kind` case whose due day
        is before `before`, on cases that have no clock of the `unless_started` codes; by
        case."""
        others = CLOCKS.alias("started")
        rows = self.connection.execute(
            select(CLOCKS.c.case_id, CLOCKS.c.due)
            .join(CASES, CASES.c.id == CLOCKS.c.case_id)
            .where(
                CASES.c.kind == kind,
                CLOCKS.c.code == code,
                CLOCKS.c.status == "running",
                CLOCKS.c.due < before,
                ~exists().where(
                    others.c.case_id == CLOCKS.c.case_id,
                    others.c.code.in_(sorted(set(unless_started))),
                ),
            )
            .order_by(CLOCKS.c.case_id)
        ).all()
        return [(int(row.case_id), row.due) for row in rows]

    def steps_of(self, case_id: int, triggers: Iterable[str]) -> list[Row[Any]]:
        """The case's recorded steps of these triggers (every column), oldest first."""
        return list(
            self.connection.execute(
                select(TRANSITIONS)
                .where(
                    TRANSITIONS.c.case_id == case_id,
                    TRANSITIONS.c.trigger.in_(sorted(set(triggers))),
                )
                .order_by(TRANSITIONS.c.id)
            ).all()
        )

    def newest_clock(self, case_id: int, code: str) -> Row[Any] | None:
        """The case's newest clock of `code` (every column), stopped or not; None if none."""
        return self.connection.execute(
            select(CLOCKS)
            .where(CLOCKS.c.case_id == case_id, CLOCKS.c.code == code)
            .order_by(CLOCKS.c.id.desc())
            .limit(1)
        ).first()

    def insert_transition(self, values: dict[str, Any]) -> int:
        """Record one applied trigger; returns its id."""
        return int(self.connection.execute(_INSERT_TRANSITION, values).scalar_one())
