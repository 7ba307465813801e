"""Render notices (subject, plain text, HTML) from the Jinja2 templates in `notifications/`.

A notice template is a folder named after the notice, holding three files per language::

    notifications/escalation.overdue/vi.subject.j2   one line once whitespace is collapsed
    notifications/escalation.overdue/vi.txt.j2       the plain-text body
    notifications/escalation.overdue/vi.html.j2      the HTML body (autoescaped)

Folders whose name starts with `_` or `.` hold shared macros and are not notices. Undefined
variables are errors (`StrictUndefined`): a context that lacks a value the template uses fails
loudly, naming the variable, instead of sending a message with a hole in it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    nodes,
    select_autoescape,
)

from casework.domain.citations import cite_vi
from casework.domain.errors import ConfigurationError
from casework.environment import LEGAL_TIMEZONE

PARTS: tuple[str, ...] = ("subject", "txt", "html")
"""The three files every language of a notice must provide, in rendering order."""


@dataclass(frozen=True)
class RenderedNotice:
    """One notice ready to be put in an email: a one-line subject and two bodies."""

    subject: str
    text: str
    html: str


def vn_date(value: str | date) -> str:
    """Format an ISO date (`2024-02-19`, or a `date`) the Vietnamese way: `19/02/2024`."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise ConfigurationError(
                f"vn_date expects an ISO date such as 2024-02-19, got {value!r}"
            ) from None
    return day.strftime("%d/%m/%Y")


def vn_instant(value: str | datetime) -> str:
    """An instant (ISO, or a `datetime`; stored ones are UTC) as an officer reads it: the
    hour and the day in Asia/Ho_Chi_Minh, `14:05 19/02/2024`."""
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(LEGAL_TIMEZONE).strftime("%H:%M %d/%m/%Y")


class NoticeRenderer:
    """Renders the notices found in one folder (usually `casework.resources.notifications_dir()`)."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ConfigurationError(f"notice template folder {folder} does not exist")
        self.folder = folder
        self._loader = FileSystemLoader(folder)
        self.environment = Environment(
            loader=self._loader,
            undefined=StrictUndefined,
            autoescape=select_autoescape(
                enabled_extensions=("html.j2",), default_for_string=False, default=False
            ),
            keep_trailing_newline=True,
        )
        self.environment.filters["vn_date"] = vn_date
        self.environment.filters["vn_basis"] = cite_vi

    def available(self) -> dict[str, list[str]]:
        """Every notice name with the languages that have all three parts, both sorted."""
        return {name: self._complete_languages(path) for name, path in self._notice_folders()}

    def render(self, name: str, language: str, context: Mapping[str, Any]) -> RenderedNotice:
        """Render notice `name` in `language`; raises ConfigurationError on any template fault."""
        self._check_exists(name, language)
        subject, text, html = (self._render_part(name, language, part, context) for part in PARTS)
        one_line = " ".join(subject.split())
        if not one_line:
            raise ConfigurationError(f"notice template {name}/{language}.subject.j2 rendered empty")
        return RenderedNotice(subject=one_line, text=text, html=html)

    def _notice_folders(self) -> Iterator[tuple[str, Path]]:
        for path in sorted(self.folder.iterdir()):
            if path.is_dir() and not path.name.startswith(("_", ".")):
                yield path.name, path

    @staticmethod
    def _languages_with(path: Path) -> dict[str, set[str]]:
        """language -> the parts present in the notice folder `path`."""
        found: dict[str, set[str]] = {}
        for file in path.glob("*.j2"):
            language, _, part = file.name.removesuffix(".j2").rpartition(".")
            if language and part in PARTS:
                found.setdefault(language, set()).add(part)
        return found

    def _complete_languages(self, path: Path) -> list[str]:
        """The languages of the notice folder `path` that have all of PARTS, sorted."""
        return sorted(
            language
            for language, parts in self._languages_with(path).items()
            if parts == set(PARTS)
        )

    def _check_exists(self, name: str, language: str) -> None:
        folders = dict(self._notice_folders())
        if name not in folders:
            known = ", ".join(folders) or "none"
            raise ConfigurationError(
                f"no notice template {name!r} in {self.folder}; available: {known}"
            )
        present = self._languages_with(folders[name])
        complete = self._complete_languages(folders[name])
        if language not in complete:
            languages = ", ".join(complete) or "none"
            if language in present:
                missing = ", ".join(
                    f"{language}.{p}.j2" for p in PARTS if p not in present[language]
                )
                raise ConfigurationError(
                    f"notice template {name!r} is incomplete in language {language!r}: "
                    f"{missing} missing; complete languages: {languages}"
                )
            raise ConfigurationError(
                f"notice template {name!r} has no language {language!r}; available: {languages}"
            )

    def _render_part(self, name: str, language: str, part: str, context: Mapping[str, Any]) -> str:
        template_name = f"{name}/{language}.{part}.j2"
        try:
            return self.environment.get_template(template_name).render(context)
        except UndefinedError as exc:
            missing = self._missing_variables(template_name, context)
            named = ", ".join(missing) if missing else str(exc)
            raise ConfigurationError(
                f"notice template {template_name} needs context variable(s) that were not "
                f"given: {named} ({exc})"
            ) from exc
        except TemplateSyntaxError as exc:
            raise ConfigurationError(
                f"notice template {exc.name or template_name}, line {exc.lineno}: {exc.message}"
            ) from exc
        except ConfigurationError as exc:  # raised by a filter such as vn_date
            raise ConfigurationError(f"notice template {template_name}: {exc}") from exc
        except TemplateError as exc:
            raise ConfigurationError(f"notice template {template_name}: {exc}") from exc

    def _missing_variables(self, template_name: str, context: Mapping[str, Any]) -> list[str]:
        """Dotted names (`case.ref`) the template reads that `context` lacks; best effort.

        Only called once rendering has failed, so a lookup guarded by `is defined` may be
        listed too; the Jinja message appended by the caller says which one failed first.
        """
        source, _, _ = self._loader.get_source(self.environment, template_name)
        tree = self.environment.parse(source)
        top_level = meta.find_undeclared_variables(tree)
        missing: set[str] = {
            name
            for name in top_level
            if name not in context and name not in self.environment.globals
        }
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            path = _dotted_path(node)
            if path is None or path[0] not in top_level or path[0] not in context:
                continue
            gap = _first_gap(context[path[0]], path)
            if gap is not None:
                missing.add(gap)
        # Report `case` rather than both `case` and `case.ref`; keep the shortest prefixes.
        return sorted(
            name
            for name in missing
            if not any(name.startswith(other + ".") for other in missing if other != name)
        )


def _dotted_path(node: nodes.Node) -> list[str] | None:
    """`case.ref` / `case["ref"]` as ["case", "ref"]; None for anything more dynamic."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            parts.append(str(node.arg.value))
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return parts[::-1]
        else:
            return None


def _first_gap(value: Any, path: list[str]) -> str | None:
    """The shortest prefix of `path` (below its root `value`) that cannot be looked up."""
    for depth, key in enumerate(path[1:], start=2):
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif hasattr(value, key):
            value = getattr(value, key)
        else:
            return ".".join(path[:depth])
    return None
