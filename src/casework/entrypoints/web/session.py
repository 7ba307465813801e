"""Web sessions: who is signed in (the signed cookie carries a session identifier; the session
itself is kept server-side, services/web_sessions.py), the language, and the CSRF token every
form carries (a per-session secret compared in constant time)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from casework.domain.access import Principal
from casework.domain.errors import NotSignedIn
from casework.entrypoints.api.state import casework_of, now_of
from casework.services.users import principal_for_session
from casework.services.web_sessions import COOKIE_KEY

CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """Raised by a page when nobody is signed in; answered with a redirect to /login."""


def signed_in(request: Request) -> Principal:
    """Who is signed in, or SignInRequired (the cookie's session ended or never began)."""
    session_id = request.session.get(COOKIE_KEY)
    if not session_id:
        raise SignInRequired
    try:
        return principal_for_session(casework_of(request), str(session_id), now_of(request))
    except NotSignedIn:
        lang = language(request)
        request.session.clear()
        request.session["lang"] = lang
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

        refused = NotAllowed("the form has expired or did not come from this site; reload the page")
        refused.vi = "Biểu mẫu đã hết hạn hoặc không được gửi từ trang này: tải lại trang"
        raise refused
