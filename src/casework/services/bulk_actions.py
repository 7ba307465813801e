"""Acting on several cases or alerts at once (issue 27): a head assigns the cases he ticked to
one handler; an officer acknowledges the alerts he ticked.

Each item is the very action taken alone — authorised, checked, written and audited in its own
transaction — so one refused item (a case that excludes the handler, an alert already
acknowledged) stops nothing else, and says why next to its reference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from casework.adapters.case_store import canonical_ref
from casework.domain.access import Action, Principal
from casework.domain.errors import CaseworkError, InvalidInput, NotFound, said
from casework.services.app import Casework
from casework.services.assignment import assign_case
from casework.services.authorisation import authorise
from casework.services.escalations import acknowledge

MAX_ITEMS = 200
"""More than a page of the list at once is not a choice an officer checked item by item."""


@dataclass
class BulkResult:
    """What a bulk action did: the items done, and each refused with its refusal."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, CaseworkError]] = field(default_factory=list)


def _checked(
    items: Sequence[object], what: str, what_vi: str, same: Callable[[str], str] = str.strip
) -> list[str]:
    """The items chosen, each once (`same` tells which texts name one item), at least one and
    at most MAX_ITEMS."""
    chosen = list(dict.fromkeys(same(str(item)) for item in items if str(item).strip()))
    if not chosen:
        raise said(
            InvalidInput(f"choose at least one {what}"),
            f"Chưa chọn {what_vi} nào: đánh dấu ô bên cạnh {what_vi} cần xử lý",
        )
    if len(chosen) > MAX_ITEMS:
        raise said(
            InvalidInput(f"at most {MAX_ITEMS} {what}s at once ({len(chosen)} chosen)"),
            f"Mỗi lần xử lý tối đa {MAX_ITEMS} {what_vi} (đã chọn {len(chosen)})",
        )
    return chosen


def assign_many(
    app: Casework,
    refs: Sequence[str],
    officer: str,
    by: Principal,
    reason: str,
    now: datetime,
) -> BulkResult:
    """Assign each case of `refs` to `officer`, as `by` would one by one. One who may not
    assign at all is refused once, before any case is looked at."""
    result = BulkResult()
    chosen = _checked(refs, "case", "hồ sơ", _one_reference)
    authorise(app, by, Action.ASSIGN_CASE, now)
    with app.reading() as session:
        # an officer the organisation does not know is refused once, not once per case
        app.organisation(session.connection()).officer(officer)
    for ref in chosen:
        try:
            authorise(app, by, Action.ASSIGN_CASE, now, ref=ref)
            assign_case(app, ref, officer, by.username, reason, now)
        except CaseworkError as refused:
            result.refused.append((ref, refused))
        else:
            result.done.append(ref)
    return result


def _one_reference(text: str) -> str:
    """A case's reference as stored (`tc-2024-1` and `TC-2024-000001` are one case), or the
    text as typed where it is no reference (refused as the single action refuses it)."""
    try:
        return canonical_ref(text)
    except NotFound:
        return text.strip()


def acknowledge_many(
    app: Casework, escalation_ids: Sequence[int], by: Principal, now: datetime
) -> BulkResult:
    """Acknowledge each alert of `escalation_ids` addressed to `by`; `done` holds the case
    reference of each acknowledged alert, `refused` each alert's number with why."""
    result = BulkResult()
    chosen = _checked([str(number) for number in escalation_ids], "alert", "cảnh báo")
    authorise(app, by, Action.ACKNOWLEDGE_ALERT, now)
    for number in chosen:
        try:
            result.done.append(acknowledge(app, int(number), by, now))
        except CaseworkError as refused:
            result.refused.append((number, refused))
    return result
