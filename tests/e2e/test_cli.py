"""The `casework` CLI end to end, as the README tells a new user to drive it.

Time is frozen with freezegun: the CLI is the only layer that reads the wall clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from tests.conftest import EXAMPLE_ORG
from typer.testing import CliRunner

from casework.entrypoints.cli import common
from casework.entrypoints.cli.main import app
from casework.services import web_sessions
from casework.services.audit_trail import audit_entries
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CASEWORK_HOME", str(tmp_path))
    monkeypatch.delenv("CASEWORK_DATABASE_URL", raising=False)
    common.reset_casework_app()
    yield CliRunner()
    common.reset_casework_app()


DESK = {
    ("case", "new"): "tt-tiep-nhan",
    ("case", "advance"): "tt-chanh-thanh-tra",
    ("case", "assign"): "tt-chanh-thanh-tra",
    ("case", "confirm-outside"): "tt-chanh-thanh-tra",
    ("escalations", "ack"): "tt-chanh-thanh-tra",
    ("outbox", "list"): "ubnd-quan-tri",
    ("outbox", "show"): "ubnd-quan-tri",
    ("outbox", "retry"): "ubnd-quan-tri",
    ("user", "add"): "ubnd-quan-tri",
    ("user", "roles"): "ubnd-quan-tri",
    ("user", "list"): "ubnd-quan-tri",
    ("user", "token"): "ubnd-quan-tri",
    ("user", "passwd"): "ubnd-quan-tri",
    ("org", "load"): "ubnd-quan-tri",
}
"""The officer at the desk (`CASEWORK_OPERATOR`) for each command a test runs without --by:
reception logs, the chief inspector decides, the administrator looks after logins and the
outbox. Any other command reads as the provincial chairman, who sees every unit's cases."""
READER = "ubnd-chu-tich"


def run(cli: CliRunner, *args: str, code: int = 0, operator: str | None = None) -> str:
    desk = operator if operator is not None else DESK.get(tuple(args[:2]), READER)
    result = cli.invoke(app, list(args), env={"CASEWORK_OPERATOR": desk})
    assert result.exit_code == code, (args, result.output, result.stderr)
    return result.output if code == 0 else result.stderr


def run_json(cli: CliRunner, *args: str) -> Any:
    return json.loads(run(cli, *args, "--json"))


NEW_LETTER = (
    "case", "new", "denunciation", "--agency", "thanh-tra-tinh", "--summary", "x",
    "--denounced-name", "B", "--denouncer-name", "A",
)  # fmt: skip


def log_letter(cli: CliRunner) -> str:
    """Log a plain letter to the provincial inspectorate; returns its reference."""
    return str(run_json(cli, *NEW_LETTER)["ref"])


def test_up_initialises_and_loads_the_example_organisation(cli: CliRunner, tmp_path: Path) -> None:
    out = run(cli, "up", "--no-engine")
    assert "database ready" in out
    assert "loaded the organisation" in out
    assert (tmp_path / "casework.db").exists()
    assert "loaded the organisation" not in run(cli, "up", "--no-engine")  # idempotent
    org = run_json(cli, "org", "show")
    assert {a["code"] for a in org["agencies"]} >= {"ubnd-tinh", "thanh-tra-tinh", "so-tnmt"}


def test_commands_before_init_say_what_to_do(cli: CliRunner) -> None:
    err = run(cli, "case", "list", code=8)
    assert "run `casework init` first" in err


def test_denunciation_from_receipt_to_closure(cli: CliRunner) -> None:
    with freeze_time("2024-02-01 10:00:00+07:00"):
        run(cli, "init")
        run(cli, "org", "load", str(EXAMPLE_ORG))
        logged = run_json(
            cli,
            "case",
            "new",
            "denunciation",
            "--agency",
            "thanh-tra-tinh",
            "--received",
            "2024-02-01",
            "--summary",
            "Thu tiền trái quy định",
            "--denouncer-name",
            "Phạm Thị Hoa",
            "--denounced-name",
            "Lê Văn Cường",
            "--by",
            "tt-tiep-nhan",
        )
    ref = logged["ref"]
    assert logged["clocks"] == [{"code": "denunciation.triage", "due": "2024-02-19"}]
    with freeze_time("2024-03-20 09:00:00+07:00"):
        run(cli, "case", "assign", ref, "tt-xac-minh-1", "--by", "tt-chanh-thanh-tra")
        run(cli, "case", "advance", ref, "triage", "--on", "2024-02-02", "--by", "tt-xac-minh-1")
        run(cli, "case", "advance", ref, "accept", "--on", "2024-02-15", "--by", "tt-xac-minh-1")
        run(cli, "case", "advance", ref, "send_acceptance_notices", "--on", "2024-02-16")
        run(
            cli,
            "case",
            "advance",
            ref,
            "conclude",
            "--on",
            "2024-03-12",
            "--set",
            "finding=partly_true",
        )
        run(cli, "case", "advance", ref, "send_conclusion", "--on", "2024-03-14")
        run(
            cli,
            "case",
            "advance",
            ref,
            "decide_handling",
            "--on",
            "2024-03-15",
            "--set",
            "measures=khiển trách",
        )
        run(
            cli,
            "case",
            "advance",
            ref,
            "publish_conclusion",
            "--on",
            "2024-03-18",
            "--set",
            "channel=portal",
        )
        run(cli, "case", "advance", ref, "close", "--on", "2024-03-20")
        view = run_json(cli, "case", "show", ref)
    assert view["ref"] == ref
    assert view["kind"] == "denunciation"
    assert view["state"] == "closed"
    by_code = {c["code"]: c for c in view["clocks"]}
    assert by_code["denunciation.triage"]["due"] == "2024-02-19"
    assert (
        by_code["denunciation.resolve"]["due"] == "2024-03-18"
    )  # 02-15 + 30 = Sat 03-16 (2024 is a leap year), rolled to Mon
    assert {c["status"] for c in view["clocks"]} == {"stopped"}
    assert [h["trigger"] for h in view["history"]][-1] == "close"
    assert "Phạm Thị Hoa" not in json.dumps(view, ensure_ascii=False)
    with freeze_time("2024-03-20 09:00:00+07:00"):
        text = run(cli, "case", "show", ref, "--explain")
    assert "rolled forward to 2024-03-18" in text
    assert "Kết thúc, lưu hồ sơ" in text


def test_invalid_trigger_names_allowed_ones_on_stderr(cli: CliRunner) -> None:
    with freeze_time("2024-03-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        ref = log_letter(cli)
        err = run(cli, "case", "advance", ref, "conclude", code=4)
        assert "Triggers allowed now: accept, file_without_handling, forward, refer" in err
        err = run(cli, "case", "advance", ref, "reject", code=2)
        assert "needs --set reasons=" in err
        err = run(cli, "case", "advance", ref, "triage", "--on", "01/03/2024", code=2)
        assert "use YYYY-MM-DD" in err
        err = run(cli, "case", "show", "TC-2024-999999", code=3)
        assert "no case" in err
        err = run(
            cli,
            "case",
            "new",
            "denunciation",
            "--agency",
            "nowhere",
            "--summary",
            "x",
            "--denounced-name",
            "B",
            code=3,
        )
        assert "known agencies" in err


def test_sweep_twice_and_list_overdue(cli: CliRunner) -> None:
    with freeze_time("2024-02-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        ref = log_letter(cli)
    with freeze_time("2024-02-27 08:00:00+07:00"):
        first = run_json(cli, "deadlines", "sweep")
        assert first["as_of"] == "2024-02-27"
        # three weeks unswept: the current step alone goes out, the three before it skipped
        assert [e["step"] for e in first["escalations"]] == ["overdue_superior"]
        assert first["skipped"] == 3
        assert run_json(cli, "deadlines", "sweep")["escalations"] == []
        overdue = run_json(cli, "case", "list", "--overdue")
        assert [r["ref"] for r in overdue] == [ref]
    explicit = run_json(cli, "deadlines", "sweep", "--now", "2024-03-30T08:00")
    assert explicit["escalations"] == []


def test_audit_verify_detects_an_edited_row(cli: CliRunner, tmp_path: Path) -> None:
    import sqlite3

    with freeze_time("2024-02-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        log_letter(cli)
    assert "audit trail intact" in run(cli, "audit", "verify")
    with sqlite3.connect(tmp_path / "casework.db") as db:
        db.execute("UPDATE audit_entry SET actor = 'x' WHERE action = 'case.logged'")
    err = run(cli, "audit", "verify", code=7)
    assert "broken at entry" in err


def test_calendar_commands(cli: CliRunner) -> None:
    due = run_json(
        cli, "calendar", "due", "--start", "2024-02-01", "--days", "7", "--unit", "working"
    )
    assert due["due"] == "2024-02-19"
    assert any(d["date"] == "2024-02-10" for d in due["days_off_in_between"])
    cal = run_json(
        cli, "calendar", "due", "--start", "2024-07-04", "--days", "30", "--unit", "calendar"
    )
    assert (cal["nominal_end"], cal["due"]) == ("2024-08-03", "2024-08-05")
    year = run_json(cli, "calendar", "show", "2026")
    marked = {e["date"]: e["working"] for e in year["exceptions"]}
    assert marked["2026-08-22"] is True  # swapped working Saturday
    assert marked["2026-02-17"] is False  # Tết
    assert year["working_days"] > 240


def test_anonymous_case_is_intelligence(cli: CliRunner) -> None:
    with freeze_time("2024-03-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        logged = run_json(cli, *NEW_LETTER[:-2], "--anonymous")
    assert logged["state"] == "intelligence"
    assert logged["clocks"] == []


def test_case_from_file(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "letter.yaml"
    path.write_text(
        "agency: so-tnmt\nreceived: 2024-03-01\nsummary: Cấp phép khai thác cát sai\n"
        "denounced_name: Công ty X\nby: tnmt-tiep-nhan\n"
        "denouncer: {full_name: Nguyễn Văn B, address: Nghi Lộc}\n",
        encoding="utf-8",
    )
    with freeze_time("2024-03-02 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        logged = run_json(cli, "case", "new", "denunciation", "--from-file", str(path))
        view = run_json(
            cli, "case", "show", logged["ref"], "--reveal-identity", "--by", "tnmt-tiep-nhan"
        )
    assert view["agency"] == "so-tnmt"
    assert view["denouncer"]["full_name"] == "Nguyễn Văn B"
    bad = tmp_path / "bad.yaml"
    bad.write_text("agency: so-tnmt\ncolour: red\n", encoding="utf-8")
    err = run(cli, "case", "new", "denunciation", "--from-file", str(bad), code=2)
    assert "unknown fields colour" in err


def test_triggers_lists_fields_and_blockers(cli: CliRunner) -> None:
    with freeze_time("2024-03-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        ref = log_letter(cli)
        triggers = run_json(cli, "case", "triggers", ref, "--by", "tt-chanh-thanh-tra")
        outsider = run_json(cli, "case", "triggers", ref, "--by", "ubnd-chu-tich")
    names = [t["trigger"] for t in triggers["triggers"]]
    assert names[:2] == ["triage", "accept"]
    accept = next(t for t in triggers["triggers"] if t["trigger"] == "accept")
    assert accept["blocked_by"] == []  # the chief inspector decides on his agency's cases
    barred = next(t for t in outsider["triggers"] if t["trigger"] == "accept")["blocked_by"]
    assert barred == [
        "ubnd-chu-tich works at ubnd-tinh; only officers of thanh-tra-tinh or the assigned "
        f"handler may act on {ref}"
    ]


def test_rules_list(cli: CliRunner) -> None:
    rules = run_json(cli, "rules", "list")
    resolve = next(r for r in rules if r["code"] == "denunciation.resolve")
    assert resolve["length"] == 30
    assert resolve["unit"] == "calendar"
    assert resolve["extension"]["max_count"]["especially_complex"] == 2


def test_sweep_refuses_to_run_ahead_of_time(cli: CliRunner) -> None:
    with freeze_time("2024-02-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        log_letter(cli)
        err = run(cli, "deadlines", "sweep", "--now", "2030-01-01T08:00", code=2)
        assert "in the future" in err
        assert run_json(cli, "deadlines", "sweep")["escalations"] == []


def test_a_new_agency_calendar_is_applied_by_recompute(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with freeze_time("2026-11-23 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        ref = log_letter(cli)  # received Mon 2026-11-23: 7 WD, Tue 24 is Culture Day → Thu 12-03
        assert run_json(cli, "case", "show", ref)["clocks"][0]["due"] == "2026-12-03"
        closures = tmp_path / "agency.yaml"
        closures.write_text(
            "closures:\n  - {date: 2026-11-25, reason: bão}\n  - {date: 2026-11-26, reason: bão}\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("CASEWORK_CALENDAR_FILE", str(closures))
        common.reset_casework_app()
        clock = run_json(cli, "case", "show", ref)["clocks"][0]
        assert clock["stale"] is True
        moved = run_json(cli, "deadlines", "recompute")
        assert moved == [
            {
                "case": ref,
                "clock": "denunciation.triage",
                "old_due": "2026-12-03",
                "due": "2026-12-07",
            }
        ]
        clock = run_json(cli, "case", "show", ref)["clocks"][0]
        assert (clock["due"], clock["stale"]) == ("2026-12-07", False)
        assert run_json(cli, "deadlines", "recompute") == []


def test_small_things_a_user_meets(cli: CliRunner, tmp_path: Path) -> None:
    assert run(cli, "--version").strip() == "0.1.0"
    run(cli, "up", "--no-engine")
    err = run(cli, "case", "list", "--state", "bogus", code=2)
    assert "unknown state 'bogus'; states: " in err  # every kind's states
    assert all(state in err for state in ("inspection", "verification", "closed"))
    bad_date = tmp_path / "bad-date.yaml"
    bad_date.write_text("agency: so-tnmt\nreceived: 2024-02-30\n", encoding="utf-8")
    err = run(cli, "case", "new", "denunciation", "--from-file", str(bad_date), code=2)
    assert "YYYY-MM-DD" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("denouncer: {full_name: Nguyễn Bí Mật\nagency: [", encoding="utf-8")
    err = run(cli, "case", "new", "denunciation", "--from-file", str(broken), code=2)
    assert "not valid YAML at line" in err
    assert "Bí Mật" not in err


def test_a_recipient_acknowledges_an_alert(cli: CliRunner) -> None:
    with freeze_time("2024-02-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        log_letter(cli)
    with freeze_time("2024-02-27 08:00:00+07:00"):
        run(cli, "deadlines", "sweep")
        mine = run_json(cli, "escalations", "list", "--officer", "ubnd-chu-tich")
        assert [e["step"] for e in mine] == ["overdue_superior"]
        err = run(cli, "escalations", "ack", str(mine[0]["id"]), "--by", "tt-xac-minh-1", code=3)
        assert "no escalation" in err
        assert "addressed to tt-xac-minh-1" in err
        run(cli, "escalations", "ack", str(mine[0]["id"]), "--by", "ubnd-chu-tich")
        err = run(cli, "escalations", "ack", str(mine[0]["id"]), "--by", "ubnd-chu-tich", code=2)
        assert "you already acknowledged escalation" in err
        his = run_json(cli, "escalations", "list", "--unacknowledged", "--officer", "ubnd-chu-tich")
        open_ones = run_json(cli, "escalations", "list", "--unacknowledged")
    assert his == []
    # one alert for the clock, at its current step, to everyone the ladder reached: it waits
    # for the others until each acknowledges it (the steps it passed over sent nothing)
    [alert] = open_ones
    assert alert["id"] == mine[0]["id"]
    assert "ubnd-chu-tich" not in alert["waiting_for"]
    assert "tt-chanh-thanh-tra" in alert["waiting_for"]


def test_digest_and_ids_are_checked(cli: CliRunner) -> None:
    with freeze_time("2024-02-27 07:00:00+07:00"):
        run(cli, "up", "--no-engine")
        err = run(cli, "deadlines", "digest", "--now", "2024-02-28T07:00", code=2)
        assert "in the future" in err
        run(cli, "outbox", "show", "99999999999999999999", code=2)
        run(cli, "escalations", "ack", "99999999999999999999", "--by", "ubnd-chu-tich", code=2)


def test_notices_to_the_parties_from_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "up", "--no-engine")
    ref = run_json(
        cli, "case", "new", "denunciation", "--agency", "thanh-tra-tinh",
        "--received", "2024-02-05", "--summary", "Bà Trần Thị Mai phản ánh chủ tịch xã thu tiền",
        "--denouncer-name", "Trần Thị Mai", "--denouncer-email", "mai@example.vn",
        "--denounced-officer", "hn-chu-tich", "--by", "tt-tiep-nhan",
    )["ref"]  # fmt: skip
    run(cli, "case", "advance", ref, "accept", "--on", "2024-02-15", "--by", "tt-xac-minh-1")
    refused = run(
        cli, "case", "advance", ref, "send_acceptance_notices", "--on", "2024-02-16", code=2
    )
    assert "in case.content" in refused  # which part is not said: no --by, no right to know
    assert "--set content=" in refused
    run(
        cli, "case", "advance", ref, "send_acceptance_notices", "--on", "2024-02-16",
        "--set", "content=Chủ tịch xã thu tiền cấp giấy chứng nhận trái quy định",
    )  # fmt: skip
    listed = run_json(cli, "outbox", "list")["messages"]
    assert {(m["template"], m["party"]) for m in listed} == {
        ("party.acceptance", "denouncer"),
        ("party.content_notice", "denounced"),
    }
    assert "mai@example.vn" not in json.dumps(listed)
    assert "2 sent" in run(cli, "outbox", "deliver", "--now", "2099-01-01T00:00")
    emails = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(emails) == 2
    raw = b"".join(p.read_bytes() for p in emails)
    assert b"To: mai@example.vn" in raw
    assert b"To: chutich@hungnguyen.nghean.example" in raw


def test_complaint_from_receipt_to_decision_in_force(cli: CliRunner) -> None:
    """The README's worked complaint, command for command."""
    with freeze_time("2026-07-02 10:00:00+07:00"):
        run(cli, "init")
        run(cli, "org", "load", str(EXAMPLE_ORG))
        out = run(
            cli, "case", "new", "complaint", "--agency", "xa-nghi-loc", "--received", "2026-07-02",
            "--summary", "Khiếu nại quyết định thu hồi đất, mức bồi thường thấp",
            "--complainant-name", "Hồ Văn Lực", "--complainant-address", "xóm 3, xã Nghi Lộc",
            "--respondent-officer", "nl-chu-tich", "--decision-known-on", "2026-05-20",
            "--contested-decision", "QĐ 45/QĐ-UBND ngày 15/05/2026", "--by", "nl-tiep-nhan",
        )  # fmt: skip
    assert "logged KN-2026-000001 (received)" in out
    assert "complaint.limitation: due 2026-08-18" in out
    assert "complaint.accept: due 2026-07-13" in out
    ref = "KN-2026-000001"
    with freeze_time("2026-09-25 09:00:00+07:00"):
        run(cli, "case", "assign", ref, "nl-xac-minh", "--by", "nl-chu-tich")
        run(cli, "case", "advance", ref, "accept", "--on", "2026-07-08", "--by", "nl-xac-minh")
        err = run(
            cli, "case", "advance", ref, "decide", "--on", "2026-07-20",
            "--set", "outcome=partly_right", code=4, operator="nl-xac-minh",
        )  # fmt: skip
        assert "a dialogue must come first" in err
        assert "schedule_dialogue" in err
        run(
            cli, "case", "advance", ref, "schedule_dialogue", "--on", "2026-07-20",
            "--set", "dialogue_on=2026-07-27", "--set", "place=UBND xã Nghi Lộc", operator="nl-xac-minh",
        )  # fmt: skip
        run(
            cli, "case", "advance", ref, "hold_dialogue", "--on", "2026-07-27",
            "--set", "result=disagreement", operator="nl-xac-minh",
        )  # fmt: skip
        run(
            cli, "case", "advance", ref, "decide", "--on", "2026-08-03",
            "--set", "outcome=partly_right", "--set", "decision_no=88/QĐ-UBND", operator="nl-chu-tich",
        )  # fmt: skip
        run(
            cli,
            "case",
            "advance",
            ref,
            "send_decision",
            "--on",
            "2026-08-05",
            operator="nl-xac-minh",
        )
        run(
            cli,
            "case",
            "advance",
            ref,
            "enter_into_force",
            "--on",
            "2026-09-04",
            operator="nl-xac-minh",
        )
        run(
            cli, "case", "advance", ref, "record_enforcement", "--on", "2026-09-20",
            "--set", "measures=chi trả bổ sung", operator="nl-xac-minh",
        )  # fmt: skip
        run(cli, "case", "advance", ref, "close", "--on", "2026-09-25", operator="nl-xac-minh")
        shown = run(cli, "case", "show", ref)
        assert "state: closed" in shown
        assert "respondent: Âu Văn Yên" in shown
        assert "contested decision: QĐ 45/QĐ-UBND" in shown
        explained = run(cli, "case", "explain", ref)
        assert "complaint.accept — Accept or refuse the complaint: rule v2026.1" in explained
        assert "not v2012.1 (10 working days" in explained
        what_if = run(cli, "case", "what-if", ref, "--rule", "complaint.accept=2012.1")
        assert "nothing is written" in what_if
        assert "2026-07-16" in what_if  # 10 WD from 07-02
        listed = run(cli, "rules", "list", "--kind", "complaint")
        assert "@remote_area" in listed
        assert "2026-07-01…" in listed


def test_complaint_intake_errors_say_what_is_needed(cli: CliRunner) -> None:
    with freeze_time("2026-07-02 10:00:00+07:00"):
        run(cli, "init")
        run(cli, "org", "load", str(EXAMPLE_ORG))
        base = (
            "case", "new", "complaint", "--agency", "xa-nghi-loc", "--summary", "x",
            "--respondent-officer", "nl-chu-tich", "--by", "nl-tiep-nhan",
        )  # fmt: skip
        assert "complainant's name" in run(cli, *base, "--decision-known-on", "2026-06-01", code=2)
        assert "--decision-known-on" in run(cli, *base, "--complainant-name", "A", code=2)
        err = run(cli, *NEW_LETTER, "--disciplinary", code=2)
        assert "describe a complaint, not a denunciation" in err
        err = run(
            cli, *base, "--complainant-name", "A", "--decision-known-on", "2026-06-01",
            "--issuer-level", "president", code=2,
        )  # fmt: skip
        assert "allowed: other, provincial_chair, minister" in err
        assert run_json(cli, "case", "list") == []


def test_re_denunciation_and_takeover_from_the_command_line(cli: CliRunner) -> None:
    with freeze_time("2024-08-26 10:00:00+07:00"):
        run(cli, "init")
        run(cli, "org", "load", str(EXAMPLE_ORG))
        lower = run_json(
            cli, "case", "new", "denunciation", "--agency", "so-tnmt", "--received", "2024-07-01",
            "--summary", "Cấp phép sai", "--denouncer-name", "Nguyễn Văn Bình",
            "--denounced-name", "Công ty TNHH Cát Vàng", "--by", "tnmt-tiep-nhan",
        )["ref"]  # fmt: skip
        run(cli, "case", "advance", lower, "accept", "--on", "2024-07-04", "--by", "tnmt-xac-minh")
        err = run(
            cli, "case", "new", "denunciation", "--agency", "thanh-tra-tinh", "--received",
            "2024-08-12", "--summary", "Tố cáo tiếp", "--redenunciation-of", lower,
            "--redenunciation-ground", "late", "--denouncer-name", "Nguyễn Văn Bình", code=3,
        )  # fmt: skip
        # the original lies outside the inspectorate's reach: answered as a missing case, with
        # the rule that says where a re-denunciation goes
        assert "goes to the direct superior of the agency that handled the first" in err
        out = run(
            cli, "case", "new", "denunciation", "--agency", "ubnd-tinh", "--received",
            "2024-08-12", "--summary", "Tố cáo tiếp", "--redenunciation-of", lower,
            "--redenunciation-ground", "late", "--denouncer-name", "Nguyễn Văn Bình",
            "--by", "ubnd-tiep-nhan",
        )  # fmt: skip
        assert "(follow_up)" in out
        assert "denunciation.overdue_report_request: due 2024-08-19" in out
        superior = out.split()[1]
        run(
            cli, "case", "advance", superior, "take_over", "--on", "2024-08-26",
            "--by", "ubnd-xac-minh", "--set", "grounds=serious_violation",
            "--set", "reasons=quá hạn",
        )  # fmt: skip
        shown = run(cli, "case", "show", lower)
        assert "state: handed_over" in shown
        assert f"taken over by: {superior}" in shown
        assert f"redenunciation of: {lower}" in run(cli, "case", "show", superior)


def test_sweep_and_digest_without_now_run_as_of_the_real_clock(cli: CliRunner) -> None:
    # not frozen: the real clock moves between two readings, and neither command may trip on it
    run(cli, "init")
    assert "escalation step" in run(cli, "deadlines", "sweep")
    run(cli, "deadlines", "digest")


def test_a_letter_logged_classified_and_counted_from_the_command_line(cli: CliRunner) -> None:
    with freeze_time("2026-07-09 10:00:00+07:00"):
        run(cli, "init")
        run(cli, "org", "load", str(EXAMPLE_ORG))
        out = run(
            cli, "case", "new", "letter", "--agency", "thanh-tra-tinh", "--received", "2026-07-06",
            "--summary", "Đơn vừa khiếu nại vừa tố cáo", "--sender-name", "Trần Thị Mai",
            "--sender-address", "Hưng Nguyên", "--channel", "visit", "--by", "tt-tiep-nhan",
        )  # fmt: skip
        assert "logged DON-2026-000001 (received)" in out
        assert "letter.handle: due 2026-07-20" in out
        out = run(
            cli, "case", "new", "denunciation", "--from-letter", "DON-2026-000001",
            "--summary", "Cán bộ địa chính nhận tiền", "--denounced-name", "Lê Văn Tám",
            "--by", "tt-tiep-nhan",
        )  # fmt: skip
        assert "logged TC-2026-000001 (received)" in out  # the first denunciation of 2026
        assert "denunciation.triage: due 2026-07-15" in out  # from the letter's 07-06
        out = run(
            cli, "case", "new", "denunciation", "--agency", "thanh-tra-tinh", "--received",
            "2026-07-08", "--summary", "Lại tố cáo", "--denouncer-name", "TRAN THI MAI",
            "--denouncer-address", "hưng nguyên", "--denounced-name", "le van tam",
            "--by", "tt-tiep-nhan",
        )  # fmt: skip
        assert "same matter in TC-2026-000001; linked as a repeat" in out
        shown = run(cli, "case", "show", "DON-2026-000001")
        assert "state: classified" in shown
        assert "Đã tạo hồ sơ tố cáo từ đơn này" in shown
        counts = run_json(cli, "report", "counts", "--from", "2026-07-01", "--to", "2026-07-31")
        assert counts["kinds"] == [
            {
                "kind": "denunciation",
                "received": 2,
                "repeats": 1,
                "counted": 1,
                "by_state": {"received": 1},
            },
            {
                "kind": "letter",
                "received": 1,
                "repeats": 0,
                "counted": 1,
                "by_state": {"classified": 1},
            },
        ]


def test_complaint_facts_from_a_file_are_typed(cli: CliRunner, tmp_path: Path) -> None:
    with freeze_time("2026-07-02 10:00:00+07:00"):
        run(cli, "init")
        run(cli, "org", "load", str(EXAMPLE_ORG))
        base = (
            "agency: xa-nghi-loc\nsummary: x\ndenouncer: {full_name: A}\n"
            "denounced_officer: nl-chu-tich\nby: nl-tiep-nhan\n"
        )
        cases = {
            "complaint: {decision_known_on: 2026-06-01, second_instance_of: 123}": "must be text",
            "complaint: {decision_known_on: 2026-06-01, disciplinary: maybe}": "yes or no",
            "complaint: {decision_known_on: 2026-06-01, remote_area: yes}": "needs its reason",
        }
        for facts, error in cases.items():
            path = tmp_path / "case.yaml"
            path.write_text(base + facts + "\n", encoding="utf-8")
            assert error in run(cli, "case", "new", "complaint", "--from-file", str(path), code=2)
        path.write_text(
            base + "complaint: {decision_known_on: 2026-06-01, disciplinary: 'no'}\n",
            encoding="utf-8",
        )
        logged = run_json(cli, "case", "new", "complaint", "--from-file", str(path))
        # not disciplinary: the 90-day limitation, 06-01 + 90 = 08-30 (Sun) → Mon 08-31 is off,
        # 09-01 and 09-02 off → Thu 09-03
        assert logged["clocks"][0] == {"code": "complaint.limitation", "due": "2026-09-03"}
        assert "no rules for kind 'nope'" in run(cli, "rules", "list", "--kind", "nope", code=2)


def test_up_makes_a_first_login_once(cli: CliRunner) -> None:
    out = run(cli, "up", "--no-engine")
    found = re.search(r"first login: ubnd-quan-tri / (\S+)", out)
    assert found, out
    assert "first login" not in run(cli, "up", "--no-engine")
    users = run_json(cli, "user", "list")
    assert users == [{"username": "ubnd-quan-tri", "roles": ["admin"], "disabled": False}]


def test_cases_exported_as_csv_without_the_senders_identity(cli: CliRunner, tmp_path: Path) -> None:
    with freeze_time("2026-07-09 10:00:00+07:00"):
        run(cli, "init")
        run(cli, "org", "load", str(EXAMPLE_ORG))
        run(
            cli, "case", "new", "denunciation", "--agency", "thanh-tra-tinh", "--received",
            "2026-07-06", "--summary", "Ông Đỗ Văn Hùng báo cán bộ thu tiền",
            "--denouncer-name", "Đỗ Văn Hùng", "--denouncer-id", "040190000123",
            "--denounced-name", "Lê Văn Tám", "--by", "tt-tiep-nhan",
        )  # fmt: skip
        log_letter(cli)
        out = tmp_path / "cases.csv"
        run(cli, "report", "export", "--out", str(out))
        text = out.read_text(encoding="utf-8-sig")
        printed = run(cli, "report", "export", "--kind", "denunciation")
        bad = run(cli, "report", "export", "--kind", "gossip", "--out", str(out), code=2)
    lines = text.splitlines()
    assert lines[0].startswith("ref,kind,state,agency,handler,received_on")
    assert [line.split(",")[0] for line in lines[1:]] == ["TC-2026-000001", "TC-2026-000002"]
    assert "Nội dung tóm tắt không hiển thị" in lines[1]  # it named the sender
    assert ",x" in lines[2]
    for part in ("Hùng", "040190000123", "Lê Văn Tám"):
        assert part not in text
    assert printed.lstrip("\ufeff").splitlines() == lines
    assert "kinds: complaint, denunciation, letter, petition" in bad
    assert out.read_text(encoding="utf-8-sig") == text  # the refused export left the file alone


def test_logging_a_name_that_may_be_an_officer_says_he_is_treated_as_denounced(
    cli: CliRunner,
) -> None:
    run(cli, "up", "--no-engine")
    out = run(
        cli,
        "case", "new", "denunciation", "--agency", "thanh-tra-tinh", "--summary", "x",
        "--denouncer-name", "A", "--denounced-name", "Chủ tịch xã Đoàn Văn Uy",
        "--by", "tt-tiep-nhan",
    )  # fmt: skip
    assert "may be the officer Đoàn Văn Uy (hn-chu-tich)" in out
    assert "treated as denounced" in out


def test_every_action_names_an_authorised_officer(cli: CliRunner) -> None:
    with freeze_time("2024-03-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        ref = log_letter(cli)
        for args in (
            ("case", "new", "denunciation", "--agency", "thanh-tra-tinh", "--summary", "x"),
            ("case", "advance", ref, "triage"),
            ("case", "assign", ref, "tt-xac-minh-1"),
            ("case", "show", ref),
            ("case", "list"),
            ("escalations", "ack", "1"),
            ("report", "export"),
            ("user", "list"),
        ):
            err = run(cli, *args, code=2, operator="")
            assert "acts as a named officer: give --by OFFICER" in err, args
        err = run(cli, "case", "show", ref, "--by", "nobody-here", code=3)
        assert "nobody-here" in err
        # the administrator may not decide on a case, here as in the API
        err = run(cli, "case", "advance", ref, "triage", "--by", "ubnd-quan-tri", code=9)
        assert "may not advance a case" in err
        # reception of a commune may not reassign the provincial inspectorate's case
        err = run(cli, "case", "assign", ref, "tt-xac-minh-1", "--by", "hn-tiep-nhan", code=9)
        assert "needs: head, supervisor" in err
        err = run(cli, "user", "list", "--by", "tt-tiep-nhan", code=9)
        assert "may not administer users" in err
        history = run_json(cli, "case", "show", ref, "--by", "tt-chanh-thanh-tra")["history"]
        assert all(h["actor"] for h in history)
        # a report counts the cases of the reader's agencies only
        period = ("report", "counts", "--from", "2024-01-01", "--to", "2024-12-31")
        assert run_json(cli, *period, "--by", "hn-chu-tich")["kinds"] == []
        assert [
            k["received"] for k in run_json(cli, *period, "--by", "tt-chanh-thanh-tra")["kinds"]
        ] == [1]
        err = run(cli, "case", "list", "--agency", "nowhere", code=3)
        assert "known agencies" in err


def test_a_head_settles_a_typed_name_and_an_officer_recuses_from_the_command_line(
    cli: CliRunner,
) -> None:
    with freeze_time("2024-03-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        logged = run_json(
            cli, "case", "new", "denunciation", "--agency", "thanh-tra-tinh", "--summary", "x",
            "--denouncer-name", "A", "--denounced-name", "bà Ngô Thị Lan",
        )  # fmt: skip
        ref = logged["ref"]
        assert [c["officer"] for c in logged["candidates"]] == ["tt-xac-minh-1"]
        run(cli, "case", "show", ref, "--by", "tt-xac-minh-1", code=3)
        listed = run(cli, "case", "parties", ref, "--by", "tt-chanh-thanh-tra")
        assert "may be Ngô Thị Lan (tt-xac-minh-1)" in listed
        err = run(cli, "case", "confirm-outside", ref, code=2)
        assert "needs a reason" in err
        run(cli, "case", "confirm-outside", ref, "--reason", "trùng tên, người ở xã khác")
        run(cli, "case", "show", ref, "--by", "tt-xac-minh-1")  # cleared: he sees it now
        run(cli, "case", "assign", ref, "tt-xac-minh-1")
        run(cli, "case", "recuse", ref, "--reason", "người quen", "--by", "tt-xac-minh-1")
        run(cli, "case", "show", ref, "--by", "tt-xac-minh-1", code=3)
        view = run_json(cli, "case", "show", ref, "--by", "tt-chanh-thanh-tra")
        assert view["handler"] is None
        notices = run_json(cli, "outbox", "list")["messages"]
        assert [m["officer"] for m in notices if m["template"] == "handler.unassigned"] == [
            "tt-chanh-thanh-tra"
        ]


def test_an_administrator_lists_and_ends_a_logins_web_sessions(cli: CliRunner) -> None:
    with freeze_time("2024-03-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        run(cli, "user", "add", "tt-tiep-nhan", "--password", "mười ký tự trở lên")
        now = datetime.now(UTC)
        for client in ("10.0.0.5", "10.0.0.9"):  # signed in at two desks
            web_sessions.begin(common.casework_app(), "tt-tiep-nhan", client, now)
        listed = run_json(cli, "user", "sessions", "tt-tiep-nhan", "--by", "ubnd-quan-tri")
        assert [s["client"] for s in listed] == ["10.0.0.9", "10.0.0.5"]
        assert "10.0.0.5" in run(cli, "user", "sessions", operator="tt-tiep-nhan")  # his own
        err = run(cli, "user", "end-sessions", "tt-tiep-nhan", "--by", "tt-xac-minh-1", code=9)
        assert "may not administer users" in err
        out = run(cli, "user", "end-sessions", "tt-tiep-nhan", "--by", "ubnd-quan-tri")
        assert out.strip() == "2 session(s) of tt-tiep-nhan ended"
        assert run_json(cli, "user", "sessions", "tt-tiep-nhan", "--by", "ubnd-quan-tri") == []
        ended = run(cli, "user", "sessions", "tt-tiep-nhan", "--ended", "--by", "ubnd-quan-tri")
        assert ended.count("ended by an administrator") == 2
        admin = principal_of_officer(common.casework_app(), "ubnd-quan-tri")
        [latest] = audit_entries(common.casework_app(), admin, datetime.now(UTC), limit=1)
        assert (latest["action"], latest["actor"]) == ("user.sessions_ended", "ubnd-quan-tri")


def test_help_is_wrapped_not_cut_and_the_ports_are_named_alike(cli: CliRunner) -> None:
    for columns in ("80", "120"):
        page = cli.invoke(app, ["case", "new", "--help"], env={"COLUMNS": columns}).output
        assert not re.search(r"--[a-z-]+…", page)  # no option name cut short
        assert "--denouncer-name, --complainant-name, --sender-name" in page
        assert "[required] code of the officer" in page
    options = {
        name: cli.invoke(app, [name, "--help"], env={"COLUMNS": "100"}).output
        for name in ("up", "engine", "serve")
    }
    assert all("--port " not in page for page in options.values())
    assert "--prefect-port" in options["up"]
    assert "--prefect-port" in options["engine"]
    assert "--web-port" in options["up"]
    assert "--web-port" in options["serve"]


def test_case_show_prints_a_page_not_python_structures(cli: CliRunner) -> None:
    with freeze_time("2024-03-01 10:00:00+07:00"):
        run(cli, "up", "--no-engine")
        ref = log_letter(cli)
        for shown in (
            run(cli, "case", "show", ref, "--by", "tt-chanh-thanh-tra"),
            run(cli, "case", "show", ref, "--reveal-identity", "--by", "tt-chanh-thanh-tra"),
        ):
            assert "{" not in shown
            assert "'" not in shown.replace("'ĐẾN'", "")
        assert "  denouncer: A" in shown


def test_a_case_file_says_anonymous_only_with_yes(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "up", "--no-engine")
    base = "agency: thanh-tra-tinh\nsummary: x\ndenounced_name: Lê Văn C\nreceived: 2024-03-01\n"
    for value, code, said in (
        ('"false"', 2, "a denunciation needs the denouncer's name"),
        ("maybe", 2, "the case file's anonymous must be yes or no, not 'maybe'"),
    ):
        path = tmp_path / "case.yaml"
        path.write_text(base + f"anonymous: {value}\n", encoding="utf-8")
        err = run(cli, "case", "new", "denunciation", "--from-file", str(path), code=code)
        assert said in err
    path.write_text(base + "anonymous: yes\n", encoding="utf-8")
    assert run_json(cli, "case", "new", "denunciation", "--from-file", str(path))["state"] == (
        "intelligence"
    )


def test_a_delivery_run_that_fails_says_so_with_its_exit_code_and_whole_reasons(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 25: `outbox deliver` exits 15 when notices were left undelivered, and `outbox
    list` shows each reason whole."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on: the mail server is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run(cli, "up", "--no-engine")
    run(cli, *NEW_LETTER, "--received", "2024-02-01")
    assert "0 notices" not in run(cli, "deadlines", "sweep", "--now", "2024-03-01T08:00")
    monkeypatch.setenv("CASEWORK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASEWORK_SMTP_PORT", str(port))
    monkeypatch.setenv("CASEWORK_SMTP_SECURITY", "none")
    common.reset_casework_app()
    refused = run(cli, "outbox", "deliver", "--now", "2099-01-01T00:00", code=15)
    assert "not delivered" in refused
    assert f"cannot reach smtp://127.0.0.1:{port}" in refused
    listed = run(cli, "outbox", "list")
    assert "last errors:" in listed
    assert f"cannot reach smtp://127.0.0.1:{port} (none):" in listed
