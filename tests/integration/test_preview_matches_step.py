"""What a case page, `case triggers` and the API offer as allowed now is what the step then
accepts, and what they show blocked the step refuses for the same reason (issue 23): both ask
the case itself (`Case.preview` and `Case.step`). Every trigger offered from each scenario's
state is tried, inside a transaction that is rolled back. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from tests.conftest import at
from tests.scenarios import COMPLAINT, DENUNCIATION

from casework.domain.errors import CaseworkError, TransitionRefused
from casework.services.advance import AdvanceCase, advance_case, apply_step
from casework.services.app import Casework
from casework.services.case_views import allowed_triggers, show_case
from casework.services.complaint_intake import ComplaintFacts
from casework.services.intake import LogCase, log_case
from casework.services.redenunciation_intake import Redenunciation

pytestmark = pytest.mark.integration

NOW = at("2026-10-01")
HEADS = {"thanh-tra-tinh": "tt-chanh-thanh-tra", "xa-nghi-loc": "nl-pho-chu-tich"}


@dataclass(frozen=True)
class Scenario:
    name: str
    intake: LogCase
    steps: tuple[tuple[str, str, dict[str, str]], ...] = ()


SCENARIOS = [
    Scenario("denunciation received", DENUNCIATION),
    Scenario("denunciation in triage", DENUNCIATION, (("triage", "2026-07-07", {}),)),
    Scenario(
        "denunciation in inspection",
        DENUNCIATION,
        (("triage", "2026-07-07", {}), ("accept", "2026-07-08", {})),
    ),
    Scenario("complaint in time", COMPLAINT),
    Scenario(
        # known on 03-01: the 90 days ran out on 05-30, a month before it arrived
        "complaint after its limitation",
        replace(COMPLAINT, complaint=ComplaintFacts(decision_known_on=date(2026, 3, 1))),
    ),
    Scenario("complaint in verification", COMPLAINT, (("accept", "2026-07-08", {}),)),
    Scenario(
        "complaint decided",
        COMPLAINT,
        (
            ("accept", "2026-07-08", {}),
            ("schedule_dialogue", "2026-07-20", {"dialogue_on": "2026-07-27"}),
            ("hold_dialogue", "2026-07-27", {"result": "disagreement"}),
            ("decide", "2026-08-03", {"outcome": "partly_right", "decision_no": "88/QĐ-UBND"}),
        ),
    ),
    Scenario(
        "petition received",
        replace(DENUNCIATION, kind="petition", denounced_name="", agency="xa-nghi-loc"),
    ),
    Scenario("letter received", replace(DENUNCIATION, kind="letter", denounced_name="")),
]


def _sample(fields: list[dict[str, Any]], on: date, received: date) -> dict[str, str]:
    """A lawful value for each required field: its first choice; a date ahead for a date to
    come (a dialogue), the day of receipt for a period past (an obstacle); else a short text."""
    values = {}
    for spec in fields:
        if not spec["required"]:
            continue
        name = spec["name"]
        if spec["choices"]:
            values[name] = spec["choices"][0]
        elif name.endswith("_on"):
            values[name] = (on + timedelta(days=10)).isoformat()
        elif name in ("from", "to"):
            values[name] = received.isoformat()
        else:
            values[name] = "nội dung"
    return values


class _RolledBack(Exception):
    pass


def _try_step(app: Casework, command: AdvanceCase, now: datetime) -> CaseworkError | None:
    """The step's answer, written nowhere."""
    try:
        with app.transaction() as connection:
            apply_step(app, connection, command, now)
            raise _RolledBack
    except _RolledBack:
        return None
    except CaseworkError as refused:
        return refused


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_every_trigger_offered_is_answered_as_the_step_answers(
    app: Casework, scenario: Scenario
) -> None:
    ref = log_case(app, scenario.intake, at(scenario.intake.received_on.isoformat())).ref
    head = HEADS[scenario.intake.agency]
    for trigger, on, data in scenario.steps:
        advance_case(app, AdvanceCase(ref, trigger, date.fromisoformat(on), head, "", data), NOW)
    preview = allowed_triggers(app, ref, NOW, actor=head)
    assert preview["triggers"], scenario.name
    today = NOW.date()
    mismatches = []
    for offered in preview["triggers"]:
        data = _sample(offered["fields"], today, scenario.intake.received_on)
        command = AdvanceCase(ref, offered["trigger"], today, head, "lý do", data)
        refused = _try_step(app, command, NOW)
        blocked = offered["blocked_by"]
        if blocked:
            if not isinstance(refused, TransitionRefused) or not all(
                reason in str(refused) for reason in blocked
            ):
                mismatches.append(
                    f"{offered['trigger']}: shown blocked by {blocked}, step: {refused}"
                )
        elif isinstance(refused, TransitionRefused) and not any(
            name in str(refused) for name in data
        ):
            # refused for something other than a value the preview could not know
            mismatches.append(f"{offered['trigger']}: shown allowed, step: {refused}")
    assert not mismatches, "\n".join(mismatches)


def test_accept_is_shown_blocked_once_the_limitation_has_passed(app: Casework) -> None:
    late = replace(COMPLAINT, complaint=ComplaintFacts(decision_known_on=date(2026, 3, 1)))
    ref = log_case(app, late, at("2026-07-02")).ref
    offered = {
        t["trigger"]: t["blocked_by"]
        for t in allowed_triggers(app, ref, NOW, actor="nl-pho-chu-tich")["triggers"]
    }
    assert any("record an objective obstacle" in reason for reason in offered["accept"])
    assert offered["reject"] == []


def test_a_takeover_already_made_is_shown_blocked_and_refused_alike(app: Casework) -> None:
    original = log_case(
        app,
        replace(DENUNCIATION, agency="so-xay-dung", logged_by="xd-tiep-nhan"),
        at("2026-07-06"),
    ).ref
    for trigger, on in (("triage", "2026-07-07"), ("accept", "2026-07-08")):
        advance_case(
            app, AdvanceCase(original, trigger, date.fromisoformat(on), "xd-xac-minh"), NOW
        )
    again = replace(
        DENUNCIATION,
        agency="ubnd-tinh",
        received_on=date(2026, 9, 14),
        logged_by="ubnd-tiep-nhan",
        denounced_name="",
        redenunciation=Redenunciation(original, "late"),
    )
    first, second = (log_case(app, again, at("2026-09-14")).ref for _ in range(2))
    takeover = {"grounds": "serious_violation", "reasons": "quá hạn"}
    for ref in (first, second):
        advance_case(
            app, AdvanceCase(ref, "request_report", date(2026, 9, 15), "ubnd-xac-minh"), NOW
        )
    advance_case(
        app, AdvanceCase(first, "take_over", date(2026, 9, 28), "ubnd-xac-minh", "", takeover), NOW
    )
    offered = {
        t["trigger"]: t["blocked_by"]
        for t in allowed_triggers(app, second, NOW, actor="ubnd-xac-minh")["triggers"]
    }
    assert offered["take_over"] == [f"{original} is already handed_over (by {first})"]
    with pytest.raises(TransitionRefused, match="is already handed_over") as refused:
        advance_case(
            app,
            AdvanceCase(second, "take_over", date(2026, 9, 28), "ubnd-xac-minh", "", takeover),
            NOW,
        )
    # the triggers named are those of the case as it stands
    assert "take_over" not in refused.value.allowed
    assert "conclude" not in refused.value.allowed


def test_the_case_page_lists_as_allowed_only_what_no_guard_stops(app: Casework) -> None:
    late = replace(COMPLAINT, complaint=ComplaintFacts(decision_known_on=date(2026, 3, 1)))
    ref = log_case(app, late, at("2026-07-02")).ref
    shown = show_case(app, ref, NOW)["allowed_triggers"]
    assert "reject" in shown
    assert "accept" not in shown  # its limitation has passed


def test_a_step_dated_earlier_is_previewed_as_of_its_date(app: Casework) -> None:
    ref = log_case(app, DENUNCIATION, at("2026-07-06")).ref
    head = "tt-chanh-thanh-tra"
    advance_case(app, AdvanceCase(ref, "triage", date(2026, 7, 7), head), NOW)

    def extend_blocked(on: date | None) -> list[str]:
        offered = allowed_triggers(app, ref, NOW, actor=head, on=on)["triggers"]
        return next(t["blocked_by"] for t in offered if t["trigger"] == "extend")

    # the triage period ran out on 07-15: too late today, in time for a decision of 07-10
    assert any("expired on 2026-07-15" in reason for reason in extend_blocked(None))
    assert extend_blocked(date(2026, 7, 10)) == []
    advance_case(
        app, AdvanceCase(ref, "extend", date(2026, 7, 10), head, "kiểm tra nhiều nơi"), NOW
    )
