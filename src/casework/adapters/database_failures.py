"""What went wrong with the database or the home folder, in one line an operator can act on:
which database or folder, what the server or system said, and what to check — never a
traceback, and never a statement or its parameters (they may hold a case's content)."""

from __future__ import annotations

import errno

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from casework.domain.errors import (
    CaseworkError,
    DatabaseUnreachable,
    HomeNotWritable,
    SettingsInvalid,
)

_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.ENOSPC, errno.EEXIST}
_HINTS = (
    ("password authentication failed", "check the role and password in CASEWORK_DATABASE_URL"),
    ("role", "check the role (user) in CASEWORK_DATABASE_URL"),
    ("does not exist", "create the database, or name another in CASEWORK_DATABASE_URL"),
    ("connection refused", "is the server running, on that host and port?"),
    ("could not translate host name", "check the host name in CASEWORK_DATABASE_URL"),
    ("resolve host", "check the host name in CASEWORK_DATABASE_URL"),
    ("name or service not known", "check the host name in CASEWORK_DATABASE_URL"),
    ("timeout", "is the server reachable from here (firewall, network)?"),
)


def shown_url(url: str) -> str:
    """The database URL without its password ("" if it is not a URL at all)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return ""


def home_failure(error: OSError) -> HomeNotWritable:
    """The home folder (or the database's folder) could not be made or written."""
    where = error.filename or "the home folder"
    return HomeNotWritable(
        f"casework may not write {where}: {error.strerror}. Set CASEWORK_HOME to a folder it "
        "may write (the database, its secret key and the notices live there), or fix the "
        "folder's permissions"
    )


def bad_url(url: str, error: Exception) -> SettingsInvalid:
    """A database URL SQLAlchemy cannot use (misspelt kind, malformed)."""
    kind = f" ({error.args[0]})" if isinstance(error, NoSuchModuleError) and error.args else ""
    shown = shown_url(url)
    return SettingsInvalid(
        f"CASEWORK_DATABASE_URL{'=' + shown if shown else ''} is not a database URL casework "
        f"can use{kind}: "
        "give sqlite:///path/to/casework.db or postgresql+psycopg://user@host:5432/database, "
        "or leave it empty for SQLite in the home folder"
    )


def explain(error: BaseException, url: str) -> CaseworkError | None:
    """The failure `error` (raised while using the database at `url`) as casework's error, or
    None if it is not one of these (a bug: let it show)."""
    if isinstance(error, ArgumentError | NoSuchModuleError):
        return bad_url(url, error)
    if isinstance(error, OSError) and error.errno in _NOT_WRITABLE:
        return home_failure(error)
    if not isinstance(error, DBAPIError):
        return None
    said = (
        str(error.orig).strip().splitlines()[0] if error.orig is not None else type(error).__name__
    )
    lowered = said.lower()
    if "readonly database" in lowered or "unable to open database file" in lowered:
        return HomeNotWritable(
            f"casework may not write the database {shown_url(url)}: {said}. Set CASEWORK_HOME "
            "(or CASEWORK_DATABASE_URL) to a place it may write, or fix the permissions"
        )
    reaching = ("connection", "authentication", "resolve host")
    if any(marker in lowered for marker in reaching) or error.connection_invalidated:
        hint = next((h for marker, h in _HINTS if marker in lowered), "check CASEWORK_DATABASE_URL")
        return DatabaseUnreachable(f"cannot use the database {shown_url(url)}: {said} — {hint}")
    return DatabaseUnreachable(
        f"the database {shown_url(url)} refused the operation: {said}; nothing of it was written"
    )
