"""Failed sign-ins slow a guesser down: after a few in a row a login is locked for a while.

Kept in the web process's memory (a restart forgets it); each instance of a multi-process
deployment counts its own attempts."""

from __future__ import annotations

from datetime import datetime, timedelta

from casework.domain.errors import NotAllowed

MAX_FAILURES = 5
LOCK = timedelta(minutes=15)


class LoginThrottle:
    """Failures per login within the lock period; `now` is given (time is a parameter)."""

    def __init__(self) -> None:
        self._failures: dict[str, list[datetime]] = {}

    def check(self, username: str, now: datetime) -> None:
        """Refuse while the login has had MAX_FAILURES failures within LOCK."""
        recent = self._recent(username, now)
        if len(recent) >= MAX_FAILURES:
            until = (recent[-1] + LOCK).strftime("%H:%M")
            raise NotAllowed(
                f"too many failed sign-ins for {username}: try again after {until}, or ask an "
                "administrator to set a new password"
            )

    def failed(self, username: str, now: datetime) -> None:
        self._failures[username.strip().lower()] = [*self._recent(username, now), now]

    def succeeded(self, username: str) -> None:
        self._failures.pop(username.strip().lower(), None)

    def _recent(self, username: str, now: datetime) -> list[datetime]:
        return [t for t in self._failures.get(username.strip().lower(), []) if now - t < LOCK]
