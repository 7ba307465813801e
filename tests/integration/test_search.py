"""Finding cases (issue 27): by reference, by names typed with or without diacritics, by part
of the summary, on both stores; by the sender's name only for those who may see the sender;
never a case that does not exist for the searcher."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from tests.api.test_policy_everywhere import EXCLUDED, SUMMARY
from tests.conftest import at

from casework.adapters.case_search import CASES, identity_clause
from casework.adapters.case_visibility import visibility_rows
from casework.domain.errors import InvalidInput
from casework.domain.visibility import CaseFacts, identity_reach
from casework.services.app import Casework
from casework.services.authorisation import scoped_filter
from casework.services.case_views import CaseFilter, list_cases
from casework.services.complaint_intake import ComplaintFacts
from casework.services.intake import Denouncer, LogCase, log_case
from casework.services.users import principal_of_officer

pytestmark = pytest.mark.integration

NOW = at("2024-03-01")
LETTER = LogCase(
    kind="denunciation",
    agency="thanh-tra-tinh",
    received_on=date(2024, 3, 1),
    summary="Cán bộ địa chính thu tiền trái quy định khi cấp sổ đỏ",
    denounced_name="Lê Văn Cường",
    denouncer=Denouncer("Phạm Thị Hoa", "Vinh, Nghệ An"),
    logged_by="tt-tiep-nhan",
)


def found(app: Casework, officer: str, search: str, **filters: object) -> list[str]:
    principal = principal_of_officer(app, officer)
    chosen = CaseFilter(search=search, **filters)  # type: ignore[arg-type]
    return [row["ref"] for row in list_cases(app, scoped_filter(app, principal, chosen), NOW)]


@pytest.fixture
def logged(app: Casework) -> dict[str, str]:
    refs = {"denunciation": log_case(app, LETTER, NOW).ref}
    refs["other"] = log_case(
        app,
        replace(
            LETTER,
            summary="Xây nhà trái phép trên đất nông nghiệp",
            denounced_name="Nguyễn Thị Mai",
            denouncer=Denouncer("Trần Văn Bình"),
        ),
        NOW,
    ).ref
    refs["complaint"] = log_case(
        app,
        replace(
            LETTER,
            kind="complaint",
            summary="Khiếu nại quyết định thu hồi đất",
            denounced_name="Chủ tịch UBND xã Hưng Lộc",
            denouncer=Denouncer("Đỗ Đức Long"),
            complaint=ComplaintFacts(
                decision_known_on=date(2024, 2, 20), contested_decision="Quyết định 15/QĐ-UBND"
            ),
        ),
        NOW,
    ).ref
    return refs


def test_a_name_is_found_with_or_without_diacritics(app: Casework, logged: dict[str, str]) -> None:
    mine = logged["denunciation"]
    for typed in ("Lê Văn Cường", "le van cuong", "LE VAN CUONG", "cuong", "Cường Lê", "le  cuong"):
        assert found(app, "tt-chanh-thanh-tra", typed) == [mine], typed
    assert found(app, "tt-chanh-thanh-tra", "nguyen thi mai") == [logged["other"]]
    assert found(app, "tt-chanh-thanh-tra", "Lê Văn Cường Mai") == []


def test_part_of_the_summary_a_reference_or_a_decision_finds_the_case(
    app: Casework, logged: dict[str, str]
) -> None:
    mine = logged["denunciation"]
    assert found(app, "tt-chanh-thanh-tra", "địa chính") == [mine]
    assert found(app, "tt-chanh-thanh-tra", "so do") == [mine]  # "sổ đỏ", short words
    assert sorted(found(app, "tt-chanh-thanh-tra", "trai")) == sorted([mine, logged["other"]])
    assert found(app, "tt-chanh-thanh-tra", mine) == [mine]
    # a part of a reference: each series numbers from 1
    assert found(app, "tt-chanh-thanh-tra", "000002") == [logged["other"]]
    assert sorted(found(app, "tt-chanh-thanh-tra", "000001")) == [logged["complaint"], mine]
    assert found(app, "tt-chanh-thanh-tra", "15/QĐ-UBND") == [logged["complaint"]]
    assert found(app, "tt-chanh-thanh-tra", "ngân sách") == []
    # a search combines with the filters
    assert found(app, "tt-chanh-thanh-tra", "đất", kind="complaint") == [logged["complaint"]]
    assert found(app, "tt-chanh-thanh-tra", "   ") != []  # nothing typed: no search


def test_the_sender_is_found_by_name_only_by_who_may_see_him(
    app: Casework, logged: dict[str, str]
) -> None:
    mine = logged["denunciation"]
    # a denunciation's sender: the reception officer who logged it and the head
    assert found(app, "tt-tiep-nhan", "pham thi hoa") == [mine]
    assert found(app, "tt-chanh-thanh-tra", "Phạm Thị Hoa") == [mine]
    # the handler sees the case, not its sender: the name finds nothing, not even a count
    assert found(app, "tt-xac-minh-1", "pham thi hoa") == []
    assert found(app, "tt-xac-minh-1", "cuong") == [mine]
    # whole words of the name only: its digests cannot be searched by a part
    assert found(app, "tt-chanh-thanh-tra", "pha") == []
    # a complaint's sender: every officer of the resolving agency
    assert found(app, "tt-xac-minh-1", "do duc long") == [logged["complaint"]]


def test_a_search_finds_nothing_the_policy_hides(app: Casework) -> None:
    for denounced, officer in EXCLUDED.values():
        ref = log_case(app, replace(LETTER, summary=SUMMARY, **denounced), NOW).ref  # type: ignore[arg-type]
        assert ref in found(app, "ubnd-chu-tich", "bi mat")  # it exists, for another
        assert ref not in found(app, officer, "bi mat"), denounced
        assert ref not in found(app, officer, "BÍ-MẬT thu tiền"), denounced
        assert ref not in found(app, officer, "pham thi hoa"), denounced
    # outside the searcher's agencies, nothing either
    assert found(app, "tnmt-giam-doc", "bi mat") == []


def test_a_search_too_long_is_refused_with_what_is_allowed(app: Casework) -> None:
    with pytest.raises(InvalidInput, match="at most 8 words"):
        found(app, "tt-chanh-thanh-tra", "a b c d e f g h i")
    with pytest.raises(InvalidInput, match="at most 200 characters"):
        found(app, "tt-chanh-thanh-tra", "x" * 201)


def test_the_sql_of_whose_senders_one_may_see_is_the_policy(
    app: Casework, logged: dict[str, str]
) -> None:
    """`identity_clause` (SQL) and `IdentityReach.covers` (Python) give one answer."""
    with app.reading() as session:
        connection = session.connection()
        org = app.organisation(connection)
        rows = visibility_rows(connection, refs=logged.values())
        for officer in sorted(org.officers):
            reach = identity_reach(org, officer, NOW.date())
            in_sql = set(
                connection.execute(
                    select(CASES.c.reference).where(identity_clause(reach))
                ).scalars()
            )
            in_python = {
                row.reference
                for row in rows
                if reach.covers(
                    CaseFacts(
                        row.reference, row.kind, row.agency, row.logged_by, row.handler, frozenset()
                    )
                )
            }
            assert in_sql == in_python, officer


def test_thousands_of_ids_are_one_parameter_and_find_the_same_cases(
    app: Casework, logged: dict[str, str]
) -> None:
    """A search that finds thousands hands their ids to the list as one parameter."""
    from casework.adapters.case_reads import ids_clause

    with app.reading() as session:
        connection = session.connection()
        wanted = sorted(
            connection.execute(
                select(CASES.c.id).where(
                    CASES.c.reference.in_([logged["other"], logged["complaint"]])
                )
            ).scalars()
        )
        many = [*range(10_000, 15_000), *wanted]  # far more than a plain IN list takes
        for ids in (many, wanted, []):
            found = connection.execute(select(CASES.c.id).where(ids_clause(connection, ids)))
            assert sorted(found.scalars()) == (wanted if ids else [])
