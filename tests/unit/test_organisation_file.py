"""The organisation file (casework.adapters.organisation_file) and the example province.

The example `examples/org.yaml` is what the README, the CLI tests and the integration tests
rely on; the checks here pin its shape (codes, heads, the tree) and the conflict-of-interest
bar (ND31 Art. 10(3)) on its declared relations. The error tests write small broken files and
check that each message names the file, the entry and what is allowed.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml

from casework.adapters.holiday_calendar import VietnamCalendar
from casework.adapters.organisation_file import load_organisation, organisation_to_dict
from casework.domain.errors import ConfigurationError
from casework.domain.organisation import Kinship, Organisation, Role

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_ORG = REPO_ROOT / "examples" / "org.yaml"
EXAMPLE_CALENDAR = REPO_ROOT / "examples" / "agency-calendar.yaml"

AGENCIES = {
    "ubnd-tinh",
    "thanh-tra-tinh",
    "so-tnmt",
    "so-xay-dung",
    "xa-hung-nguyen",
    "xa-nghi-loc",
}


@pytest.fixture(scope="module")
def org() -> Organisation:
    return load_organisation(EXAMPLE_ORG)


# --------------------------------------------------------------------------------------------
# The example province
# --------------------------------------------------------------------------------------------


def test_example_has_the_documented_agencies(org: Organisation) -> None:
    assert set(org.agencies) == AGENCIES
    assert org.name


def test_example_tree_has_the_province_at_the_root(org: Organisation) -> None:
    assert org.agency("ubnd-tinh").superior is None
    for code in AGENCIES - {"ubnd-tinh"}:
        # departments, the inspectorate and (after the 2025 reform) communes report to the province
        assert org.agency(code).superior == "ubnd-tinh", code
    for code in AGENCIES:
        assert org.agency(code).inspectorate == "thanh-tra-tinh", code


def test_example_heads(org: Organisation) -> None:
    expected = {
        "ubnd-tinh": "ubnd-chu-tich",
        "thanh-tra-tinh": "tt-chanh-thanh-tra",
        "so-tnmt": "tnmt-giam-doc",
    }
    for agency, code in expected.items():
        head = org.head_of(agency)
        assert head is not None, agency
        assert head.code == code
    assert org.head_of(None) is None
    assert org.head_of("no-such-agency") is None


@pytest.mark.parametrize("code", sorted(AGENCIES))
def test_every_agency_is_staffed(org: Organisation, code: str) -> None:
    agency = org.agency(code)
    assert agency.head is not None
    assert len(agency.deputies) in (1, 2)
    staff = [o for o in org.officers.values() if o.agency == code]
    head = org.officer(agency.head)
    assert head.agency == code
    assert {Role.HEAD, Role.SUPERVISOR} <= set(head.roles)
    for deputy in agency.deputies:
        assert org.officer(deputy).agency == code
    assert any(Role.RECEPTION in o.roles for o in staff)
    assert sum(Role.HANDLER in o.roles for o in staff) in (1, 2)


def test_example_named_officers(org: Organisation) -> None:
    expected = {
        "tt-tiep-nhan": ("thanh-tra-tinh", Role.RECEPTION),
        "tt-xac-minh-1": ("thanh-tra-tinh", Role.HANDLER),
        "tt-xac-minh-2": ("thanh-tra-tinh", Role.HANDLER),
        "tt-chanh-thanh-tra": ("thanh-tra-tinh", Role.HEAD),
        "ubnd-chu-tich": ("ubnd-tinh", Role.HEAD),
        "tnmt-giam-doc": ("so-tnmt", Role.HEAD),
        "tnmt-xac-minh": ("so-tnmt", Role.HANDLER),
    }
    for code, (agency, role) in expected.items():
        officer = org.officer(code)
        assert officer.agency == agency, code
        assert role in officer.roles, code
        assert officer.name, code
        assert officer.email.endswith(".example"), code


def test_example_has_exactly_one_admin(org: Organisation) -> None:
    assert len([o for o in org.officers.values() if Role.ADMIN in o.roles]) == 1


def test_example_officer_emails_are_unique(org: Organisation) -> None:
    emails = [o.email for o in org.officers.values()]
    assert len(set(emails)) == len(emails)


def test_example_relations(org: Organisation) -> None:
    by_officer = {(r.officer, r.kinship): r for r in org.relations}
    sibling = by_officer[("tt-xac-minh-2", Kinship.SIBLING)]
    assert sibling.person_name == "Lê Văn Cường"
    assert any(r.person_officer is not None for r in org.relations)


# --------------------------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------------------------


def test_to_dict_round_trips(org: Organisation, tmp_path: Path) -> None:
    data = organisation_to_dict(org)
    assert {a["code"] for a in data["agencies"]} == AGENCIES
    again = tmp_path / "again.yaml"
    again.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_organisation(again) == org


# --------------------------------------------------------------------------------------------
# Errors for bad files
# --------------------------------------------------------------------------------------------

GOOD = """\
name: Test
agencies:
  - {code: a, name: Agency A, kind: department, head: o-head, deputies: [], superior: null}
officers:
  - {code: o-head, name: Nguyễn Văn An, agency: a, roles: [head, supervisor]}
  - {code: o-two, name: Trần Thị Bình, agency: a, roles: [handler]}
relations:
  - {officer: o-two, kinship: spouse, person_officer: o-head}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError) as info:
        load_organisation(path)
    message = str(info.value)
    assert str(path) in message, message
    return message


def test_the_minimal_good_file_loads(tmp_path: Path) -> None:
    org = load_organisation(write(tmp_path, GOOD))
    assert org.officer("o-two").roles == (Role.HANDLER,)
    assert org.relations[0].kinship is Kinship.SPOUSE


def test_unknown_role_lists_the_allowed_roles(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("roles: [handler]", "roles: [handler, boss]"))
    assert "officer #2 (o-two)" in message
    assert "'boss'" in message
    assert "reception, handler, head, supervisor, admin" in message


def test_unknown_kinship_lists_the_allowed_ones(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("kinship: spouse", "kinship: cousin"))
    assert "relation #1 (o-two)" in message
    assert "'cousin'" in message
    assert "spouse, parent, child, sibling, parent_in_law, child_in_law, direct_interest" in message


@pytest.mark.parametrize(
    ("old", "new", "entry", "missing"),
    [
        ("kind: department, ", "", "agency #1 (a)", "kind"),
        ("name: Trần Thị Bình, ", "", "officer #2 (o-two)", "name"),
        ("roles: [handler]", "roles: []", "officer #2 (o-two)", "roles"),
        ("kinship: spouse, ", "", "relation #1 (o-two)", "kinship"),
    ],
)
def test_missing_keys_are_named(
    tmp_path: Path, old: str, new: str, entry: str, missing: str
) -> None:
    message = refused(tmp_path, GOOD.replace(old, new))
    assert entry in message
    assert f"missing required key(s) {missing}" in message


def test_missing_code_is_named_by_position(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("{code: o-two, ", "{"))
    assert "officer #2" in message
    assert "missing required key(s) code" in message
    assert "code, name, agency, roles" in message


def test_relation_needs_a_person(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace(", person_officer: o-head", ""))
    assert "relation #1" in message
    assert "person_name" in message
    assert "person_officer" in message


def test_unknown_key_lists_the_allowed_keys(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("kind: department", "kind: department, boss: x"))
    assert "agency #1 (a): unknown key(s) boss" in message
    assert "code, name, kind, head, deputies, inspectorate, superior" in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD + "staff: []\n")
    assert "unknown top-level key(s) staff" in message
    assert "name, agencies, officers, relations" in message


def test_duplicate_agency_code(tmp_path: Path) -> None:
    text = GOOD.replace(
        "officers:", "  - {code: a, name: Agency A again, kind: department}\nofficers:"
    )
    message = refused(tmp_path, text)
    assert "agency code 'a' is declared twice (entries #1 and #2)" in message


def test_duplicate_officer_code(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("{code: o-two,", "{code: o-head,"))
    assert "officer code 'o-head' is declared twice (entries #1 and #2)" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "head: o-head",
            "head: o-ghost",
            "agency #1 (a): head 'o-ghost' is not a declared officer",
        ),
        ("deputies: []", "deputies: [o-ghost]", "deputy 'o-ghost' is not a declared officer"),
        ("superior: null", "superior: b", "superior 'b' is not a declared agency; agencies: a"),
        (
            "agency: a, roles: [handler]",
            "agency: b, roles: [handler]",
            "officer #2 (o-two): agency 'b'",
        ),
        ("{officer: o-two,", "{officer: o-ghost,", "relation #1 (o-ghost): officer 'o-ghost'"),
        ("person_officer: o-head", "person_officer: o-ghost", "person_officer 'o-ghost'"),
    ],
)
def test_undeclared_references_are_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    assert expected in refused(tmp_path, GOOD.replace(old, new))


def test_superior_loop(tmp_path: Path) -> None:
    text = GOOD.replace("superior: null", "superior: b").replace(
        "officers:", "  - {code: b, name: Agency B, kind: department, superior: a}\nofficers:"
    )
    assert "superior chain loops" in refused(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "expected a mapping"),
        ("- just a list\n", "expected a mapping"),
        ("name: x\nagencies: []\n", "declare at least one agency"),
        ("agencies: {code: a}\n", "'agencies' must be a list"),
        ("agencies:\n  - just-a-code\n", "agencies entry #1 must be a mapping"),
        ("agencies: [\n", "is not valid YAML"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refused(tmp_path, text)


def test_non_text_values_are_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("name: Agency A", "name: 2024"))
    assert "agency #1 (a): name must be text, got 2024" in message


def test_roles_must_be_a_list(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("roles: [handler]", "roles: handler"))
    assert "officer #2 (o-two): roles must be a list of codes" in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigurationError, match="cannot read organisation file"):
        load_organisation(path)


# --------------------------------------------------------------------------------------------
# The example agency calendar
# --------------------------------------------------------------------------------------------


def test_example_agency_calendar_adds_to_the_national_one() -> None:
    cal = VietnamCalendar.from_file(EXAMPLE_CALENDAR)
    assert not cal.is_working_day(date(2026, 10, 20))  # Tuesday, storm closure
    assert "storm" in cal.describe(date(2026, 10, 20))
    assert date(2026, 10, 31).weekday() == 5
    assert cal.is_working_day(date(2026, 10, 31))  # make-up Saturday
    assert not cal.is_working_day(date(2026, 9, 2))  # National Day still comes from holidays.VN
