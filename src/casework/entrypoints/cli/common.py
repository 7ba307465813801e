"""What every command shares: the engine, the clock, parsing, output and error handling."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

from casework.domain.errors import CaseworkError, InvalidInput
from casework.environment import LEGAL_TIMEZONE

if TYPE_CHECKING:
    from casework.adapters.holiday_calendar import VietnamCalendar
    from casework.domain.access import Principal
    from casework.services.app import Casework

# The engine's modules (SQLAlchemy, the definitions, Argon2…) are imported by the commands that
# use them, not by every command: a reception desk runs `calendar due` all day (issue 22).

P = ParamSpec("P")
R = TypeVar("R")

_app: Casework | None = None


def casework_app() -> Casework:
    """casework for this command, built once per process from `CASEWORK_*` settings."""
    global _app
    if _app is None:
        from casework.services.app import bootstrap

        _app = bootstrap()
    return _app


def legal_calendar() -> VietnamCalendar:
    """The working-day calendar alone (holidays and the agency file), without the database:
    what `calendar due` needs, as `bootstrap` builds it."""
    if _app is not None:
        return _app.calendar
    from casework.adapters.holiday_calendar import VietnamCalendar
    from casework.environment import CACHE_FOLDER, calendar_file_setting, home_setting

    return VietnamCalendar.from_file(calendar_file_setting(), home_setting() / CACHE_FOLDER)


def reset_casework_app() -> None:
    """Forget the casework built for this process (tests change settings between
    invocations)."""
    global _app
    if _app is not None:
        _app.database.dispose()
    _app = None


OPERATOR_ENV = "CASEWORK_OPERATOR"
"""The officer a command acts as when it names none with --by (a desk's own terminal)."""

By = Annotated[
    str | None,
    typer.Option(
        "--by",
        help=f"[required] code of the officer acting or reading; may be set once for the "
        f"session as ${OPERATOR_ENV}. Every action has a named officer",
        show_envvar=False,
        metavar="OFFICER",
    ),
]


def acting(by: str | None, what: str = "this command") -> Principal:
    """The officer a command acts as: `--by` or the configured operator, resolved in the
    organisation with his login's roles. Nobody is not an answer: the audit trail names every
    actor, and the policy shows no case to nobody."""
    code = (by or os.environ.get(OPERATOR_ENV, "")).strip()
    if not code:
        raise InvalidInput(
            f"{what} acts as a named officer: give --by OFFICER (or set {OPERATOR_ENV}=OFFICER "
            "on a desk's own terminal); `casework org show` lists the officers"
        )
    from casework.services.users import principal_of_officer

    return principal_of_officer(casework_app(), code)


def wall_clock() -> datetime:
    """The only place the CLI reads the time."""
    return datetime.now(LEGAL_TIMEZONE)


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD", param_hint=option
        ) from None


def parse_instant(value: str | None, option: str) -> datetime:
    """An ISO date or date-time; without an offset it is read in Asia/Ho_Chi_Minh."""
    if value is None:
        return wall_clock()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date-time; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[+07:00]",
            param_hint=option,
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LEGAL_TIMEZONE)


def parse_assignments(values: list[str] | None, option: str = "--set") -> dict[str, str]:
    result: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{item!r} is not key=value", param_hint=option)
        result[key.strip()] = value.strip()
    return result


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def command_group(help_text: str) -> typer.Typer:
    """A group of commands (`casework case …`). Help is plain text wrapped to the terminal:
    the boxed layout cut long option names and texts off at 80 or 120 columns."""
    return typer.Typer(
        help=help_text,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def explain_failure(error: Exception) -> CaseworkError | None:
    """`error` as casework's error when it is the database's or the home folder's."""
    from casework.adapters.database_failures import explain
    from casework.config import load_settings

    try:
        url = load_settings().resolved_database_url()
    except CaseworkError:
        url = ""
    return explain(error, url)


def handles_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn casework's errors into a message on stderr and a non-zero exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CaseworkError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except FileNotFoundError as exc:
            raise fail(f"file not found: {exc.filename}", 2) from None
        except Exception as exc:
            # the database or the home folder failing: one line, no traceback, no case data
            explained = explain_failure(exc)
            if explained is None:
                raise
            raise fail(str(explained), explained.exit_code) from None

    return wrapper


def table(rows: list[list[str]], headers: list[str]) -> None:
    """Print a plain aligned table."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    typer.echo(line.rstrip())
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    if not rows:
        typer.echo("(none)")
    sys.stdout.flush()
