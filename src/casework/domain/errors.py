"""One error hierarchy for the whole engine; entrypoints map it to exit codes and HTTP statuses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar


class CaseworkError(Exception):
    """Base of every error casework raises on purpose. The message says what to do."""

    exit_code = 1
    # what a Vietnamese page says instead of the message, where one is written ("": none)
    vi = ""


E = TypeVar("E", bound=CaseworkError)


def said(error: E, vi: str) -> E:
    """`error`, with what a Vietnamese page says instead of its message."""
    error.vi = vi
    return error


class InvalidInput(CaseworkError):
    """A value supplied by a user is malformed or out of range."""

    exit_code = 2


class NotFound(CaseworkError):
    """A case, officer, agency or rule that was named does not exist."""

    exit_code = 3


class TransitionRefused(CaseworkError):
    """A trigger cannot be applied to a case in its current state."""

    exit_code = 4

    def __init__(
        self, message: str, allowed: Iterable[str], refused: str | None = None, vi: str = ""
    ) -> None:
        # the trigger just refused is never offered back as "allowed now"
        self.allowed = sorted(set(allowed) - {refused})
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (the case is final)"
        super().__init__(f"{message}. Triggers allowed now: {allowed_text}.")
        self.vi = vi


class ConflictOfInterest(CaseworkError):
    """An officer may not handle a case that concerns a relative or their own interest."""

    exit_code = 5


class ConcurrentUpdate(CaseworkError):
    """Someone else changed the case since it was read; nothing was written."""

    exit_code = 6


class AuditChainBroken(CaseworkError):
    """The audit trail does not verify: an entry was edited, removed or inserted."""

    exit_code = 7


class ConfigurationError(CaseworkError):
    """A definition, rule or organisation file is inconsistent."""

    exit_code = 8


class NotAllowed(CaseworkError):
    """The signed-in user's role or agency does not allow this action."""

    exit_code = 9


class NotSignedIn(CaseworkError):
    """No valid session or token was presented, or the credentials are wrong."""

    exit_code = 10


class SettingsInvalid(CaseworkError):
    """A `CASEWORK_*` setting has a value casework cannot use."""

    exit_code = 11


class DatabaseUnreachable(CaseworkError):
    """The database named by the settings cannot be reached or signed in to."""

    exit_code = 12


class HomeNotWritable(CaseworkError):
    """casework may not write its home folder (the database, the secret key, notices)."""

    exit_code = 13


class VaultLocked(CaseworkError):
    """The keys present do not open the identities this database holds (or are missing)."""

    exit_code = 14


class DeliveryFailed(CaseworkError):
    """A delivery run left notices undelivered (to retry, or dead): the run says so."""

    exit_code = 15
