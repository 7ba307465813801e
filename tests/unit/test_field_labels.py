"""Every value a step asks for is asked in Vietnamese, and every choice shown in Vietnamese
(issue 26): the web form shows `description_vi` and `labels_vi`, never a code such as
`already_sent_to_competent_body`."""

from __future__ import annotations

import re

import pytest

from casework.adapters.definitions import load_definitions
from casework.domain.lifecycle import FieldSpec
from casework.resources import state_machines_dir

ENGLISH = re.compile(
    r"\b(the|of|and|or|to|for|with|by|case|ground|letter|sender|days?|yes|no)\b", re.I
)


def _fields() -> list[tuple[str, FieldSpec]]:
    definitions = load_definitions(state_machines_dir())
    return [
        (f"{kind}.{spec.trigger}.{field.name}", field)
        for kind, lifecycle in sorted(definitions.lifecycles.items())
        for spec in lifecycle.transitions
        for field in spec.fields
    ]


FIELDS = _fields()


@pytest.mark.parametrize(("where", "field"), FIELDS, ids=[w for w, _ in FIELDS])
def test_each_field_is_asked_and_each_choice_shown_in_vietnamese(
    where: str, field: FieldSpec
) -> None:
    assert field.description_vi, f"{where}: no description_vi"
    labels = dict(field.labels_vi)
    assert set(labels) == set(field.choices), f"{where}: labels_vi must label each choice"
    for text in (field.description_vi, *labels.values()):
        assert "_" not in text, f"{where}: {text!r}"
        assert not ENGLISH.search(text), f"{where}: English in {text!r}"


def test_a_choice_reads_as_its_label() -> None:
    field = FieldSpec("competent", "is it ours", ("yes", "no"), labels_vi=(("yes", "Có"),))
    assert field.label("yes", "vi") == "Có"
    assert field.label("no", "vi") == "no"  # unlabelled: the code (the test above forbids it)
    assert field.label("partly_true", "en") == "partly true"


def test_a_step_is_named_by_the_edge_it_took() -> None:
    """`extend` from triage and from inspection are two steps with two titles: the page names
    the one taken from the state the case left."""
    denunciation = load_definitions(state_machines_dir()).lifecycles["denunciation"]
    assert denunciation.title_of("extend", "vi", "triage") == (
        "Gia hạn xử lý ban đầu đến 10 ngày làm việc"
    )
    assert denunciation.title_of("extend", "vi", "inspection") == (
        "Gia hạn giải quyết tố cáo (Mẫu 01)"
    )
    assert denunciation.title_of("extend", "vi") == denunciation.title_of("extend", "vi", "triage")
    assert denunciation.title_of("no_such_step", "vi", "triage") == "no_such_step"
