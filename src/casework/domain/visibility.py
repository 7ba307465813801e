"""Who may see a case, its content and the denouncer's identity, and act on it: one policy
for every path (page, JSON, list, export, dashboard, digest, alert, linked letter; API, web UI
and CLI alike). Confidentiality fails closed: no viewer, or a viewer the organisation does not
know, sees nothing.

The rule, for a viewer and a case:
- the case **exists** for the viewer when its agency is in the viewer's scope
  (`access.visible_agencies`) and the viewer is not among the officers the case excludes
  (`parties.excluded_officers`: the denounced, unresolved candidates, the staff of a denounced
  agency or head, declared relatives, recusals, and for a letter those of the cases classified
  from it). A case that does not exist for the viewer is answered exactly as a case that does
  not exist at all;
- its **content** (summary, history) is shown to whoever it exists for;
- the **identity** of the sender, for a complaint, to the resolving agency's officers and the
  handler (the complainant is named in the decision the respondent receives, LKN Art. 31(2));
  for any other kind only to the reception officer who logged it and whoever holds the head
  post of the resolving agency today, acting heads included (LTC Arts. 8(3), 47, 56);
- an **escalation alert** reaches whoever the ladder chose, whatever his agencies, unless the
  case excludes him (`alert_reaches`);
- an **action** when the case exists for the viewer and his roles allow it (`access.ALLOWED`,
  checked with `Principal.require`).

Lists apply the same rule in SQL over the stored exclusions (adapters.case_visibility); a test
holds the two to one answer. A search by the sender's name finds only the cases whose sender
the viewer may see: `identity_reach` states that part of the rule as data, which the search
applies in SQL and `case_access` applies here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from casework.domain.access import Principal, visible_agencies
from casework.domain.citations import cite_vi
from casework.domain.errors import NotAllowed, NotFound, said
from casework.domain.organisation import Organisation


@dataclass(frozen=True)
class CaseFacts:
    """What the policy needs to know of a case."""

    ref: str
    kind: str
    agency: str
    logged_by: str | None
    handler: str | None
    excluded: frozenset[str]


@dataclass(frozen=True)
class CaseAccess:
    """The policy's answer for one viewer and one case."""

    exists: bool
    content: bool
    identity: bool


NOTHING = CaseAccess(exists=False, content=False, identity=False)


def case_access(
    org: Organisation, viewer: Principal | None, case: CaseFacts, today: date
) -> CaseAccess:
    """The policy (module docstring) for `viewer` and `case` on `today`."""
    if viewer is None or viewer.username not in org.officers:
        return NOTHING
    scope = visible_agencies(org, viewer)
    if (scope is not None and case.agency not in scope) or viewer.username in case.excluded:
        return NOTHING
    return CaseAccess(
        exists=True,
        content=True,
        identity=_may_see_identity(org, viewer.username, case, today),
    )


@dataclass(frozen=True)
class IdentityReach:
    """Whose senders `officer` may see on a day (module docstring): a complaint's, on the
    cases of his own agency and those he handles; any other kind's, on the cases he logged and
    those of the agencies whose head post he holds that day (acting included)."""

    officer: str
    agency: str
    headed: frozenset[str]

    def covers(self, case: CaseFacts) -> bool:
        """Whether the officer may see the sender of `case` (it existing for him aside)."""
        if case.kind == "complaint":
            return case.agency == self.agency or case.handler == self.officer
        return case.logged_by == self.officer or case.agency in self.headed


def identity_reach(
    org: Organisation, officer: str, today: date, agencies: Iterable[str] | None = None
) -> IdentityReach:
    """The senders `officer`, an officer of `org`, may see on `today` — on the cases of
    `agencies` only, when given (one case's agency is all its own check needs)."""
    headed = frozenset(
        code
        for code in (org.agencies if agencies is None else agencies)
        if (head := org.head_of(code, today)) is not None and head.code == officer
    )
    return IdentityReach(officer, org.officers[officer].agency, headed)


def _may_see_identity(org: Organisation, officer: str, case: CaseFacts, today: date) -> bool:
    return identity_reach(org, officer, today, (case.agency,)).covers(case)


def alert_reaches(org: Organisation, officer: str, case: CaseFacts) -> bool:
    """Whether an escalation alert on `case` may reach `officer`, list for him and be
    acknowledged by him: the ladder chose him (a superior, the same-level inspectorate), so his
    agencies do not matter, but a case that excludes him never reaches him (his step goes to the
    next head up, services/sweep.py)."""
    return officer in org.officers and officer not in case.excluded


def repeat_shown(
    org: Organisation, viewer: Principal | None, case: CaseFacts, earlier: CaseFacts, today: date
) -> bool:
    """Whether `viewer` may be told that `case` repeats `earlier` (same sender, same matter):
    only if he may see both senders. Anyone else is told nothing of it, not even that it may
    repeat one: logging a guessed name and ID number would otherwise answer who wrote which
    case. The reception head, who may see both, finds the link on the case page."""
    return (
        case_access(org, viewer, case, today).identity
        and case_access(org, viewer, earlier, today).identity
    )


SENDER_LINKS = ("repeat_of", "case_ref")
"""Links between two cases of one sender: a repeat, and a letter's link to each case made
from it. Read only by who may see both senders: naming a letter's denunciation beside its
complaint, whose sender the reader may see, would tell him who denounced."""


def link_shown(
    org: Organisation,
    viewer: Principal | None,
    field: str,
    case: CaseFacts,
    linked: CaseFacts,
    today: date,
) -> bool:
    """Whether `viewer` may read in `case` its link `field` to `linked`: a repeat only if he
    may see both senders (`repeat_shown`); any other link unless `linked` excludes him. A
    linked case in another agency may lie outside his scope and still be his business (a
    re-denunciation's original, a first instance); one that excludes him is not, and its
    reference alone would tell him it exists."""
    if field in SENDER_LINKS:
        return repeat_shown(org, viewer, case, linked, today)
    return viewer is not None and viewer.username not in linked.excluded


def hidden(ref: str) -> NotFound:
    """The answer for a case that does not exist for the viewer: the same as for a case that
    does not exist at all, so that nobody learns a case names them, or which agency holds it.
    The stores answer a missing case with it too (adapters/case_store.py, case_lookup.py): one
    text, in English and in Vietnamese, whichever it is."""
    return said(
        NotFound(f"no case {ref!r}; `casework case list` shows the cases"),
        f"Không có hồ sơ số {ref} (hoặc đồng chí không có quyền xem hồ sơ này): kiểm tra lại "
        "số hồ sơ",
    )


def require_exists(access: CaseAccess, ref: str) -> None:
    """Raise `hidden(ref)` unless the case exists for the viewer."""
    if not access.exists:
        raise hidden(ref)


def require_identity(access: CaseAccess, ref: str) -> None:
    """Raise unless the viewer may read the identity of the case's sender."""
    require_exists(access, ref)
    if not access.identity:
        raise said(
            NotAllowed(
                f"you may not see the identity of the sender of {ref}: only the reception "
                "officer who logged it and the head of the resolving agency may (for a "
                "complaint, the resolving agency's officers), never the denounced person or a "
                "relative (LTC Arts. 8(3), 47, 56)"
            ),
            f"Đồng chí không được xem thông tin người gửi đơn của hồ sơ {ref}: chỉ cán bộ tiếp "
            "nhận đã vào sổ đơn và người đứng đầu cơ quan giải quyết được xem (đối với khiếu "
            "nại: cán bộ của cơ quan giải quyết và người được giao xử lý); người bị tố cáo và "
            f"người thân của họ không bao giờ được xem ({cite_vi('LTC Arts. 8(3), 47, 56')})",
        )
