"""What the pages show for the engine's codes: a state by its legal name, a step by its
title, a clock by its rule's title, an officer by his name, a date as dd/mm/yyyy, an instant
in Asia/Ho_Chi_Minh, a citation in Vietnamese (issue 26). The pages print labels, never
codes: one place decides how each code reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from casework.adapters.notice_templates import vn_date, vn_instant
from casework.domain.citations import cite_vi
from casework.domain.errors import NotFound
from casework.domain.organisation import Organisation
from casework.services.app import Casework

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day(value: str | date | None) -> str:
    """A date as dd/mm/yyyy ("" for none)."""
    return vn_date(value) if value else ""


def instant(value: str | datetime | None) -> str:
    """An instant as HH:MM dd/mm/yyyy in Asia/Ho_Chi_Minh ("" for none)."""
    return vn_instant(value) if value else ""


@dataclass(frozen=True)
class Labels:
    """The labels of one page, in its language."""

    app: Casework
    org: Organisation | None
    lang: str
    words: dict[str, str]

    def state(self, kind: str, code: str) -> str:
        """A state by its legal name (Vietnamese), or its code in words (English)."""
        lifecycle = self.app.definitions.lifecycles.get(kind)
        found = lifecycle.states.get(code) if lifecycle else None
        if found is None:
            return code
        return found.legal_name if self.lang == "vi" else code.replace("_", " ")

    def is_final(self, kind: str, state: str) -> bool:
        """Whether `state` ends the case (a step into it cannot be undone)."""
        lifecycle = self.app.definitions.lifecycles.get(kind)
        found = lifecycle.states.get(state) if lifecycle else None
        return bool(found and found.is_final)

    def step(self, kind: str, trigger: str, source: str | None = None) -> str:
        """A step by its title: the one it has from `source`, the state it left."""
        lifecycle = self.app.definitions.lifecycles.get(kind)
        title = lifecycle.title_of(trigger, self.lang, source) if lifecycle else trigger
        return title if title != trigger else trigger.replace("_", " ")

    def step_values(
        self, kind: str, trigger: str, source: str, data: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        """What the officer entered on a step (its decision number, finding, measures…): each
        value under its field's question, a choice in words, a date as dd/mm/yyyy. What the
        step does not ask (the engine's own records) is left out, and so is a value withheld
        from the reader (None)."""
        lifecycle = self.app.definitions.lifecycles.get(kind)
        spec = lifecycle.edge(trigger, source) if lifecycle else None
        shown = []
        for field in spec.fields if spec else ():
            value = data.get(field.name)
            if value is None or value == "":
                continue
            text = field.label(str(value), self.lang) if field.choices else str(value)
            shown.append(
                (field.description_in(self.lang), day(text) if _ISO_DAY.fullmatch(text) else text)
            )
        return shown

    def clock(self, code: str) -> str:
        """A clock by its rule's title."""
        try:
            return self.app.rules.versions(code)[-1].title_in(self.lang)
        except (NotFound, IndexError):
            return code

    def officer(self, code: str | None) -> str:
        """An officer by his name ("" for nobody)."""
        if not code:
            return ""
        officer = self.org.officers.get(code) if self.org else None
        return officer.name if officer else code

    def agency(self, code: str) -> str:
        """An agency by its name."""
        agency = self.org.agencies.get(code) if self.org else None
        return agency.name if agency else code

    def basis(self, text: str) -> str:
        """A legal basis, in Vietnamese on a Vietnamese page."""
        return cite_vi(text) if self.lang == "vi" else text

    def word(self, prefix: str, code: str) -> str:
        """`code` through the catalogue's `prefix_code` entry, else in words."""
        return self.words.get(f"{prefix}_{code}", code.replace("_", " "))


def day_input(value: str | None) -> str:
    """What a date field shows: an ISO date day first; what the officer typed as it was."""
    if not value:
        return ""
    try:
        return vn_date(date.fromisoformat(value))
    except ValueError:
        return value


def filters() -> dict[str, Any]:
    """The Jinja filters of the pages."""
    return {"day": day, "instant": instant, "day_input": day_input, "month": month}


def month(value: str) -> str:
    """A month as mm/yyyy ("2026-07" reads 07/2026)."""
    year, _, number = value.partition("-")
    return f"{number}/{year}" if number else value
