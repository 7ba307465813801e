"""Who may see and do what (DOMAIN §5): the signed-in principal, the agencies it may see, and
the role each action needs. Services decide the finer rules (conflict of interest, who may read
a denouncer's identity); this module answers the coarse question for the API and web UI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from casework.domain.errors import ConflictOfInterest, NotAllowed, NotFound
from casework.domain.organisation import Organisation, Role


class Action(StrEnum):
    """What a user asks to do, each with the roles that may."""

    READ_CASES = "read cases"
    LOG_CASE = "log a case"
    ADVANCE_CASE = "advance a case"
    ASSIGN_CASE = "assign a case"
    ACKNOWLEDGE_ALERT = "acknowledge an alert"
    READ_AUDIT = "read the audit trail"
    READ_DASHBOARD = "read the supervisor's dashboard"
    ADMINISTER = "administer users"


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.READ_CASES: frozenset(Role),
    Action.LOG_CASE: frozenset({Role.RECEPTION, Role.ADMIN}),
    Action.ADVANCE_CASE: frozenset({Role.HANDLER, Role.HEAD}),
    Action.ASSIGN_CASE: frozenset({Role.HEAD, Role.SUPERVISOR}),
    Action.ACKNOWLEDGE_ALERT: frozenset({Role.HANDLER, Role.HEAD, Role.SUPERVISOR}),
    Action.READ_AUDIT: frozenset({Role.HEAD, Role.SUPERVISOR, Role.ADMIN}),
    Action.READ_DASHBOARD: frozenset({Role.HEAD, Role.SUPERVISOR, Role.ADMIN}),
    Action.ADMINISTER: frozenset({Role.ADMIN}),
}


@dataclass(frozen=True)
class Principal:
    """A signed-in user: the officer they are, their agency and their roles."""

    username: str
    agency: str
    roles: frozenset[Role]

    def may(self, action: Action) -> bool:
        return bool(self.roles & ALLOWED[action])

    def require(self, action: Action) -> None:
        """Refuse, naming the roles that may, if this user may not `action`."""
        if not self.may(action):
            needed = ", ".join(sorted(ALLOWED[action]))
            mine = ", ".join(sorted(self.roles)) or "none"
            raise NotAllowed(f"{self.username} may not {action} (roles: {mine}); needs: {needed}")


def visible_agencies(org: Organisation, principal: Principal) -> frozenset[str] | None:
    """The agencies whose cases `principal` may see: None for all (administrators), else the
    own agency, and for heads and supervisors every agency below it too (they answer for their
    units' cases)."""
    if Role.ADMIN in principal.roles:
        return None
    if not principal.roles & {Role.HEAD, Role.SUPERVISOR}:
        return frozenset({principal.agency})
    return frozenset(_below(org, principal.agency))


def _below(org: Organisation, top: str) -> Iterable[str]:
    yield top
    for code, agency in org.agencies.items():
        if agency.superior == top:
            yield from _below(org, code)


def require_visible(org: Organisation, principal: Principal, agency: str, ref: str) -> None:
    """Refuse to show or touch a case of an agency the principal may not see."""
    visible = visible_agencies(org, principal)
    if visible is not None and agency not in visible:
        raise NotAllowed(f"{ref} belongs to {agency}, outside {principal.username}'s agencies")


def require_case_visible(
    org: Organisation,
    principal: Principal,
    ref: str,
    agency: str,
    kind: str,
    denounced_name: str,
    denounced_officer: str | None,
) -> None:
    """Answer a case the principal may not see exactly as a case that does not exist: outside
    their agencies, or a denunciation of them or a relative (LTC Art. 8(3); ND31 Art. 10(3)).
    A different answer would tell which agency holds a case, or that one names them."""
    hidden = NotFound(f"no case {ref!r}; `casework case list` shows the cases")
    visible = visible_agencies(org, principal)
    if visible is not None and agency not in visible:
        raise hidden
    if kind != "complaint":  # a complaint's respondent resolves it (LKN Arts. 7(1), 18)
        try:
            org.check_no_conflict(principal.username, denounced_name, denounced_officer)
        except ConflictOfInterest:
            raise hidden from None
