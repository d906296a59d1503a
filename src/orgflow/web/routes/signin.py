"""Signing in and out on a page, choosing the language, and the front door ``/``.

The sign-in form posts user id and password; the same runtime action as the
API's ``POST /api/v1/auth/login`` checks them (argon2id, lockout after five
failures), behind the same per-address throttle. Success sets the session
cookie and goes on to ``next`` (a path on this site) or 我的工作.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from orgflow.api.dependencies import source_address
from orgflow.api.routes.auth import login_throttle
from orgflow.auth.cookies import SAME_SITE, clear_session_cookie, secure_for, set_session_cookie
from orgflow.errors import TooManyAttempts
from orgflow.runtime.actions import SignIn, SignOut
from orgflow.web.i18n import LANG_COOKIE, known_locale
from orgflow.web.rendering import AnyonePage, SignedInPage
from orgflow.web.session import PostedForm, local_path

router = APIRouter(include_in_schema=False)

#: Where people land after signing in.
HOME = "/work"

#: A year: how long the language choice is remembered.
_LANG_MAX_AGE = 365 * 24 * 3600


@router.get("/")
def front_door() -> RedirectResponse:
    """The site's root: 我的工作 (which sends anyone not signed in to the sign-in page)."""
    return RedirectResponse(HOME, status_code=303)


@router.get("/login")
def sign_in_form(page: AnyonePage, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """The sign-in form."""
    return page.render("signin.html", next=local_path(next, HOME), user_id="", error=None)


@router.post("/login")
def sign_in(
    page: AnyonePage,
    request: Request,
    user_id: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
) -> Response:
    """Check the password; on success set the session cookie and go on to ``next``."""
    target = local_path(next, HOME)
    user_id = user_id.strip()
    if not user_id or not password:
        error = page.t("请输入用户名和密码")
        return page.render("signin.html", status=400, next=target, user_id=user_id, error=error)
    source = source_address(request)
    try:
        login_throttle(request).attempt(source)
    except TooManyAttempts as refused:
        return page.render("signin.html", status=429, next=target, user_id=user_id, error=str(refused))
    result = page.runtime.execute(SignIn(user_id, password, source=source), source=source)
    if not result.ok or result.session is None:
        return page.render("signin.html", status=401, next=target, user_id=user_id, error=result.message)
    answer = RedirectResponse(target, status_code=303)
    set_session_cookie(answer, result.session, secure=secure_for(request))
    return answer


@router.post("/logout")
def sign_out(page: SignedInPage, form: PostedForm, request: Request) -> Response:
    """End the session and clear its cookie."""
    viewer = page.viewer
    assert viewer is not None
    source = source_address(request)
    page.runtime.execute(SignOut(viewer.credential_id, actor=viewer.user_id), source=source)
    answer = RedirectResponse("/login", status_code=303)
    clear_session_cookie(answer, secure=secure_for(request))
    return answer


@router.get("/lang")
def choose_language(
    request: Request,
    to: Annotated[str, Query(max_length=10)] = "zh-CN",
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """Remember the chosen language in a cookie and go back to the page."""
    answer = RedirectResponse(local_path(next, HOME), status_code=303)
    answer.set_cookie(
        LANG_COOKIE, known_locale(to), max_age=_LANG_MAX_AGE, path="/", samesite=SAME_SITE,
        secure=secure_for(request),
    )  # fmt: skip
    return answer
