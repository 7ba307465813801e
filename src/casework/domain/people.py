"""People named in a case, resolved against the organisation (issue 20).

A reception desk types a denounced person the way the letter names him: "ông Đoàn Văn Uy",
"Chủ tịch xã Đoàn Văn Uy", "ông Lê Văn Cường, cán bộ địa chính", "Uy Doan Van", or only a post:
"Chủ tịch UBND xã Hưng Nguyên". Comparing such text with an officer's name as a string let the
denounced head read the denouncer's identity. Here a typed description is compared with the
organisation the way a reader would:

- **by name**: an officer is a candidate when his name's folded tokens (NFKC, invisible
  characters removed, case and diacritics folded, đ → d: `text_folding.folded_words`) occur in
  the typed text as a run of consecutive tokens, in any order. Honorifics, titles, positions and
  trailing descriptions around the name therefore need no list to be ignored, and the rule is
  at least as wide as "the tokens left after removing them are the officer's name" — it fails
  closed: a four-syllable name that contains an officer's three-syllable name makes him a
  candidate, and a head decides on the record;
- **by post**: a head or deputy post of an agency named in the text ("Chủ tịch UBND xã Hưng
  Nguyên", "Phó Giám đốc Sở Xây dựng", or the officer's own title followed by the agency's
  place) makes whoever held that post on the received date a candidate, acting heads included,
  whether or not a name is given too (a misspelt name next to a post still means the post).

Also, failing closed: a name run together ("NgôThịLan") or with initials ("Ngô T. Lan"), the
officer's own title as the organisation records it ("Chánh Thanh tra tỉnh", "Phó Chủ tịch UBND
tỉnh"), the usual abbreviations (PCT, GĐ, UBND; a place as initials, "Sở TNMT"), and his email;
and an agency named without a post ("UBND xã Hưng Nguyên") makes each of its staff a candidate.

Names of one token are never matched by name: "An" alone would make every "An ninh" a match.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from casework.domain.organisation import Agency, Officer, Organisation
from casework.domain.text_folding import folded_words, in_any_order

# The words an agency's name starts with before its place ("Ủy ban nhân dân | xã Hưng Nguyên").
_ORGAN_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("uy", "ban", "nhan", "dan"),
    ("ubnd",),
    ("hoi", "dong", "nhan", "dan"),
    ("hdnd",),
    ("thanh", "tra"),
    ("so",),
    ("phong",),
    ("ban",),
)
# Abbreviations a desk types for the organ words of an agency's name and for posts.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ubnd": ("uy", "ban", "nhan", "dan"),
    "hdnd": ("hoi", "dong", "nhan", "dan"),
    "ct": ("chu", "tich"),
    "pct": ("pho", "chu", "tich"),
    "gd": ("giam", "doc"),
    "pgd": ("pho", "giam", "doc"),
    "ctt": ("chanh", "thanh", "tra"),
}
HEAD_POSTS_BY_KIND: dict[str, tuple[str, ...]] = {
    "provincial_committee": ("chu tich",),
    "district_committee": ("chu tich",),
    "commune": ("chu tich",),
    "department": ("giam doc",),
    "inspectorate": ("chanh thanh tra",),
}
"""How a letter names the head post of an agency of each kind (folded); every kind also
answers to the generic `GENERIC_HEAD_POSTS` and to its head's own title."""

GENERIC_HEAD_POSTS: tuple[str, ...] = ("thu truong", "nguoi dung dau")
DEPUTY_PREFIX = "pho"


def name_occurs(name: str, text: str) -> bool:
    """Whether the person `name` is named in `text`: his name's words, two or more, come next
    to each other in `text` in any order ("Hoa Phạm Thị" names "Phạm Thị Hoa")."""
    needle = folded_words(name)
    return len(needle) >= 2 and in_any_order(folded_words(text), needle)


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> list[int]:
    """Every index at which `needle` occurs in `haystack` as consecutive tokens."""
    size = len(needle)
    if not size:
        return []
    return [
        start
        for start in range(len(haystack) - size + 1)
        if list(haystack[start : start + size]) == list(needle)
    ]


def _expanded(words: list[str]) -> list[str]:
    """`words` with the organ abbreviations spelt out ("ubnd" → "uy ban nhan dan")."""
    out: list[str] = []
    for word in words:
        out.extend(_ABBREVIATIONS.get(word, (word,)))
    return out


def place_of(agency: Agency) -> list[str]:
    """The folded place part of an agency's name: "Ủy ban nhân dân xã Hưng Nguyên" → xa hung
    nguyen; "Sở Tài nguyên và Môi trường" → tai nguyen va moi truong."""
    words = _expanded(folded_words(agency.name))
    for prefix in _ORGAN_PREFIXES:
        if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
            return words[len(prefix) :]
    return words


def _post_phrases(org: Organisation, agency: Agency) -> list[list[str]]:
    phrases = [p.split() for p in (*HEAD_POSTS_BY_KIND.get(agency.kind, ()), *GENERIC_HEAD_POSTS)]
    head = org.officers.get(agency.head or "")
    if head is not None and head.title:
        phrases.append(_title_without_place(head.title, agency))
    return [p for p in phrases if p]


def _title_without_place(title: str, agency: Agency) -> list[str]:
    """An officer's title without its trailing level word ("Chủ tịch UBND xã" → chu tich uy ban
    nhan dan), so that "Chủ tịch UBND xã Hưng Nguyên" reads as title then place."""
    words = _expanded(folded_words(title))
    place = place_of(agency)
    while words and place and words[-1] == place[0]:
        words = words[:-1]
    return words


@dataclass(frozen=True)
class PostMention:
    """A post of an agency named in a text: the head post, or a deputy post."""

    agency: str
    deputy: bool


@dataclass(frozen=True)
class _FoldedOrganisation:
    """The organisation's names as the comparisons read them, folded once."""

    names: dict[str, list[str]]  # officer code → folded name
    places: dict[str, list[list[str]]]  # agency code → its place, spelt out and as initials
    posts: dict[str, list[list[str]]]  # agency code → its head post's phrases
    titles: dict[str, list[list[str]]]  # officer code → his own title, spelt out, and short
    organs: dict[str, list[str]]  # agency code → the organ words before its place


# the organisation last folded: an engine reads one organisation until another file is loaded,
# and folding every name on every intake was most of an intake's time
_last_folded: tuple[Organisation, _FoldedOrganisation] | None = None


def _folded(org: Organisation) -> _FoldedOrganisation:
    global _last_folded
    last = _last_folded
    if last is not None and last[0] is org:
        return last[1]
    folded = _FoldedOrganisation(
        names={code: folded_words(o.name) for code, o in org.officers.items()},
        places={code: _place_forms(a) for code, a in org.agencies.items()},
        posts={code: _post_phrases(org, a) for code, a in org.agencies.items()},
        titles={code: _title_forms(o.title) for code, o in org.officers.items()},
        organs={code: _organ_of(a) for code, a in org.agencies.items()},
    )
    _last_folded = (org, folded)
    return folded


def _title_forms(title: str) -> list[list[str]]:
    """An officer's title spelt out, and without "Ủy ban nhân dân" as letters shorten it
    ("Chủ tịch UBND xã" → also "chủ tịch xã"); titles of one word are too common to count."""
    words = _expanded(folded_words(title))
    forms = [words]
    for organ in (_ABBREVIATIONS["ubnd"], _ABBREVIATIONS["hdnd"]):
        for start in _contains(words, organ):
            forms.append(words[:start] + words[start + len(organ) :])
    return [form for form in forms if len(form) >= 2]


def _title_names(
    org: Organisation, folded: _FoldedOrganisation, officer: Officer, words: list[str]
) -> bool:
    """Whether `words` give `officer`'s own title for him: not preceded by "phó" when his is a
    head's title (that is his deputy), nor followed by another agency's place (that is
    another agency's post: "Giám đốc Sở TNMT" is not the director of Sở Xây dựng)."""
    for title in folded.titles[officer.code]:
        for start in _contains(words, title):
            if start > 0 and words[start - 1] == DEPUTY_PREFIX and title[0] != DEPUTY_PREFIX:
                continue
            end = start + len(title)
            while end < len(words) and words[end] in _ORGAN_WORDS:
                end += 1
            if _other_place_at(org, folded, officer.agency, words, start + 1, end):
                continue
            return True
    return False


def _other_place_at(
    org: Organisation,
    folded: _FoldedOrganisation,
    own: str,
    words: list[str],
    first: int,
    last: int,
) -> bool:
    """Whether another agency's place starts in `words` between `first` and `last` (a title
    may end with the place's level word: "Chủ tịch UBND xã | Hưng Nguyên" → "xã Hưng Nguyên")."""
    for code in org.agencies:
        if code == own:
            continue
        for form in folded.places[code]:
            if any(first <= at <= last for at in _contains(words, form)):
                return True
    return False


def _place_forms(agency: Agency) -> list[list[str]]:
    """The place as written, and as the initials a desk types for it ("Sở Tài nguyên và Môi
    trường" → tnmt; "Sở Xây dựng" → xd)."""
    place = place_of(agency)
    forms = [place]
    initials = "".join(word[0] for word in place if word != "va")
    if len(place) >= 2 and len(initials) >= 2:
        forms.append([initials])
    return forms


def _posts_in(
    org: Organisation, folded: _FoldedOrganisation, words: list[str]
) -> list[PostMention]:
    """The head and deputy posts `words` name: a post phrase followed, after organ words, by
    an agency's place ("Chủ tịch UBND xã Hưng Nguyên"; "Phó Giám đốc Sở Xây dựng")."""
    found: list[PostMention] = []
    for agency in org.agencies.values():
        place_starts = [i for form in folded.places[agency.code] for i in _contains(words, form)]
        if not place_starts:
            continue
        for phrase in folded.posts[agency.code]:
            for start in _contains(words, phrase):
                end = start + len(phrase)
                if not any(end <= p and _only_organ_words(words[end:p]) for p in place_starts):
                    continue
                deputy = start > 0 and words[start - 1] == DEPUTY_PREFIX
                mention = PostMention(agency.code, deputy)
                if mention not in found:
                    found.append(mention)
    return found


_ORGAN_WORDS = frozenset(word for prefix in _ORGAN_PREFIXES for word in prefix)


def _only_organ_words(words: Sequence[str]) -> bool:
    return all(word in _ORGAN_WORDS for word in words)


def holders(org: Organisation, post: PostMention, on: date) -> list[Officer]:
    """Who held `post` on `on`: for the head post, the head and any acting head that day; for
    a deputy post, every deputy (a letter rarely says which one)."""
    agency = org.agencies[post.agency]
    if post.deputy:
        codes: list[str] = list(agency.deputies)
    else:
        codes = [c for c in (agency.head,) if c]
        acting = org.head_of(agency.code, on)
        if acting is not None and acting.code not in codes:
            codes.append(acting.code)
    return [org.officers[c] for c in codes if c in org.officers]


def officers_named(org: Organisation, text: str, on: date) -> list[Officer]:
    """Every officer `text` may name, by name or by post held on `on`, in the organisation's
    order: the candidates reception must resolve (module docstring)."""
    return [officer for officer, _ in officers_named_how(org, text, on)]


def officers_named_how(org: Organisation, text: str, on: date) -> list[tuple[Officer, bool]]:
    """`officers_named`, each with whether only as the staff of an agency the text names (the
    agency's own desk may still log the letter; one named in person may not)."""
    if not text.strip():
        return []
    words = folded_words(text)
    expanded = _expanded(words)
    lowered = text.casefold()
    folded = _folded(org)
    present = set(words) | set(expanded)
    named: dict[str, Officer] = {}
    for officer in org.officers.values():
        needle = folded.names[officer.code]
        # the given name, or the whole name run together, must be there for any name match:
        # a set lookup spares the scans for almost every officer of a large organisation
        by_name = (
            len(needle) >= 2
            and (needle[-1] in present or "".join(needle) in present)
            and (in_any_order(words, needle) or _abbreviated(words, needle))
        )
        if by_name or (bool(officer.email) and officer.email.casefold() in lowered):
            named[officer.code] = officer
    # his own title as the organisation records it ("Chánh Thanh tra tỉnh"), unless the text
    # names by name another officer with that very title ("Chủ tịch xã Đoàn Văn Uy")
    titled_by_name = {tuple(folded.titles[code][0]) for code in named if folded.titles[code]}
    for officer in org.officers.values():
        if officer.code in named or not folded.titles[officer.code]:
            continue
        if tuple(folded.titles[officer.code][0]) in titled_by_name:
            continue
        if not any(set(form) <= present for form in folded.titles[officer.code]):
            continue
        if _title_names(org, folded, officer, expanded):
            named[officer.code] = officer
    posts = _posts_in(org, folded, expanded)
    for post in posts:
        for officer in holders(org, post, on):
            named.setdefault(officer.code, officer)
    # an agency named without a post ("UBND xã Hưng Nguyên"): any of its staff may be meant
    as_staff: dict[str, Officer] = {}
    for code in _agencies_in(org, folded, expanded):
        if any(post.agency == code for post in posts):
            continue
        for officer in _staff(org, code, on):
            if officer.code not in named:
                as_staff[officer.code] = officer
    return [
        (o, code in as_staff)
        for code, o in org.officers.items()
        if code in named or code in as_staff
    ]


def _agencies_in(org: Organisation, folded: _FoldedOrganisation, words: list[str]) -> list[str]:
    """The agencies `words` name as agencies: the agency's own organ words right before its
    place ("ủy ban nhân dân xã Hưng Nguyên", "Sở TNMT", "Thanh tra tỉnh Nghệ An" — which is not
    the provincial committee, though both are "tỉnh Nghệ An")."""
    found = []
    for code in org.agencies:
        organ = folded.organs[code]
        if not organ:
            continue
        for form in folded.places[code]:
            starts = _contains(words, form)
            if any(at >= len(organ) and words[at - len(organ) : at] == organ for at in starts):
                found.append(code)
                break
    return found


def _organ_of(agency: Agency) -> list[str]:
    """The organ words of an agency's name, before its place (`place_of`)."""
    words = _expanded(folded_words(agency.name))
    place = place_of(agency)
    return words[: len(words) - len(place)] if place != words else []


def _staff(org: Organisation, agency: str, on: date) -> list[Officer]:
    staff = [o for o in org.officers.values() if o.agency == agency]
    head = org.head_of(agency, on)
    if head is not None and head not in staff:
        staff.append(head)
    return staff


def _abbreviated(words: Sequence[str], name: Sequence[str]) -> bool:
    """Whether `name` is written in `words` run together ("NgôThịLan") or with initials for
    all but the given name ("Ngô T. Lan", "Trần Q. Dũng", "P.T.Thu")."""
    if "".join(name) in words:
        return True
    size = len(name)
    for start in range(len(words) - size + 1):
        window = words[start : start + size]
        if window[-1] != name[-1]:
            continue
        if all(w == n or w == n[0] for w, n in zip(window[:-1], name[:-1], strict=True)) and any(
            w != n for w, n in zip(window[:-1], name[:-1], strict=True)
        ):
            return True
    return False


def relatives_of(
    org: Organisation, officers: Iterable[str], names: Iterable[str]
) -> dict[str, str]:
    """Officer code → the kinship by which he is related to one of `officers` or to a person
    typed in `names` (ND31 Art. 10(3)). Relations count both ways: an officer who declared his
    spouse is the denounced officer, and the denounced officer's declared spouse."""
    excluded = set(officers)
    texts = [n for n in names if n.strip()]
    found: dict[str, str] = {}
    for relation in org.relations:
        kinship = relation.kinship.value
        if relation.person_officer in excluded and relation.officer not in excluded:
            found.setdefault(relation.officer, kinship)
        partner = relation.person_officer
        if relation.officer in excluded and partner and partner not in excluded:
            found.setdefault(partner, kinship)
        by_name = relation.person_name and any(name_occurs(relation.person_name, t) for t in texts)
        if by_name and relation.officer not in excluded:
            found.setdefault(relation.officer, kinship)
    return found
