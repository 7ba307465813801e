"""The deadline sweep (escalation ladder, idempotence), assignment checks and the audit chain."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text
from tests.conftest import EXAMPLE_ORG, at

from casework.adapters import audit_log
from casework.adapters.audit_log import AuditEvent
from casework.adapters.case_store import CaseStore
from casework.domain.errors import (
    ConfigurationError,
    ConflictOfInterest,
    InvalidInput,
    NotAllowed,
    NotFound,
    TransitionRefused,
)
from casework.services.advance import AdvanceCase, advance_case
from casework.services.app import Casework
from casework.services.assignment import assign_case
from casework.services.audit_trail import verify_audit_trail
from casework.services.case_views import CaseFilter, list_cases, show_case
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.organisation import load_organisation_file, show_organisation
from casework.services.sweep import sweep
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration


def log(app: Casework, received: str, agency: str = "thanh-tra-tinh") -> str:
    return log_case(
        app,
        LogCase(
            kind="denunciation",
            agency=agency,
            received_on=date.fromisoformat(received),
            summary="Sai phạm trong đấu thầu",
            denouncer=Denouncer("Trần Văn Dũng"),
            denounced_name="Lê Văn Cường",
            logged_by="tt-tiep-nhan",
        ),
        at(received),
    ).ref


def test_ladder_fires_each_step_once_with_recipients(app: Casework) -> None:
    ref = log(app, "2024-02-01")  # triage due 2024-02-19
    assign_case(app, ref, "tt-xac-minh-1", "tt-chanh-thanh-tra", "phân công", at("2024-02-01"))
    # 3 working days before Mon 02-19: Fri 16, Thu 15, then back over Tết (08..14) to Wed 02-07
    assert sweep(app, at("2024-02-06")).fired == []
    first = sweep(app, at("2024-02-07"))
    assert [(f.case_ref, f.step) for f in first.fired] == [(ref, "warn_before_due")]
    assert first.fired[0].fires_on == date(2024, 2, 7)
    assert [r["officer"] for r in first.fired[0].recipients] == ["tt-xac-minh-1"]
    assert sweep(app, at("2024-02-15", 17)).fired == []  # idempotent, even days later

    due_day = sweep(app, at("2024-02-19"))
    assert [f.step for f in due_day.fired] == ["due_today"]
    assert {r["post"] for r in due_day.fired[0].recipients} == {"handler", "unit_head"}
    assert [r["officer"] for r in due_day.fired[0].recipients] == [
        "tt-xac-minh-1",
        "tt-chanh-thanh-tra",
    ]

    # 1 WD overdue = 02-20 and 5 WD overdue = 02-26 both passed unswept (the engine down):
    # only the current step goes out, to everyone either step would have told
    late = sweep(app, at("2024-02-27"))
    assert ([f.step for f in late.fired], late.skipped) == (["overdue_superior"], 1)
    recipients = [r["officer"] for r in late.fired[0].recipients]
    assert recipients[0] == "ubnd-chu-tich"  # the superior's head first, then the others
    assert "tt-chanh-thanh-tra" in recipients
    assert sweep(app, at("2024-03-30")).fired == []

    view = show_case(app, ref, at("2024-02-27"))
    assert [e["step"] for e in view["escalations"]] == [
        "warn_before_due",
        "due_today",
        "overdue_superior",
    ]
    skipped = [h for h in audit_entries_of(app, ref) if h["action"] == "escalation.skipped"]
    assert [(e["payload"]["step"], e["payload"]["superseded_by"]) for e in skipped] == [
        ("overdue", "overdue_superior")
    ]
    assert view["clocks"][0]["status"] == "overdue"
    assert view["clocks"][0]["days_left"] == -6


def test_sweep_after_downtime_catches_up_and_stops_for_stopped_clocks(app: Casework) -> None:
    late = log(app, "2024-03-01")
    done = log(app, "2024-03-01")
    advance_case(
        app, AdvanceCase(done, "accept", date(2024, 3, 4), "tt-xac-minh-1"), at("2024-03-04")
    )
    result = sweep(app, at("2024-04-01"))
    steps = {(f.case_ref, f.clock, f.step) for f in result.fired}
    # a month of downtime: the current step alone, the three before it recorded as skipped
    assert {s[2] for s in steps if s[0] == late} == {"overdue_superior"}
    # three steps passed over on the late case's triage, three on the accepted case's overdue
    # notice of acceptance (due 03-11); its resolution (due 04-03) is only at its warning
    assert result.skipped == 6
    assert all(s[1] != "denunciation.triage" for s in steps if s[0] == done)


def test_extension_rearms_the_ladder_for_the_new_due_date(app: Casework) -> None:
    ref = log(app, "2024-07-01")
    advance_case(
        app, AdvanceCase(ref, "accept", date(2024, 7, 4), "tt-xac-minh-1"), at("2024-07-04")
    )
    advance_case(
        app,
        AdvanceCase(ref, "send_acceptance_notices", date(2024, 7, 5), "tt-xac-minh-1"),
        at("2024-07-05"),
    )
    fired = sweep(app, at("2024-08-01")).fired  # resolve due 08-05: warn on 07-31
    assert [(f.clock, f.step) for f in fired] == [("denunciation.resolve", "warn_before_due")]
    advance_case(
        app,
        AdvanceCase(
            ref,
            "extend",
            date(2024, 8, 2),
            "tt-xac-minh-1",
            data={"reasons": "nhiều địa điểm", "complexity": "complex"},
        ),
        at("2024-08-02"),
    )
    assert sweep(app, at("2024-08-06")).fired == []  # new due 09-04: nothing overdue
    fired = sweep(app, at("2024-08-30"))
    assert [(f.step, f.due) for f in fired.fired] == [("warn_before_due", date(2024, 9, 4))]


def test_list_overdue_and_due_within(app: Casework) -> None:
    overdue = log(app, "2024-02-01")
    soon = log(app, "2024-02-20")  # triage due 2024-02-29
    assert [r["ref"] for r in list_cases(app, CaseFilter(overdue=True), at("2024-02-26"))] == [
        overdue
    ]
    within = list_cases(app, CaseFilter(due_within=3), at("2024-02-26"))
    assert [r["ref"] for r in within] == [overdue, soon]
    assert list_cases(app, CaseFilter(due_within=2), at("2024-02-26"))[0]["overdue"] is True
    assert [r["ref"] for r in list_cases(app, CaseFilter(agency="so-tnmt"), at("2024-02-26"))] == []


def test_assignment_refuses_a_relative_of_the_denounced(app: Casework) -> None:
    ref = log(app, "2024-03-01")
    with pytest.raises(ConflictOfInterest, match=r"family relation .* ND31 Art\. 10\(3\)"):
        assign_case(app, ref, "tt-xac-minh-2", None, "", at("2024-03-01"))
    with pytest.raises(InvalidInput, match="not a handler"):
        assign_case(app, ref, "tt-tiep-nhan", None, "", at("2024-03-01"))
    assert show_case(app, ref, at("2024-03-01"))["handler"] is None
    assign_case(app, ref, "tt-xac-minh-1", None, "", at("2024-03-01"))
    assert show_case(app, ref, at("2024-03-01"))["handler"] == "tt-xac-minh-1"


def test_triage_by_a_relative_is_refused(app: Casework) -> None:
    ref = log(app, "2024-03-01")
    with pytest.raises(ConflictOfInterest):
        advance_case(
            app, AdvanceCase(ref, "triage", date(2024, 3, 2), "tt-xac-minh-2"), at("2024-03-02")
        )
    assert show_case(app, ref, at("2024-03-02"))["state"] == "received"


def test_identity_is_confidential_and_each_read_is_recorded(app: Casework) -> None:
    ref = log(app, "2024-03-01")
    masked = show_case(app, ref, at("2024-03-01"))
    assert "Trần Văn Dũng" not in str(masked)
    # an officer of another agency: the case does not exist for him
    with pytest.raises(NotFound, match="no case"):
        show_case(
            app,
            ref,
            at("2024-03-01"),
            viewer=principal_of_officer(app, "tnmt-xac-minh"),
            reveal_identity=True,
        )
    # a handler of the agency sees the case, never the identity
    with pytest.raises(NotAllowed, match="may not see"):
        show_case(
            app,
            ref,
            at("2024-03-01"),
            viewer=principal_of_officer(app, "tt-xac-minh-1"),
            reveal_identity=True,
        )
    shown = show_case(
        app,
        ref,
        at("2024-03-01"),
        viewer=principal_of_officer(app, "tt-tiep-nhan"),
        reveal_identity=True,
    )
    assert shown["denouncer"]["full_name"] == "Trần Văn Dũng"
    with app.reading() as session:
        actions = (
            session.execute(text("SELECT actor FROM audit_entry WHERE action = 'identity.viewed'"))
            .scalars()
            .all()
        )
    assert actions == ["tt-tiep-nhan"]


def test_audit_trail_verifies_and_names_the_edited_entry(app: Casework) -> None:
    ref = log(app, "2024-02-01")
    advance_case(
        app, AdvanceCase(ref, "accept", date(2024, 2, 2), "tt-xac-minh-1"), at("2024-02-02")
    )
    sweep(app, at("2024-03-30"))
    result = verify_audit_trail(app)
    assert result.is_intact
    assert result.entries >= 6
    with app.database.begin() as connection:
        target = connection.execute(
            text("SELECT id FROM audit_entry WHERE action = 'case.advanced'")
        ).scalar_one()
        connection.execute(
            text("UPDATE audit_entry SET actor = 'someone-else' WHERE id = :id"), {"id": target}
        )
    broken = verify_audit_trail(app)
    assert not broken.is_intact
    assert broken.first_broken_id == target
    assert "edited" in broken.problem


def test_an_entry_holding_dates_and_instants_verifies_once_read_back(app: Casework) -> None:
    # the payload column stores an instant as orjson writes it (with a T); the seal must be
    # computed on that same form, or the entry fails verification once read back
    with app.transaction() as connection:
        audit_log.append(
            connection,
            [
                AuditEvent(
                    action="test.instants",
                    actor="tt-chanh-thanh-tra",
                    case_ref=None,
                    payload={"at": at("2024-02-01", 15), "on": date(2024, 2, 1)},
                )
            ],
            at("2024-02-01"),
        )
    result = verify_audit_trail(app)
    assert result.is_intact, result.problem


def test_audit_trail_detects_a_removed_entry(app: Casework) -> None:
    log(app, "2024-02-01")
    log(app, "2024-02-02")
    with app.database.begin() as connection:
        ids = connection.execute(text("SELECT id FROM audit_entry ORDER BY id")).scalars().all()
        connection.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": ids[2]})
    broken = verify_audit_trail(app)
    assert broken.first_broken_id == ids[3]


def test_relation_to_an_officer_also_matches_that_officer_by_name(app: Casework) -> None:
    ref = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="so-tnmt",
            received_on=date(2024, 3, 1),
            summary="Cấp phép sai",
            denouncer=Denouncer("Trần Văn Dũng"),
            denounced_name="Lương Văn Phúc",  # xd-giam-doc, the spouse of tnmt-xac-minh
        ),
        at("2024-03-01"),
    ).ref
    with pytest.raises(ConflictOfInterest, match="family relation"):
        assign_case(app, ref, "tnmt-xac-minh", None, "", at("2024-03-01"))


def test_only_officers_without_conflict_of_the_resolving_agency_may_act(app: Casework) -> None:
    ref = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=date(2024, 3, 1),
            summary="Nhận hối lộ",
            denouncer=Denouncer("Trần Văn Dũng"),
            denounced_officer="tt-xac-minh-1",
        ),
        at("2024-03-01"),
    ).ref
    attempts = [
        ("tt-xac-minh-1", ConflictOfInterest, "is the denounced person"),
        ("nl-chu-tich", NotAllowed, "only officers of thanh-tra-tinh"),
        ("tt-tiep-nhan", NotAllowed, "may not act on cases"),
    ]
    for officer, error, message in attempts:
        with pytest.raises(error, match=message):
            advance_case(
                app, AdvanceCase(ref, "accept", date(2024, 3, 4), officer), at("2024-03-04")
            )
    advance_case(
        app, AdvanceCase(ref, "accept", date(2024, 3, 4), "tt-xac-minh-2"), at("2024-03-04")
    )
    view = show_case(app, ref, at("2024-03-04"))
    assert view["state"] == "inspection"
    assert view["handler"] == "tt-xac-minh-2"  # accepting assigns the acting officer


def test_a_duty_left_open_can_be_recorded_after_the_case_moved_on(app: Casework) -> None:
    ref = log(app, "2024-07-01")
    for trigger, day, data in [
        ("accept", 4, {}),
        ("conclude", 20, {"finding": "untrue"}),
        ("send_conclusion", 22, {}),
        ("decide_handling", 22, {"measures": "khôi phục quyền lợi"}),
        ("publish_conclusion", 23, {"channel": "posting"}),
    ]:
        advance_case(
            app,
            AdvanceCase(ref, trigger, date(2024, 7, day), "tt-xac-minh-1", data=data),
            at(f"2024-07-{day:02d}"),
        )
    with pytest.raises(TransitionRefused, match=r"denunciation\.notify_acceptance"):
        advance_case(app, AdvanceCase(ref, "close", date(2024, 7, 24)), at("2024-07-24"))
    advance_case(
        app, AdvanceCase(ref, "send_acceptance_notices", date(2024, 7, 24)), at("2024-07-24")
    )
    late = next(
        c
        for c in show_case(app, ref, at("2024-07-24"))["clocks"]
        if c["code"] == "denunciation.notify_acceptance"
    )
    assert late["late"] is True
    advance_case(app, AdvanceCase(ref, "close", date(2024, 7, 24)), at("2024-07-24"))


def test_a_pause_that_keeps_the_due_date_does_not_refire_the_ladder(app: Casework) -> None:
    ref = log(app, "2024-07-01")
    advance_case(
        app, AdvanceCase(ref, "accept", date(2024, 7, 4), "tt-xac-minh-1"), at("2024-07-04")
    )
    advance_case(
        app, AdvanceCase(ref, "send_acceptance_notices", date(2024, 7, 5)), at("2024-07-05")
    )
    first = sweep(app, at("2024-08-07"))  # resolve due 08-05: overdue (warn, due_today passed)
    assert [f.step for f in first.fired] == ["overdue"]
    advance_case(
        app,
        AdvanceCase(ref, "suspend", date(2024, 8, 7), data={"grounds": "reassessment"}),
        at("2024-08-07"),
    )
    advance_case(
        app, AdvanceCase(ref, "send_suspension_notice", date(2024, 8, 7)), at("2024-08-07")
    )
    advance_case(
        app,
        AdvanceCase(ref, "resume", date(2024, 8, 7), data={"grounds": "xong"}),
        at("2024-08-07"),
    )
    assert show_case(app, ref, at("2024-08-08"))["clocks"][1]["due"] == "2024-08-05"
    again = sweep(app, at("2024-08-08"))
    assert [(f.clock, f.step) for f in again.fired if f.clock == "denunciation.resolve"] == []
    with app.database.connect() as connection:
        fired = connection.execute(
            text("SELECT count(*) FROM audit_entry WHERE action = 'escalation.fired'")
        ).scalar_one()
        rows = connection.execute(text("SELECT count(*) FROM escalation")).scalar_one()
    assert fired == rows


def test_the_denounced_officer_is_never_told_nor_shown_the_identity(app: Casework) -> None:
    ref = log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="so-tnmt",
            received_on=date(2024, 2, 1),
            summary="Giám đốc sở ký cấp phép sai",
            denouncer=Denouncer("Trần Văn Dũng"),
            denounced_officer="tnmt-giam-doc",
            logged_by="tnmt-tiep-nhan",
        ),
        at("2024-02-01"),
    ).ref
    # the denounced head, and every officer who answers to him, logger included: the case
    # does not exist for them (it belongs with his superior, LTC Arts. 12–14)
    for officer in ("tnmt-giam-doc", "tnmt-xac-minh", "tnmt-tiep-nhan"):
        with pytest.raises(NotFound, match="no case"):
            show_case(
                app,
                ref,
                at("2024-02-01"),
                viewer=principal_of_officer(app, officer),
                reveal_identity=True,
            )
    # the province's chief sees the case but, not heading the agency that holds it, no identity
    with pytest.raises(NotAllowed, match="may not see"):
        show_case(
            app,
            ref,
            at("2024-02-01"),
            viewer=principal_of_officer(app, "ubnd-chu-tich"),
            reveal_identity=True,
        )
    fired = sweep(app, at("2024-02-27")).fired
    told = {r["officer"] for f in fired for r in f.recipients}
    assert "tnmt-giam-doc" not in told
    assert "ubnd-chu-tich" in told  # the alert went up the chain instead


def test_reloading_an_organisation_that_drops_a_used_agency_is_refused(
    app: Casework, tmp_path: Path
) -> None:
    log(app, "2024-03-01", agency="xa-nghi-loc")
    text_ = EXAMPLE_ORG.read_text(encoding="utf-8")
    smaller = yaml.safe_load(text_)
    smaller["agencies"] = [a for a in smaller["agencies"] if a["code"] != "xa-nghi-loc"]
    smaller["officers"] = [o for o in smaller["officers"] if o["agency"] != "xa-nghi-loc"]
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(smaller, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"agency xa-nghi-loc \(1 case"):
        load_organisation_file(app, path, None, at("2024-03-02"))
    assert "xa-nghi-loc" in {a["code"] for a in show_organisation(app)["agencies"]}


def test_audit_trail_detects_removal_of_the_newest_entries(app: Casework) -> None:
    log(app, "2024-02-01")
    log(app, "2024-02-02")
    with app.database.begin() as connection:
        newest = connection.execute(text("SELECT max(id) FROM audit_entry")).scalar_one()
        connection.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": newest})
    broken = verify_audit_trail(app)
    assert not broken.is_intact
    assert "newest entries were removed" in broken.problem


def test_alerts_go_to_whoever_holds_the_post_on_the_day(app: Casework, tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE_ORG.read_text(encoding="utf-8"))
    data["acting"] = [
        {
            "officer": "tt-pho-chanh-thanh-tra",
            "agency": "thanh-tra-tinh",
            "from": date(2024, 2, 19),
            "to": date(2024, 2, 19),
            "reason": "nghỉ phép",
        }
    ]
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_organisation_file(app, path, None, at("2024-01-05"))
    ref = log(app, "2024-02-01")
    assign_case(app, ref, "tt-xac-minh-1", None, "", at("2024-02-01"))
    on_the_day = sweep(app, at("2024-02-19")).fired  # warn (02-07) and due today (02-19)
    due_today = next(f for f in on_the_day if f.step == "due_today")
    assert [r["officer"] for r in due_today.recipients] == [
        "tt-xac-minh-1",
        "tt-pho-chanh-thanh-tra",
    ]
    next_day = sweep(app, at("2024-02-20")).fired
    assert [r["officer"] for r in next_day[0].recipients] == ["tt-chanh-thanh-tra"]


def test_a_sweep_whose_write_fails_records_nothing_and_says_why(
    app: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep of one batch writes it in the sweep's own transaction: a write that fails fails
    the sweep with its own error, and the clocks, escalations, notices and audit entries written
    before it in the transaction roll back."""
    import casework.services.sweep as sweep_module

    ref = log(app, "2024-02-01")
    assign_case(app, ref, "tt-xac-minh-1", "tt-chanh-thanh-tra", "phân công", at("2024-02-01"))

    def counts() -> list[int]:
        """Rows of each table the sweep writes, and how far the clocks' ladders have moved."""
        queries = [
            f"SELECT count(*) FROM {t}" for t in ("escalation", "outbox_message", "audit_entry")
        ]
        queries.append("SELECT sum(next_step) FROM clock")
        with app.database.connect() as connection:
            return [connection.execute(text(query)).scalar_one() for query in queries]

    before = counts()
    real_notices = sweep_module.escalation_notices

    def notices_with_a_bad_row(*arguments: object, **keywords: object) -> list[dict[str, object]]:
        rows = real_notices(*arguments, **keywords)  # type: ignore[arg-type]
        return [{**row, "to_address": None} for row in rows]  # NOT NULL: the insert fails

    monkeypatch.setattr(sweep_module, "escalation_notices", notices_with_a_bad_row)
    with pytest.raises(Exception, match="to_address"):
        sweep(app, at("2024-02-07"))
    assert counts() == before

    monkeypatch.setattr(sweep_module, "escalation_notices", real_notices)
    fired = sweep(app, at("2024-02-07")).fired
    assert [(f.case_ref, f.step) for f in fired] == [(ref, "warn_before_due")]
    assert counts() != before


def test_a_clock_read_before_a_sweep_and_written_back_keeps_its_ladder_moving_on(
    app: Casework,
) -> None:
    # A step reads the case's clocks without locking them; a sweep may move one on and commit
    # before the step writes the clock back as it read it. That must not rewind the ladder,
    # or the next sweep would fire the same step again.
    ref = log(app, "2024-02-01")  # triage due 2024-02-19: first step on 02-07
    with app.transaction() as connection:
        store = CaseStore(connection)
        (read_before,) = store.active_clocks(store.get(ref).id)
    assert read_before.next_step == 0
    assert [f.step for f in sweep(app, at("2024-02-07")).fired] == ["warn_before_due"]
    with app.transaction() as connection:
        CaseStore(connection).save_clock(read_before)  # same deadline, the step it read
    assert sweep(app, at("2024-02-07", 17)).fired == []
    with app.transaction() as connection:
        store = CaseStore(connection)
        (clock,) = store.active_clocks(store.get(ref).id)
        fired = connection.execute(
            text("SELECT count(*) FROM audit_entry WHERE action = 'escalation.fired'")
        ).scalar_one()
    assert (clock.next_step, clock.next_step_on, fired) == (1, date(2024, 2, 19), 1)
    assert [f.step for f in sweep(app, at("2024-02-19")).fired] == ["due_today"]


def _rows_per_case(app: Casework) -> dict[str, tuple[int, int, int, int]]:
    """For each case: its clock's next step, and its escalations, notices and fired entries."""

    def per_case(query: str) -> dict[object, int]:
        return dict(connection.execute(text(query)).all())  # type: ignore[arg-type]

    with app.database.connect() as connection:
        steps = per_case("SELECT case_id, next_step FROM clock")
        escalations = per_case("SELECT case_id, count(*) FROM escalation GROUP BY case_id")
        notices = per_case("SELECT case_id, count(*) FROM outbox_message GROUP BY case_id")
        fired = per_case(
            "SELECT case_ref, count(*) FROM audit_entry WHERE action = 'escalation.fired' "
            "GROUP BY case_ref"
        )
    refs = {case_id: f"TC-2024-{case_id:06d}" for case_id in steps}
    return {
        ref: (
            steps[case_id],
            escalations.get(case_id, 0),
            notices.get(case_id, 0),
            fired.get(ref, 0),
        )
        for case_id, ref in refs.items()
    }


def test_a_sweep_of_many_batches_records_each_step_once(
    app: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of two clocks: on PostgreSQL each is written in a transaction of its own, two at
    a time on two connections; on SQLite one after the other in the sweep's transaction."""
    import casework.services.sweep as sweep_module

    monkeypatch.setattr(sweep_module, "_BATCH", 2)
    refs = [log(app, "2024-02-01") for _ in range(7)]
    result = sweep(app, at("2024-02-07"))
    assert sorted(f.case_ref for f in result.fired) == refs
    per_case = _rows_per_case(app)
    assert {(step, escalations, fired) for step, escalations, _, fired in per_case.values()} == {
        (1, 1, 1)
    }
    assert result.notices_queued == sum(notices for _, _, notices, _ in per_case.values()) >= 7
    assert sweep(app, at("2024-02-07", 17)).fired == []
    assert verify_audit_trail(app).is_intact


def test_a_batch_that_fails_leaves_every_clock_whole_and_the_next_sweep_finishes(
    app: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One batch's notices cannot be written. Whatever the other batches did (on PostgreSQL
    those already sent commit on their own; on SQLite the sweep's one transaction rolls them
    back too), no clock is left half-written: moved with no escalation, notice or audit entry,
    or the reverse. The next sweep records exactly what a clean sweep would have."""
    import casework.services.sweep as sweep_module

    monkeypatch.setattr(sweep_module, "_BATCH", 2)
    refs = [log(app, "2024-02-01") for _ in range(7)]
    real_notices = sweep_module.escalation_notices

    def one_bad_case(*arguments: object) -> list[dict[str, object]]:
        rows = real_notices(*arguments)  # type: ignore[arg-type]
        _, fact, *_ = arguments
        if getattr(fact, "ref", None) == refs[4]:  # in the third batch
            return [{**row, "to_address": None} for row in rows]  # NOT NULL: the insert fails
        return rows

    monkeypatch.setattr(sweep_module, "escalation_notices", one_bad_case)
    with pytest.raises(Exception, match="to_address"):
        sweep(app, at("2024-02-07"))
    after_failure = _rows_per_case(app)
    assert after_failure[refs[4]] == (0, 0, 0, 0)
    # the first batch was sent before the third was worked out: it commits on PostgreSQL
    assert after_failure[refs[0]][0] == (1 if app.database.dialect.name == "postgresql" else 0)
    for step, escalations, notices, fired in after_failure.values():
        assert (step, escalations, fired) in {(0, 0, 0), (1, 1, 1)}
        assert (notices > 0) == (step == 1)

    monkeypatch.setattr(sweep_module, "escalation_notices", real_notices)
    finished = sweep(app, at("2024-02-07", 9))
    done_before = {ref for ref, (step, *_) in after_failure.items() if step == 1}
    assert sorted(f.case_ref for f in finished.fired) == sorted(set(refs) - done_before)
    per_case = _rows_per_case(app)
    assert {(step, escalations, fired) for step, escalations, _, fired in per_case.values()} == {
        (1, 1, 1)
    }
    assert verify_audit_trail(app).is_intact


def audit_entries_of(app: Casework, ref: str) -> list[dict[str, Any]]:
    from casework.services.audit_trail import audit_entries
    from casework.services.users import principal_of_officer

    admin = principal_of_officer(app, "ubnd-quan-tri")
    return audit_entries(app, admin, at("2024-03-30"), case_ref=ref, limit=1000)


def test_one_alert_per_clock_raised_in_place_and_closed_with_its_clock(app: Casework) -> None:
    from casework.services.escalations import acknowledge, list_escalations

    head = principal_of_officer(app, "tt-chanh-thanh-tra")
    handler = principal_of_officer(app, "tt-xac-minh-1")
    ref = log(app, "2024-02-01")  # triage due 2024-02-19
    assign_case(app, ref, "tt-xac-minh-1", "tt-chanh-thanh-tra", "phân công", at("2024-02-01"))
    sweep(app, at("2024-02-07"))  # warn the handler
    [warned] = list_escalations(app, handler, "tt-xac-minh-1", unacknowledged=True)
    acknowledge(app, warned["id"], handler, at("2024-02-07", 10))
    assert list_escalations(app, handler, "tt-xac-minh-1", unacknowledged=True) == []

    sweep(app, at("2024-02-19"))  # due today: the same alert, raised to the unit's head
    [alert] = list_escalations(app, head, None, unacknowledged=True)
    assert (alert["step"], alert["open"]) == ("due_today", True)
    assert alert["recipients"] == ["tt-xac-minh-1", "tt-chanh-thanh-tra"]
    # raised: it waits for everyone again, the handler who acknowledged the warning included
    assert alert["waiting_for"] == ["tt-xac-minh-1", "tt-chanh-thanh-tra"]
    history = {a["id"]: a for a in list_escalations(app, head, None)}
    assert history[warned["id"]]["open"] is False  # the warning is the alert's history
    with pytest.raises(InvalidInput, match="no longer open: it was raised"):
        acknowledge(app, warned["id"], handler, at("2024-02-19", 10))
    acknowledge(app, alert["id"], handler, at("2024-02-19", 10))
    assert list_escalations(app, head, None, unacknowledged=True)[0]["waiting_for"] == [
        "tt-chanh-thanh-tra"
    ]

    advance_case(  # the triage ends: its clock stops, and its alert closes
        app, AdvanceCase(ref, "accept", date(2024, 2, 20), "tt-xac-minh-1"), at("2024-02-20")
    )
    assert list_escalations(app, head, None, unacknowledged=True) == []
    assert all(not a["open"] for a in list_escalations(app, head, None))


def test_an_officer_who_recused_is_neither_told_nor_waited_for_by_a_raised_alert(
    app: Casework,
) -> None:
    from casework.services.case_parties import recuse
    from casework.services.escalations import acknowledge, list_escalations

    head = principal_of_officer(app, "tt-chanh-thanh-tra")
    handler = principal_of_officer(app, "tt-xac-minh-1")
    ref = log(app, "2024-02-01")
    assign_case(app, ref, "tt-xac-minh-1", "tt-chanh-thanh-tra", "phân công", at("2024-02-01"))
    sweep(app, at("2024-02-19"))  # due today: the handler and the head
    recuse(app, handler, ref, "người thân của người bị tố cáo", at("2024-02-19", 11))
    sweep(app, at("2024-02-20"))  # overdue: raised
    [alert] = list_escalations(app, head, None, unacknowledged=True)
    assert "tt-xac-minh-1" not in alert["recipients"]
    acknowledge(app, alert["id"], head, at("2024-02-20", 10))
    waiting = list_escalations(app, head, None, unacknowledged=True)
    assert all("tt-xac-minh-1" not in a["waiting_for"] for a in waiting)
