"""Web sessions: who is signed in (a signed cookie), the language, and the CSRF token every
form carries (a per-session secret compared in constant time)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from casework.domain.access import Principal
from casework.domain.errors import NotSignedIn
from casework.entrypoints.api.state import casework_of
from casework.services.users import principal_for

CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """Raised by a page when nobody is signed in; answered with a redirect to /login."""


def signed_in(request: Request) -> Principal:
    username = request.session.get("username")
    if not username:
        raise SignInRequired
    try:
        return principal_for(
            casework_of(request), str(username), int(request.session.get("version", 0))
        )
    except NotSignedIn:
        request.session.clear()
        raise SignInRequired from None


def language(request: Request) -> str:
    return str(request.session.get("lang", "vi"))


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form that does not carry this session's token (a forged cross-site post)."""
    expected = str(request.session.get("csrf", ""))
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        from casework.domain.errors import NotAllowed

        raise NotAllowed("the form has expired or did not come from this site; reload the page")
