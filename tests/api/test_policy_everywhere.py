"""Every route of the API and the web UI, and every command of the CLI, goes through the one
authorisation module and the one visibility policy (issue 20).

The routes and commands are enumerated from the applications themselves: a new one that is not
listed here fails the test, naming itself, until someone says how it is reached and checked.
Each is then tried by the officer a case denounces — a deputy head, so that no role refusal
hides a missing case check — and must tell him nothing: 404 (the answer for a case that does
not exist) or a refusal, never the case's summary or its sender.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from tests.api.test_api import PASSWORD, Clock, as_, issue_tokens
from tests.conftest import at
from typer.core import TyperArgument
from typer.testing import CliRunner

from casework.entrypoints.cli import common
from casework.entrypoints.cli.main import app as cli_app
from casework.entrypoints.web.app import create_app
from casework.services.app import Casework
from casework.services.intake import Denouncer, LogCase, log_case

pytestmark = pytest.mark.api

DENOUNCED = "tt-pho-chanh-thanh-tra"  # head and supervisor: every role check passes
SUMMARY = "BÍ-MẬT thu tiền cấp phép"
SENDER = "Phạm Thị Hoa"

# the ways a reception desk names who a letter denounces, and the officer each must keep out;
# the last is a handler, whom some routes refuse by role before looking at the case (403)
EXCLUDED = {
    "denounced by code": ({"denounced_officer": DENOUNCED}, DENOUNCED),
    "a head typed by his title": ({"denounced_name": "Chánh Thanh tra tỉnh"}, "tt-chanh-thanh-tra"),
    "a deputy typed with initials": ({"denounced_name": "bà Lê T. Hạnh"}, DENOUNCED),
    "a relative of a name typed with a description": (
        {"denounced_name": "ông Lê Văn Cường, cán bộ địa chính"},
        "tt-xac-minh-2",
    ),
}

# (method, path) → the JSON body a call takes (None: none). Public routes are listed apart.
API_ROUTES: dict[tuple[str, str], dict[str, Any] | None] = {
    ("GET", "/api/cases"): None,
    ("POST", "/api/cases"): {"kind": "denunciation", "received_on": "2024-02-01"},
    ("GET", "/api/cases/export.csv"): None,
    ("GET", "/api/cases/{ref}"): None,
    ("GET", "/api/cases/{ref}/identity"): None,
    ("GET", "/api/cases/{ref}/triggers"): None,
    ("POST", "/api/cases/{ref}/advance"): {"trigger": "triage"},
    ("POST", "/api/cases/{ref}/assign"): {"officer": "tt-xac-minh-1"},
    ("GET", "/api/cases/{ref}/explain"): None,
    ("GET", "/api/cases/{ref}/parties"): None,
    ("POST", "/api/cases/{ref}/parties/{number}/identify"): {"officer": "tt-xac-minh-1"},
    ("POST", "/api/cases/{ref}/parties/{number}/confirm-outside"): {"reason": "x"},
    ("POST", "/api/cases/{ref}/recuse"): {"reason": "x"},
    ("POST", "/api/cases/{ref}/notes"): {"text": "ghi chú"},
    ("GET", "/api/audit"): None,
    ("GET", "/api/audit/verify"): None,
    ("GET", "/api/dashboard"): None,
    ("GET", "/api/escalations"): None,
    ("POST", "/api/escalations/{escalation_id}/acknowledge"): None,
    ("POST", "/api/escalations/acknowledge"): {"ids": [1]},
    ("POST", "/api/cases/bulk-assign"): {"refs": ["{ref}"], "officer": "tt-xac-minh-1"},
    ("POST", "/api/outbox/{message_id}/handed"): {"how": "trao tay"},
    ("GET", "/api/me"): None,
    ("GET", "/api/organisation"): None,
    ("GET", "/api/calendar/{year}"): None,
}
PUBLIC_API = {
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/docs/oauth2-redirect"),  # the OpenAPI page's helper
}
WEB_ROUTES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/cases"): {},
    ("GET", "/cases/new"): {},
    ("POST", "/cases/new"): {"kind": "denunciation", "received_on": "2024-02-01"},
    ("GET", "/cases/{ref}"): {},
    ("GET", "/cases/{ref}/receipt"): {},
    ("POST", "/cases/{ref}/identity"): {},
    ("POST", "/cases/{ref}/assign"): {"officer": "tt-xac-minh-1"},
    ("POST", "/cases/bulk-assign"): {"refs": "{ref}", "officer": "tt-xac-minh-1"},
    ("POST", "/cases/{ref}/advance"): {"trigger": "triage"},
    ("POST", "/cases/{ref}/parties/{number}/identify"): {"officer": "tt-xac-minh-1"},
    ("POST", "/cases/{ref}/parties/{number}/confirm-outside"): {"reason": "x"},
    ("POST", "/cases/{ref}/recuse"): {"reason": "x"},
    ("POST", "/cases/{ref}/notes"): {"text": "ghi chú"},
    ("GET", "/dashboard"): {},
    ("POST", "/dashboard/escalations/{escalation_id}/acknowledge"): {},
    ("POST", "/dashboard/notices/{message_id}/handed"): {"how": "trao tay"},
    ("GET", "/alerts"): {},
    ("GET", "/account/password"): {},
    ("POST", "/account/password"): {},
    ("POST", "/alerts/{escalation_id}/acknowledge"): {},
    ("POST", "/alerts/acknowledge"): {"ids": "1"},
}
PUBLIC_WEB = {
    ("GET", "/"),
    ("GET", "/lang/{code}"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
}


@pytest.fixture(params=list(EXCLUDED))
def excluded(request: pytest.FixtureRequest) -> tuple[dict[str, str], str]:
    return EXCLUDED[request.param]


def _logged(app: Casework, denounced: dict[str, str]) -> str:
    return log_case(
        app,
        LogCase(
            kind="denunciation",
            agency="thanh-tra-tinh",
            received_on=at("2024-02-01").date(),
            summary=SUMMARY,
            denouncer=Denouncer(SENDER, "Vinh", contact="0912345678"),
            logged_by="tt-tiep-nhan",
            **denounced,  # type: ignore[arg-type]
        ),
        at("2024-02-01"),
    ).ref


@pytest.fixture
def case_ref(app: Casework) -> str:
    return _logged(app, {"denounced_officer": DENOUNCED})


@pytest.fixture
def client(app: Casework) -> Iterator[TestClient]:
    clock = Clock()
    clock.now = at("2024-02-05", 10)
    with TestClient(create_app(app, clock)) as web:
        yield web


def _served(client: TestClient) -> set[tuple[str, str]]:
    """(method, path) of every route the application serves, API and pages alike."""
    return set(_routes(client.app.routes))  # type: ignore[attr-defined]


def _routes(routes: list[Any]) -> Iterator[tuple[str, str]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # an included router (FastAPI ≥ 0.120)
        if included is not None:
            yield from _routes(included.routes)
            continue
        for method in getattr(route, "methods", None) or ():
            if method not in ("HEAD", "OPTIONS"):
                yield method, route.path


def _url(path: str, ref: str) -> str:
    values = {
        "ref": ref,
        "number": "1",
        "escalation_id": "1",
        "message_id": "1",
        "year": "2024",
        "code": "vi",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _filled(body: Any, ref: str) -> Any:
    """A route's body with the case's reference where it names "{ref}" (a bulk action)."""
    if isinstance(body, str):
        return body.replace("{ref}", ref)
    if isinstance(body, list):
        return [_filled(item, ref) for item in body]
    if isinstance(body, dict):
        return {key: _filled(value, ref) for key, value in body.items()}
    return body


def test_every_route_is_listed_here(client: TestClient) -> None:
    listed = set(API_ROUTES) | PUBLIC_API | set(WEB_ROUTES) | PUBLIC_WEB
    new = _served(client) - listed
    assert not new, f"routes not checked by this module; list them with their check: {new}"
    gone = (set(API_ROUTES) | set(WEB_ROUTES)) - _served(client)
    assert not gone, f"listed here but no longer served: {gone}"


def test_no_route_answers_without_a_sign_in(client: TestClient, case_ref: str) -> None:
    for method, path in sorted(API_ROUTES):
        response = client.request(
            method, _url(path, case_ref), json=_filled(API_ROUTES[(method, path)], case_ref)
        )
        assert response.status_code == 401, (method, path, response.text)
    for method, path in sorted(WEB_ROUTES):
        response = client.request(method, _url(path, case_ref), follow_redirects=False)
        assert response.status_code in (303, 403), (method, path)
        assert SUMMARY not in response.text


def test_the_denounced_officer_learns_nothing_on_any_route(
    app: Casework, client: TestClient, excluded: tuple[dict[str, str], str]
) -> None:
    denounced, officer = excluded
    case_ref = _logged(app, denounced)
    tokens = issue_tokens(app, [officer])
    for method, path in sorted(API_ROUTES):
        response = client.request(
            method,
            _url(path, case_ref),
            json=_filled(API_ROUTES[(method, path)], case_ref),
            headers=as_(tokens, officer),
        )
        if "{ref}" in path:
            assert response.status_code in (403, 404), (method, path, response.text)
            if response.status_code == 404:
                assert response.json()["detail"].startswith(f"no case {case_ref!r}")
            else:
                assert "may not" in response.json()["detail"]  # his role, not the case
        assert SUMMARY not in response.text, (method, path)
        assert SENDER not in response.text, (method, path)
        # a reference he sent comes back only as one refused, never with what the case holds
        names_it = "{ref}" in path or "{ref}" in str(API_ROUTES[(method, path)])
        assert case_ref not in response.text or names_it, (method, path)
        if names_it and "{ref}" not in path and response.status_code == 200:
            assert response.json()["done"] == [], (method, path)
    page = client.post(
        "/login",
        data={"username": officer, "password": PASSWORD, "csrf_token": _csrf(client)},
    )
    assert page.status_code == 200
    token = _csrf(client, "/cases")
    for method, path in sorted(WEB_ROUTES):
        data = {**_filled(WEB_ROUTES[(method, path)], case_ref), "csrf_token": token}
        response = client.request(
            method, _url(path, case_ref), data=data if method == "POST" else None
        )
        if method == "GET" and "{ref}" in path:
            assert response.status_code == 404, (method, path)
        assert SUMMARY not in response.text, (method, path)
        assert SENDER not in response.text, (method, path)


def _csrf(client: TestClient, page: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found
    return found.group(1)


# ---- the CLI ----

SYSTEM_COMMANDS = {
    # the engine's own work and set-up: acts for nobody, shows no case's content
    "init", "up", "engine", "serve",
    "deadlines sweep", "deadlines recompute", "deadlines digest", "outbox deliver",
    "outbox bounces",
    # reference data and integrity: no case, no identity
    "rules list", "rules diagram", "rules check", "calendar due", "calendar show", "audit verify",
    # the structure every officer reads (relations only with an administrator's --by), and the
    # first load of an empty database (a replacement needs an administrator's --by)
    "org show", "org load",
    # the keys: ids and counts only, never a key, an identity or a case (rotate and retire
    # take an administrator's --by)
    "keys check", "keys new",
}  # fmt: skip
ARGUMENTS = {
    "kind": "denunciation",
    "trigger": "triage",
    "officer": "tt-xac-minh-1",
    "officer_code": "tt-xac-minh-1",
    "username": "tt-xac-minh-1",
    "escalation_id": "1",
    "message_id": "1",
    "token_id": "1",
    "key": "0123456789abcdef",
}
REQUIRED_OPTIONS = {
    "case new": ["--agency", "thanh-tra-tinh", "--summary", "x"],
    "report counts": ["--from", "2024-01-01", "--to", "2024-12-31"],
    "user add": ["--password", "một câu mật khẩu dài"],
    "user passwd": ["--password", "một câu mật khẩu dài"],
    "outbox handed": ["--how", "trao tay"],
    "case assign-many": ["--to", "tt-xac-minh-1"],
    "case note": ["--text", "ghi chú"],
}


def _commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf command under `group` (Typer's command objects), with its full name."""
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        if hasattr(command, "commands"):
            yield from _commands(command, f"{full} ")
        else:
            yield full, command


def _is_argument(param: Any) -> bool:
    return isinstance(param, TyperArgument)


def _invocation(name: str, command: Any, ref: str) -> list[str]:
    args = name.split()
    for param in command.params:
        if not _is_argument(param):
            continue
        value = ref if param.name == "ref" else ARGUMENTS.get(str(param.name))
        if value is None and not param.required:
            continue
        assert value is not None, f"say what `{name}` takes as {param.name} (ARGUMENTS)"
        args.append(value)
    return args + REQUIRED_OPTIONS.get(name, [])


@pytest.fixture
def cli(sqlite_app: Casework, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CASEWORK_DATABASE_URL", sqlite_app.database.url.render_as_string(False))
    monkeypatch.setenv("CASEWORK_HOME", str(Path(sqlite_app.settings.home)))
    common.reset_casework_app()
    yield CliRunner()
    common.reset_casework_app()


def test_every_command_names_its_officer_and_tells_the_denounced_nothing(
    sqlite_app: Casework, cli: CliRunner, excluded: tuple[dict[str, str], str]
) -> None:
    denounced, officer = excluded
    ref = _logged(sqlite_app, denounced)
    root = typer.main.get_command(cli_app)
    checked = 0
    for name, command in _commands(root):
        takes_by = any("--by" in getattr(p, "opts", []) for p in command.params)
        if name in SYSTEM_COMMANDS:
            continue
        assert takes_by, f"`casework {name}` acts for nobody: give it --by (or list it as system)"
        args = _invocation(name, command, ref)
        nobody = cli.invoke(cli_app, args, env={"CASEWORK_OPERATOR": ""})
        assert nobody.exit_code != 0, name
        assert "acts as a named officer" in nobody.stderr, (name, nobody.stderr)
        answer = cli.invoke(cli_app, [*args, "--by", officer])
        assert SUMMARY not in answer.output, name
        assert SENDER not in answer.output, name
        if any(_is_argument(p) and p.name == "ref" for p in command.params):
            # no case, or a refusal by his role that says nothing of the case
            assert answer.exit_code in (3, 9), (name, answer.output)
            if answer.exit_code == 3:
                assert f"no case {ref!r}" in answer.stderr, name
            else:
                assert ref not in answer.stderr, name
        checked += 1
    assert checked >= 20
