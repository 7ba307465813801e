"""Every transition of the shipped lifecycles carries its official Vietnamese title.

The loader accepts definitions without `title_vi` (an agency's own definitions may omit it);
the shipped ones must give it, since the web UI is Vietnamese by default.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from casework.adapters.definitions import load_lifecycle
from casework.domain.lifecycle import LifecycleDefinition
from casework.resources import state_machines_dir

SHIPPED_KINDS = ("denunciation", "complaint", "petition", "letter")


@pytest.fixture(scope="module", params=SHIPPED_KINDS)
def lifecycle(request: pytest.FixtureRequest) -> LifecycleDefinition:
    return load_lifecycle(state_machines_dir() / f"{request.param}.yaml")


def test_every_transition_has_a_vietnamese_title_distinct_from_the_english(
    lifecycle: LifecycleDefinition,
) -> None:
    missing = [
        f"{lifecycle.kind}.{t.trigger} ({', '.join(t.sources)})"
        for t in lifecycle.transitions
        if not t.title_vi.strip() or t.title_vi.strip() == t.title.strip()
    ]
    assert not missing, f"transitions without a Vietnamese title: {missing}"


def test_title_in_picks_the_vietnamese_title_for_vi_and_the_english_otherwise(
    lifecycle: LifecycleDefinition,
) -> None:
    for t in lifecycle.transitions:
        assert t.title_in("vi") == t.title_vi
        assert t.title_in("en") == t.title


def test_title_in_falls_back_to_the_english_title_without_a_vietnamese_one() -> None:
    spec = load_lifecycle(state_machines_dir() / "letter.yaml").transitions[0]
    bare = replace(spec, title_vi="")
    assert bare.title_in("vi") == bare.title == spec.title


def test_both_languages_have_the_same_words() -> None:
    from casework.entrypoints.web.i18n import TEXTS

    assert set(TEXTS["vi"]) == set(TEXTS["en"])
