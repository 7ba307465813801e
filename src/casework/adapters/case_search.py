"""The search index of cases (domain/search.py), and the clause a list applies for a search.

`case_search` keeps each case's folded words and `sender_word` the keyed digests of its
sender's name words; intake writes both. Each store indexes the words its own way, for the
same answer: every word of the query found inside the case's words.

- SQLite: an FTS5 table with the trigram tokenizer over `case_search` (external content, kept
  by triggers; migration 0022). A word of three letters or more is a quoted phrase in one
  MATCH, which the trigram index answers as a substring; a shorter word is a LIKE on the few
  rows that match. (LIKE on the FTS5 table itself with a pattern under three letters crashed
  SQLite 3.40.) Where SQLite was built without FTS5, every word is a LIKE on `case_search`:
  the same answer, read row by row.
- PostgreSQL: a GIN index of `case_search.words` with pg_trgm's trigram operators; each word
  is a LIKE, which the index answers.

A search by the sender's name matches cases whose sender has every word of the query, and
only among the cases whose sender the viewer may see (`identity_clause`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
)

from casework.adapters.tables import CaseRow, CaseSearchRow, SenderWordRow
from casework.domain.visibility import IdentityReach

CASES = CaseRow.__table__  # type: ignore[attr-defined]
SEARCH = CaseSearchRow.__table__  # type: ignore[attr-defined]
SENDER_WORDS = SenderWordRow.__table__  # type: ignore[attr-defined]

FTS_TABLE = "case_search_fts"
TRIGRAM_INDEX = "ix_case_search_words_trgm"
STORE_OBJECTS = frozenset({FTS_TABLE, TRIGRAM_INDEX})
"""What migration 0022 makes for one store only, beside the declared tables: the schema's
comparison with the tables leaves these (and FTS5's own tables, named after the first) out."""
INDEXED_LETTERS = 3  # the shortest word a trigram index can look up


def is_store_object(name: str | None) -> bool:
    """Whether `name` is one of `STORE_OBJECTS` or a table FTS5 keeps for the first."""
    return bool(name) and (name in STORE_OBJECTS or str(name).startswith(f"{FTS_TABLE}_"))


def write_case_words(connection: Connection, case_id: int, words: str) -> None:
    """Keep `words` (domain/search.case_words) as what case `case_id` is found by."""
    connection.execute(insert(SEARCH).values(case_id=case_id, words=words))


def write_sender_words(connection: Connection, case_id: int, digests: Iterable[str]) -> None:
    """Keep the digests of the sender's name words of case `case_id`."""
    rows = [{"digest": digest, "case_id": case_id} for digest in sorted(set(digests))]
    if rows:
        connection.execute(insert(SENDER_WORDS), rows)


def has_fts(connection: Connection) -> bool:
    """Whether this SQLite database has the FTS5 index (migration 0022 makes it where SQLite
    has FTS5)."""
    found = connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": FTS_TABLE},
    ).first()
    return found is not None


def text_matches(connection: Connection, words: Sequence[str]) -> Select[Any]:
    """The ids of the cases whose words hold every one of `words` (folded, non-empty)."""
    query = select(SEARCH.c.case_id)
    unindexed = list(words)
    if connection.dialect.name == "sqlite" and has_fts(connection):
        indexed = [word for word in words if len(word) >= INDEXED_LETTERS]
        if indexed:
            # folded words are [a-z0-9]+: quoted, each is a phrase of its trigrams
            phrase = " AND ".join(f'"{word}"' for word in indexed)
            query = query.where(
                SEARCH.c.case_id.in_(
                    select(literal_column("rowid"))
                    .select_from(text(FTS_TABLE))
                    .where(text(f"{FTS_TABLE} MATCH :phrase").bindparams(phrase=phrase))
                )
            )
            unindexed = [word for word in words if len(word) < INDEXED_LETTERS]
    for word in unindexed:
        query = query.where(SEARCH.c.words.like(f"%{word}%"))
    return query


def matching_ids(
    connection: Connection,
    words: Sequence[str],
    name_digests: Sequence[str],
    reach: IdentityReach | None,
    agencies: frozenset[str] | None,
    cap: int,
) -> list[int] | None:
    """The ids of the cases a search finds (`search_clause`) — of `agencies` (None: any) where
    it is the sender's name that matched — if there are at most `cap` of them; None if there
    are more. The list then takes them as a set to test its cases against, instead of testing
    each against the search (a planner cannot tell a rare search from a common one before
    running it). Each part reads its own index only: the words, then the name's digests."""
    found = set(connection.execute(text_matches(connection, words).limit(cap + 1)).scalars())
    if reach is not None and name_digests:
        by_name = (
            select(CASES.c.id)
            .where(CASES.c.id.in_(_named(name_digests)), identity_clause(reach))
            .limit(cap + 1)
        )
        if agencies is not None:
            by_name = by_name.where(CASES.c.agency.in_(sorted(agencies)))
        found |= set(connection.execute(by_name).scalars())
    return None if len(found) > cap else sorted(int(case_id) for case_id in found)


def _named(name_digests: Sequence[str]) -> Select[Any]:
    """The ids of the cases whose sender's name has every word of `name_digests`."""
    digests = sorted(set(name_digests))
    return (
        select(SENDER_WORDS.c.case_id)
        .where(SENDER_WORDS.c.digest.in_(digests))
        .group_by(SENDER_WORDS.c.case_id)
        .having(func.count() == len(digests))
    )


def identity_clause(reach: IdentityReach) -> ColumnElement[bool]:
    """The cases whose sender the officer of `reach` may see: `IdentityReach.covers`
    (domain/visibility.py) in SQL over `case_file`; a test holds the two to one answer."""
    complaint = CASES.c.kind == "complaint"
    return or_(
        and_(complaint, or_(CASES.c.agency == reach.agency, CASES.c.handler == reach.officer)),
        and_(
            ~complaint,
            or_(
                CASES.c.logged_by == reach.officer,
                CASES.c.agency.in_(sorted(reach.headed)) if reach.headed else false(),
            ),
        ),
    )


def search_clause(
    connection: Connection,
    words: Sequence[str],
    name_digests: Sequence[str] = (),
    reach: IdentityReach | None = None,
) -> ColumnElement[bool]:
    """True for the cases (rows of `case_file`) a search of `words` finds: every word in the
    case's words or, for a viewer who may see the case's sender (`reach`), every word in the
    sender's name (`name_digests`, one per word of the query)."""
    found: ColumnElement[bool] = CASES.c.id.in_(text_matches(connection, words))
    if reach is None or not name_digests:
        return found
    return or_(found, and_(CASES.c.id.in_(_named(name_digests)), identity_clause(reach)))
