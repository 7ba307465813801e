"""People named as a reception desk really types them, resolved to officers, and the officers
each case excludes (domain/people.py, domain/parties.py; issue 20)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from casework.adapters.organisation_file import load_organisation
from casework.domain.access import Principal
from casework.domain.organisation import Organisation, Role
from casework.domain.parties import (
    Exclusion,
    Party,
    PartyKind,
    PartyRole,
    excluded_officers,
    resolve_party,
)
from casework.domain.people import officers_named
from casework.domain.visibility import CaseFacts, case_access

pytestmark = pytest.mark.unit

EXAMPLE_ORG = Path(__file__).resolve().parents[2] / "examples" / "org.yaml"
DAY = date(2026, 12, 1)
ACTING_DAY = date(2026, 12, 24)  # tt-pho-chanh-thanh-tra acts for the Chánh Thanh tra


@pytest.fixture(scope="module")
def org() -> Organisation:
    return load_organisation(EXAMPLE_ORG)


def named(org: Organisation, text: str, on: date = DAY) -> list[str]:
    return [o.code for o in officers_named(org, text, on)]


@pytest.mark.parametrize(
    "typed",
    [
        "Đoàn Văn Uy",
        "ông Đoàn Văn Uy",
        "Ông ĐOÀN VĂN UY",
        "Chủ tịch xã Đoàn Văn Uy",
        "đồng chí Đoàn Văn Uy, Chủ tịch UBND xã",
        "Uy Đoàn Văn",
        "doan van uy",
        "Ｄoàn Văn Uy",  # a fullwidth letter (NFKC)
        "Đoàn\u200b Văn Uy",  # a zero-width space
    ],
)
def test_an_officer_is_recognised_however_his_name_is_typed(org: Organisation, typed: str) -> None:
    assert named(org, typed) == ["hn-chu-tich"]


def test_a_description_after_the_name_is_ignored(org: Organisation) -> None:
    assert named(org, "ông Lê Văn Minh, thanh tra viên") == ["tt-xac-minh-2"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Chủ tịch UBND xã Hưng Nguyên", ["hn-chu-tich"]),
        ("Chủ tịch Ủy ban nhân dân xã Hưng Nguyên", ["hn-chu-tich"]),
        ("Phó Chủ tịch UBND xã Hưng Nguyên", ["hn-pho-chu-tich"]),
        ("Giám đốc Sở Xây dựng", ["xd-giam-doc"]),
        ("Thủ trưởng Sở Tài nguyên và Môi trường", ["tnmt-giam-doc"]),
    ],
)
def test_a_post_without_a_name_means_whoever_held_it(
    org: Organisation, typed: str, expected: list[str]
) -> None:
    assert named(org, typed) == expected


def test_a_post_includes_the_acting_head_of_the_received_date(org: Organisation) -> None:
    text = "Chánh Thanh tra tỉnh Nghệ An"
    assert named(org, text, DAY) == ["tt-chanh-thanh-tra"]
    assert named(org, text, ACTING_DAY) == ["tt-chanh-thanh-tra", "tt-pho-chanh-thanh-tra"]


@pytest.mark.parametrize(
    ("typed", "officers"),
    [
        # the officer's own title as the organisation records it, with no place
        ("Chánh Thanh tra tỉnh", ["tt-chanh-thanh-tra"]),
        ("Chủ tịch UBND tỉnh", ["ubnd-chu-tich"]),
        ("Phó Chủ tịch UBND tỉnh", ["ubnd-pho-chu-tich"]),
        # a title that several hold, and no place or name: each of them
        ("Chủ tịch xã", ["hn-chu-tich", "nl-chu-tich"]),
        # abbreviations of posts and of places
        ("PCT UBND xã Hưng Nguyên", ["hn-pho-chu-tich"]),
        ("Giám đốc Sở TNMT", ["tnmt-giam-doc"]),
        # a name run together or with initials, an email
        ("NgôThịLan", ["tt-xac-minh-1"]),
        ("Ngô T. Lan", ["tt-xac-minh-1"]),
        ("Trần Q. Dũng", ["tt-chanh-thanh-tra"]),
        ("lan.nt@thanhtra.nghean.example", ["tt-xac-minh-1"]),
        # a name settles which of those holding a title is meant
        ("Chủ tịch xã Đoàn Văn Uy", ["hn-chu-tich"]),
        # an agency named without a post: any of its staff (and only its own organ's: the
        # inspectorate and the committee are both "tỉnh Nghệ An")
        ("UBND xã Hưng Nguyên", ["hn-chu-tich", "hn-pho-chu-tich", "hn-tiep-nhan", "hn-xac-minh"]),
        (
            "Thanh tra tỉnh Nghệ An",
            [
                "tt-chanh-thanh-tra",
                "tt-pho-chanh-thanh-tra",
                "tt-tiep-nhan",
                "tt-xac-minh-1",
                "tt-xac-minh-2",
            ],
        ),
    ],
)
def test_titles_abbreviations_and_initials_make_candidates(
    org: Organisation, typed: str, officers: list[str]
) -> None:
    assert named(org, typed) == officers


@pytest.mark.parametrize("typed", ["Uy", "ông Uy", "An ninh xã", "Nguyễn Văn Bình", ""])
def test_a_single_name_or_another_person_names_no_officer(org: Organisation, typed: str) -> None:
    assert named(org, typed) == []


def exclusions(org: Organisation, *parties: Party, kind: str = "denunciation") -> dict[str, str]:
    return {k: v.value for k, v in excluded_officers(org, kind, parties, DAY).reasons.items()}


def denounced(org: Organisation, **described: str) -> Party:
    return resolve_party(org, PartyRole.DENOUNCED, DAY, **described)


def test_a_typed_name_keeps_its_candidates_excluded_until_a_head_clears_them(
    org: Organisation,
) -> None:
    party = denounced(org, name="ông Đoàn Văn Uy")
    assert party.kind == PartyKind.PERSON
    assert party.candidates == ("hn-chu-tich",)
    excluded = exclusions(org, party)
    assert excluded["hn-chu-tich"] == Exclusion.CANDIDATE
    # he heads the commune: its staff answer to him and are excluded with him
    assert {"hn-pho-chu-tich", "hn-tiep-nhan", "hn-xac-minh"} <= set(excluded)
    cleared = Party(
        party.role,
        party.kind,
        party.name,
        candidates=party.candidates,
        outside_confirmed_by="tt-chanh-thanh-tra",
    )
    assert exclusions(org, cleared) == {}


def test_a_relative_named_with_a_description_is_excluded(org: Organisation) -> None:
    # tt-xac-minh-2 declared a sibling "Lê Văn Cường", who is not an officer
    excluded = exclusions(org, denounced(org, name="ông Lê Văn Cường, cán bộ địa chính"))
    assert excluded == {"tt-xac-minh-2": Exclusion.RELATIVE}
    assert exclusions(org, denounced(org, name="Cuong Le Van")) == excluded


def test_a_denounced_officer_excludes_his_declared_relatives_and_his_staff(
    org: Organisation,
) -> None:
    excluded = exclusions(org, denounced(org, officer="xd-giam-doc"))
    assert excluded["xd-giam-doc"] == Exclusion.DENOUNCED
    assert excluded["tnmt-xac-minh"] == Exclusion.RELATIVE  # his declared spouse
    assert excluded["xd-xac-minh"] == Exclusion.DENOUNCED_AGENCY
    assert "tt-chanh-thanh-tra" not in excluded


def test_a_denounced_agency_excludes_its_head_and_officers(org: Organisation) -> None:
    party = denounced(org, agency="xa-hung-nguyen")
    assert party.kind == PartyKind.AGENCY
    excluded = exclusions(org, party)
    assert set(excluded) == {"hn-chu-tich", "hn-pho-chu-tich", "hn-tiep-nhan", "hn-xac-minh"}


def test_a_complaints_respondent_is_identified_but_never_excluded(org: Organisation) -> None:
    party = resolve_party(org, PartyRole.RESPONDENT, DAY, name="Chủ tịch UBND xã Hưng Nguyên")
    assert party.candidates == ("hn-chu-tich",)
    assert exclusions(org, party, kind="complaint") == {}


def test_a_recusal_excludes_whatever_the_kind(org: Organisation) -> None:
    result = excluded_officers(org, "complaint", [], DAY, recused=["hn-xac-minh"])
    assert dict(result.reasons) == {"hn-xac-minh": Exclusion.RECUSED}


def facts(org: Organisation, excluded: dict[str, str], **values: str | None) -> CaseFacts:
    base: dict[str, str | None] = {
        "kind": "denunciation",
        "agency": "xa-hung-nguyen",
        "logged_by": "hn-tiep-nhan",
        "handler": None,
    }
    base.update(values)
    return CaseFacts(
        ref="TC-2026-000001",
        kind=str(base["kind"]),
        agency=str(base["agency"]),
        logged_by=base["logged_by"],
        handler=base["handler"],
        excluded=frozenset(excluded),
    )


def principal(org: Organisation, code: str) -> Principal:
    officer = org.officer(code)
    return Principal(code, officer.agency, frozenset(officer.roles))


def test_the_policy_hides_a_case_from_everyone_it_excludes(org: Organisation) -> None:
    excluded = exclusions(org, denounced(org, name="Chủ tịch xã Đoàn Văn Uy"))
    case = facts(org, excluded)
    for code in excluded:
        access = case_access(org, principal(org, code), case, DAY)
        assert (access.exists, access.content, access.identity) == (False, False, False), code
    # the province's chief, above the commune, sees the case and — as no head of the
    # resolving agency — not the identity
    above = case_access(org, principal(org, "ubnd-chu-tich"), case, DAY)
    assert above.exists
    assert not above.identity


def test_the_policy_fails_closed_without_a_known_viewer(org: Organisation) -> None:
    case = facts(org, {})
    assert not case_access(org, None, case, DAY).exists
    stranger = Principal("nobody", "xa-hung-nguyen", frozenset({Role.HEAD}))
    assert not case_access(org, stranger, case, DAY).exists


def test_the_identity_goes_to_the_logger_and_the_head_in_post(org: Organisation) -> None:
    case = facts(org, {}, agency="thanh-tra-tinh", logged_by="tt-tiep-nhan")
    for code, sees in [
        ("tt-tiep-nhan", True),
        ("tt-chanh-thanh-tra", True),
        ("tt-xac-minh-1", False),
        ("ubnd-chu-tich", False),
    ]:
        assert case_access(org, principal(org, code), case, DAY).identity is sees, code
    # while the deputy acts as head, he is the head in post, and the absent head is not
    assert case_access(org, principal(org, "tt-pho-chanh-thanh-tra"), case, ACTING_DAY).identity
    assert not case_access(org, principal(org, "tt-chanh-thanh-tra"), case, ACTING_DAY).identity
