"""Definitions are cross-checked when loaded (issue 23): a misspelt guard, fact, clock, field
or trigger in a copied folder fails with its file and line, and `casework rules check` says
so before the folder is put in use."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casework.adapters.definitions import load_definitions
from casework.domain.errors import ConfigurationError
from casework.domain.facts import DERIVED_FACTS, case_facts
from casework.entrypoints.cli.main import app
from casework.resources import state_machines_dir


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "definitions"
    shutil.copytree(state_machines_dir(), copy)
    return copy


def _spoil(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in `path` by `new`; returns its line number."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def _problems(folder: Path) -> str:
    with pytest.raises(ConfigurationError) as refused:
        load_definitions(folder)
    return str(refused.value)


def _line_of_mapping_around(path: Path, line: int) -> int:
    """The line where the transition holding `line` starts (`- trigger: …`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    while not lines[line - 1].lstrip().startswith("- trigger:"):
        line -= 1
    return line


def test_the_shipped_definitions_pass() -> None:
    assert set(load_definitions(state_machines_dir()).lifecycles) == {
        "complaint",
        "denunciation",
        "letter",
        "petition",
    }


@pytest.mark.parametrize(
    ("file", "old", "new", "said"),
    [
        ("denunciation.yaml", "has_handler", "has_handlr", "'has_handlr' is no guard (did you mean 'has_handler'?)"),
        ("denunciation.yaml", "clock_running:denunciation.referral", "clock_running:denunciation.referal", "no deadline rule for clock denunciation.referal"),
        ("complaint.yaml", "in_force_from:2026-07-01", "in_force_from:2026-13-01", "'2026-13-01' is not a date"),
        ("complaint.yaml", "duty_done:complaint.send_first_decision:send_decision", "duty_done:complaint.send_first_decision:send_decison", "'send_decison' is not a trigger"),
        ("letter.yaml", "field_when:duplicate_of:ground=duplicate", "field_when:duplicate_of:ground=duplicat", "'duplicat' is not a choice of ground"),
        ("complaint.yaml", "reached:dialogue_on", "reached:dialog_on", "no step records 'dialog_on'"),
        ("denunciation.yaml", "dest: inspection", "dest: inspecton", "'inspecton' is no state of the lifecycle (did you mean 'inspection'?)"),
        ("petition.yaml", "stop: [petition.resolve]", "stop: [petition.resolv]", "clocks: 'petition.resolv' is no clock with a deadline rule"),
        ("complaint.yaml", "about: suspend", "about: suspnd", "about: 'suspnd' is no trigger of the lifecycle (did you mean 'suspend'?)"),
    ],
)  # fmt: skip
def test_a_misspelt_name_in_a_lifecycle_is_named_with_its_file_and_line(
    folder: Path, file: str, old: str, new: str, said: str
) -> None:
    path = folder / file
    line = _line_of_mapping_around(path, _spoil(path, old, new))
    problems = _problems(folder)
    assert f"{path}:{line}: trigger " in problems
    assert said in problems


def test_a_misspelt_fact_would_have_kept_a_clock_from_starting(folder: Path) -> None:
    path = folder / "rules" / "complaint.yaml"
    _spoil(path, "when: [remote_area]", "when: [remote_aera]")
    assert re.search(
        rf"{re.escape(str(path))}:\d+: rule complaint\.\S+: a variant's when: 'remote_aera' is "
        r"no fact of a case \(did you mean 'remote_area'\?\)",
        _problems(folder),
    )
    lifecycle = folder / "denunciation.yaml"
    _spoil(lifecycle, "anonymous|redenunciation", "anonymous|redenunciaton")
    assert "unless: 'redenunciaton' is no fact of a denunciation" in _problems(folder)


def test_every_problem_is_reported_at_once(folder: Path) -> None:
    _spoil(folder / "denunciation.yaml", "has_handler", "has_handlr")
    _spoil(folder / "rules" / "complaint.yaml", "when: [remote_area]", "when: [remote_aera]")
    assert len(_problems(folder).splitlines()) >= 2


def test_rules_check_names_the_problems_or_says_the_folder_is_sound(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_HOME", str(tmp_path))
    runner = CliRunner()
    sound = runner.invoke(app, ["rules", "check", str(folder)])
    assert sound.exit_code == 0, sound.output
    assert "4 lifecycles" in sound.output
    assert "every name they use is defined" in sound.output
    _spoil(
        folder / "petition.yaml",
        "clock_running:petition.forwarder_report",
        "clock_running:petition.forwarder_reprt",
    )
    spoilt = runner.invoke(app, ["rules", "check", str(folder)])
    assert spoilt.exit_code == 8
    assert f"{folder / 'petition.yaml'}:" in spoilt.output
    assert "petition.forwarder_reprt" in spoilt.output
    missing = runner.invoke(app, ["rules", "check", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
    assert "is not a folder" in missing.output


def test_the_derived_facts_are_the_ones_a_case_gives() -> None:
    assert set(case_facts({}, "received", None)) == set(DERIVED_FACTS)


def test_a_rule_file_that_repeats_the_lifecycle_is_told_where_it_is_stated(folder: Path) -> None:
    path = folder / "rules" / "petition.yaml"
    _spoil(
        path,
        "    effective_from: 2014-07-01\n",
        "    effective_from: 2014-07-01\n    start_events: [log]\n",
    )
    problems = _problems(folder)
    assert f"{path}:" in problems
    assert (
        "start_events: when a clock starts, stops or pauses is stated by the lifecycle" in problems
    )


def test_a_rule_no_step_starts_is_named(folder: Path) -> None:
    _spoil(
        folder / "petition.yaml",
        "        - {clock: petition.forwarder_report, when: forwarded_by_authority}\n",
        "",
    )
    assert "rule petition.forwarder_report: no step of the petition lifecycle starts its clock" in (
        _problems(folder)
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "said"),
    [
        # the limitation would never start: a late complaint accepted as in time
        ("complaint.yaml", "attribute:decision_known_on", "attribute:decision_know_on", "anchor: 'decision_know_on' is no date a case records (did you mean 'decision_known_on'?)"),
        # a takeover that never hands the original over: it stays overdue, escalating
        ("denunciation.yaml", "case: redenunciation_of", "case: redenunciaton_of", "linked: 'redenunciaton_of' is no link to another case (did you mean 'redenunciation_of'?)"),
        # every intake refused at run time
        ("rules/complaint.yaml", "escalation: none", "escalation: nnone", "escalation: 'nnone' is no ladder (did you mean 'none'?)"),
        ("rules/complaint.yaml", "code: complaint.accept", "code: complain.accept", "'complain' is no kind of case (did you mean 'complaint'?)"),
    ],
)  # fmt: skip
def test_a_name_that_breaks_a_clock_only_at_run_time_is_caught_when_loaded(
    folder: Path, file: str, old: str, new: str, said: str
) -> None:
    path = folder / file
    _spoil(path, old, new)
    problems = _problems(folder)
    assert said in problems
    assert re.search(rf"{re.escape(str(path))}:\d+: ", problems)


def test_each_kind_numbers_its_own_register_under_a_prefix_that_reads_back(folder: Path) -> None:
    path = folder / "petition.yaml"
    _spoil(path, "reference_prefix: KNPA", "reference_prefix: KN")
    assert f"{path}: reference_prefix 'KN' is already the complaints'" in _problems(folder)
    _spoil(path, "reference_prefix: KN", "reference_prefix: Kn-2")
    assert "reference_prefix 'Kn-2': two to eight capital letters" in _problems(folder)
