"""The teacher's session on the pages: the same bearer token as the REST API, kept in an
HttpOnly cookie, and a CSRF token derived from it for every form.

The CSRF token is a hash of the session token: a page of another site can neither read the
cookie nor compute the hash, and nothing extra is stored, so several replicas agree on it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from api.accounts.dependencies import SESSION_COOKIE, resolve_teacher
from api.accounts.service import SignedInTeacher
from api.core.errors import AppError, Forbidden
from api.pages.forms import require_same_origin

LOGIN_CSRF_COOKIE = "it_login_csrf"


class SignInRequired(Exception):
    """The page needs a signed-in teacher; the handler redirects to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class ExpiredForm(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This form has expired or was not sent from this site: reload the page and try again."
        )


def sign_in_redirect(exc: SignInRequired) -> RedirectResponse:
    """Where an anonymous visitor of a teacher page goes."""
    return RedirectResponse(f"/?next={quote(exc.next_url)}", status_code=303)


def csrf_for(session_token: str) -> str:
    """The CSRF token of a session."""
    return hashlib.sha256(f"csrf:{session_token}".encode()).hexdigest()[:40]


async def page_teacher(request: Request) -> SignedInTeacher:
    """The teacher signed in through the session cookie, or SignInRequired."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired(request.url.path)
    try:
        teacher = await resolve_teacher(request, token)
    except AppError as exc:
        if exc.status_code == 429:
            raise
        raise SignInRequired(request.url.path) from None
    request.state.csrf_token = csrf_for(token)
    return teacher


async def check_form(request: Request, csrf_token: str | None) -> None:
    """A teacher's form: same origin and the session's CSRF token."""
    require_same_origin(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    if not csrf_token or not token or not hmac.compare_digest(csrf_for(token), csrf_token):
        raise ExpiredForm()


def set_session(request: Request, response: Response, token: str, max_age: int) -> None:
    """Keep the teacher's token in the session cookie."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_csrf(request: Request) -> str:
    """A double-submit token for the sign-in form (there is no session yet)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf(request: Request, response: Response, token: str) -> None:
    """Send the sign-in form's token as a cookie too."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def check_login_csrf(request: Request, form_token: str | None) -> None:
    """The sign-in form came from our page."""
    require_same_origin(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not form_token or not hmac.compare_digest(cookie, form_token):
        raise ExpiredForm()
