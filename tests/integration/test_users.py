"""Logins: Argon2-hashed passwords, roles, API tokens, and the principal they stand for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from tests.conftest import at

from casework.domain.access import Action
from casework.domain.errors import InvalidInput, NotAllowed, NotFound, NotSignedIn
from casework.domain.organisation import Role
from casework.services.app import Casework
from casework.services.users import (
    add_user,
    create_token,
    list_tokens,
    principal_for_token,
    revoke_token,
    set_password,
    set_roles,
    sign_in,
)

pytestmark = pytest.mark.integration

NOW = at("2024-01-02")
PASSWORD = "một câu mật khẩu dài"


def test_a_login_takes_the_officers_roles_and_a_hashed_password(app: Casework) -> None:
    assert add_user(app, "tt-chanh-thanh-tra", PASSWORD, NOW) == ["head", "supervisor"]
    with app.database.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM app_user")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    who = sign_in(app, "tt-chanh-thanh-tra", PASSWORD)
    assert (who.agency, who.roles) == ("thanh-tra-tinh", frozenset({Role.HEAD, Role.SUPERVISOR}))
    assert who.may(Action.ASSIGN_CASE)
    with pytest.raises(NotAllowed, match="needs: admin"):
        who.require(Action.ADMINISTER)


def test_bad_credentials_never_say_which_part_was_wrong(app: Casework) -> None:
    add_user(app, "tt-tiep-nhan", PASSWORD, NOW)
    for username, password in [("tt-tiep-nhan", "sai mật khẩu rồi"), ("nobody", PASSWORD)]:
        with pytest.raises(NotSignedIn, match=r"^wrong username or password$"):
            sign_in(app, username, password)


def test_passwords_roles_and_refusals(app: Casework) -> None:
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        add_user(app, "tt-tiep-nhan", "short", NOW)
    with pytest.raises(NotFound, match="no officer 'ghost'"):
        add_user(app, "ghost", PASSWORD, NOW)
    add_user(app, "tt-tiep-nhan", PASSWORD, NOW)
    with pytest.raises(InvalidInput, match="already has a login"):
        add_user(app, "tt-tiep-nhan", PASSWORD, NOW)
    with pytest.raises(InvalidInput, match="unknown roles boss; roles: reception"):
        set_roles(app, "tt-tiep-nhan", ["boss"], [], NOW)
    assert set_roles(app, "tt-tiep-nhan", ["handler"], ["reception"], NOW) == ["handler"]
    set_password(app, "tt-tiep-nhan", "một mật khẩu mới hơn", NOW)
    with pytest.raises(NotSignedIn):
        sign_in(app, "tt-tiep-nhan", PASSWORD)
    assert sign_in(app, "tt-tiep-nhan", "một mật khẩu mới hơn").roles == {Role.HANDLER}


def test_a_token_is_shown_once_and_only_its_digest_is_kept(app: Casework) -> None:
    add_user(app, "tt-xac-minh-1", PASSWORD, NOW)
    token = create_token(app, "tt-xac-minh-1", "export", NOW)
    assert token.startswith("cw_")
    with app.database.connect() as connection:
        digest = connection.execute(text("SELECT token_digest FROM api_token")).scalar_one()
    assert token not in digest
    assert principal_for_token(app, token, NOW).username == "tt-xac-minh-1"
    with pytest.raises(NotSignedIn, match="unknown or revoked"):
        principal_for_token(app, token + "x", NOW)
    with app.database.begin() as connection:
        connection.execute(text("UPDATE app_user SET disabled = true"))
    with pytest.raises(NotSignedIn, match="disabled"):
        principal_for_token(app, token, NOW)


def test_a_token_stops_at_its_expiry_its_revocation_and_a_password_change(app: Casework) -> None:
    add_user(app, "tt-xac-minh-1", PASSWORD, NOW)
    short = create_token(app, "tt-xac-minh-1", "one week", NOW, days=7)
    assert principal_for_token(app, short, NOW + timedelta(days=6)).username == "tt-xac-minh-1"
    with pytest.raises(NotSignedIn, match="expired on"):
        principal_for_token(app, short, NOW + timedelta(days=7, seconds=1))
    revoked = create_token(app, "tt-xac-minh-1", "export", NOW)
    [listed] = [t for t in list_tokens(app, "tt-xac-minh-1") if t["label"] == "export"]
    assert listed["expires_at"].startswith((NOW + timedelta(days=90)).date().isoformat())
    revoke_token(app, listed["id"], NOW, "ubnd-quan-tri")
    with pytest.raises(NotSignedIn, match="unknown or revoked"):
        principal_for_token(app, revoked, NOW)
    with pytest.raises(InvalidInput, match="already revoked"):
        revoke_token(app, listed["id"], NOW, "ubnd-quan-tri")
    kept = create_token(app, "tt-xac-minh-1", "nightly", NOW)
    principal_for_token(app, kept, NOW)
    assert next(t["last_used_at"] for t in list_tokens(app, "tt-xac-minh-1")) is not None
    set_password(app, "tt-xac-minh-1", "một mật khẩu mới hơn", NOW)
    with pytest.raises(NotSignedIn, match="a password change revokes them"):
        principal_for_token(app, kept, NOW)
    with pytest.raises(InvalidInput, match="from 1 to 366 days"):
        create_token(app, "tt-xac-minh-1", "forever", NOW, days=10_000)
