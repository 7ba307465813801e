"""Finding cases by what an officer types: the words of a case as the search index keeps them,
and the words of a query.

Both are folded as a reader recognises them (domain/text_folding.py: case, diacritics, đ → d,
look-alike letters, invisible characters), in Python, once, so that SQLite and PostgreSQL
index and compare the same ASCII words: "Lê Văn Cường" is kept as ``le van cuong`` and found
by "le van cuong", "LÊ VĂN CƯỜNG" or "cuong". A case matches a query when each word of the
query is found inside the case's words (a part of a word too: "000123" finds TC-2024-000123).

The sender's name is never kept as words: it is sealed (ADR 0011). It is found through keyed
digests of its folded words (`name_words`, digested by the identity vault), whole words only,
and only by officers who may see the sender (domain/visibility.identity_reach).
"""

from __future__ import annotations

from casework.domain.errors import InvalidInput, said
from casework.domain.text_folding import folded_words

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
"""More words would narrow nothing a reader can check, and each is one more condition."""


def case_words(*texts: str | None) -> str:
    """The words the search index keeps for a case (its reference, summary as stored, the
    denounced person's name…), folded, in order, each once, joined by single spaces."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in folded_words(text or ""):
            seen.setdefault(word, None)
    return " ".join(seen)


def query_words(query: str) -> tuple[str, ...]:
    """The folded words of a search, each once; () for a search of nothing."""
    if len(query) > MAX_QUERY_CHARS:
        raise said(
            InvalidInput(f"a search takes at most {MAX_QUERY_CHARS} characters"),
            f"Nội dung tìm kiếm dài tối đa {MAX_QUERY_CHARS} ký tự (đã nhập {len(query)})",
        )
    words = tuple(dict.fromkeys(folded_words(query)))
    if len(words) > MAX_QUERY_WORDS:
        raise said(
            InvalidInput(f"a search takes at most {MAX_QUERY_WORDS} words"),
            f"Tìm kiếm theo tối đa {MAX_QUERY_WORDS} từ (đã nhập {len(words)} từ)",
        )
    return words


def name_words(full_name: str) -> list[str]:
    """The folded words of a sender's name, each once, to be digested (never stored)."""
    return sorted(set(folded_words(full_name)))
