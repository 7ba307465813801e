"""Who may do what: the principal, the agencies it may see, and the roles each
action needs. Whether one case exists for a principal, and whether he may read its sender's
identity, is decided with these in domain/visibility.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from casework.domain.errors import NotAllowed, said
from casework.domain.organisation import Officer, Organisation, Role
from casework.domain.words_vi import roles_vi


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
    RUN_OUTBOX = "look after the notices waiting to be sent"
    IDENTIFY_PARTY = "record which officer a party is"
    CONFIRM_OUTSIDE = "confirm that a party is an outside person"
    RECUSE = "recuse oneself from a case"
    MANAGE_KEYS = "rotate the keys that seal the identities"
    RECORD_HANDED = "record a notice delivered by hand"
    WRITE_NOTE = "write an internal note on a case"


ACTION_VI: dict[Action, str] = {
    Action.READ_CASES: "xem hồ sơ",
    Action.LOG_CASE: "tiếp nhận, vào sổ đơn",
    Action.ADVANCE_CASE: "thực hiện các bước xử lý hồ sơ",
    Action.ASSIGN_CASE: "giao người xử lý hồ sơ",
    Action.ACKNOWLEDGE_ALERT: "xác nhận cảnh báo",
    Action.READ_AUDIT: "xem nhật ký hồ sơ",
    Action.READ_DASHBOARD: "xem trang tổng hợp",
    Action.ADMINISTER: "quản lý tài khoản người dùng",
    Action.RUN_OUTBOX: "quản lý thư thông báo chờ gửi",
    Action.IDENTIFY_PARTY: "xác định cán bộ bị tố cáo",
    Action.CONFIRM_OUTSIDE: "xác nhận người bị tố cáo là người ngoài cơ quan",
    Action.RECUSE: "từ chối tham gia giải quyết hồ sơ",
    Action.MANAGE_KEYS: "quản lý khóa bảo mật thông tin người gửi đơn",
    Action.RECORD_HANDED: "ghi nhận thông báo đã chuyển trực tiếp",
    Action.WRITE_NOTE: "ghi chú nội bộ vào hồ sơ",
}
"""Each action as a Vietnamese page names it ("Đồng chí không có quyền …")."""

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.READ_CASES: frozenset(Role),
    Action.LOG_CASE: frozenset({Role.RECEPTION, Role.ADMIN}),
    Action.ADVANCE_CASE: frozenset({Role.HANDLER, Role.HEAD}),
    Action.ASSIGN_CASE: frozenset({Role.HEAD, Role.SUPERVISOR}),
    Action.ACKNOWLEDGE_ALERT: frozenset({Role.HANDLER, Role.HEAD, Role.SUPERVISOR}),
    Action.READ_AUDIT: frozenset({Role.HEAD, Role.SUPERVISOR, Role.ADMIN}),
    Action.READ_DASHBOARD: frozenset({Role.HEAD, Role.SUPERVISOR, Role.ADMIN}),
    Action.ADMINISTER: frozenset({Role.ADMIN}),
    Action.RUN_OUTBOX: frozenset({Role.ADMIN}),
    Action.IDENTIFY_PARTY: frozenset({Role.RECEPTION, Role.HEAD}),
    Action.CONFIRM_OUTSIDE: frozenset({Role.HEAD}),
    Action.RECUSE: frozenset({Role.RECEPTION, Role.HANDLER, Role.HEAD, Role.SUPERVISOR}),
    Action.MANAGE_KEYS: frozenset({Role.ADMIN}),
    Action.RECORD_HANDED: frozenset({Role.RECEPTION, Role.HEAD}),
    # between the head and the handler (issue 27): those who resolve the case, and oversee it
    Action.WRITE_NOTE: frozenset({Role.HANDLER, Role.HEAD, Role.SUPERVISOR}),
}


@dataclass(frozen=True)
class Principal:
    """A signed-in user: the officer they are, their agency and their roles."""

    username: str
    agency: str
    roles: frozenset[Role]

    @classmethod
    def of_officer(cls, officer: Officer) -> Principal:
        """An officer acting with his roles in the organisation (a job's recipient, or an
        officer named on the command line who has no login)."""
        return cls(officer.code, officer.agency, frozenset(officer.roles))

    def may(self, action: Action) -> bool:
        return bool(self.roles & ALLOWED[action])

    def require(self, action: Action) -> None:
        """Refuse, naming the roles that may, if this user may not `action`."""
        if not self.may(action):
            needed = ", ".join(sorted(ALLOWED[action]))
            mine = ", ".join(sorted(self.roles)) or "none"
            raise said(
                NotAllowed(f"{self.username} may not {action} (roles: {mine}); needs: {needed}"),
                f"Đồng chí không có quyền {ACTION_VI[action]} (vai trò hiện có: "
                f"{roles_vi(self.roles)}); việc này dành cho cán bộ có vai trò: "
                f"{roles_vi(ALLOWED[action])}",
            )


def visible_agencies(org: Organisation, principal: Principal) -> frozenset[str] | None:
    """The agencies whose cases `principal` may see: None for all (administrators), else the
    own agency, and for heads and supervisors every agency below it too (they answer for their
    units' cases)."""
    if Role.ADMIN in principal.roles:
        return None
    if not principal.roles & {Role.HEAD, Role.SUPERVISOR}:
        return frozenset({principal.agency})
    return agencies_under(org, principal.agency)


def agencies_under(org: Organisation, top: str) -> frozenset[str]:
    """`top` and every agency below it, however deep."""
    return frozenset(_below(org, top, set()))


def _below(org: Organisation, top: str, seen: set[str]) -> Iterable[str]:
    if top in seen:  # a loop in a hand-edited file must not hang the engine
        return
    seen.add(top)
    yield top
    for code, agency in org.agencies.items():
        if agency.superior == top:
            yield from _below(org, code, seen)


def require_visible(org: Organisation, principal: Principal, agency: str) -> None:
    """Refuse to show or touch the cases of an agency the principal may not see."""
    visible = visible_agencies(org, principal)
    if visible is not None and agency not in visible:
        name = org.agencies[agency].name if agency in org.agencies else agency
        raise said(
            NotAllowed(f"{agency} is outside {principal.username}'s agencies"),
            f"{name} nằm ngoài phạm vi các cơ quan đồng chí được xem",
        )
