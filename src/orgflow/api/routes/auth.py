"""Signing in and out of a browser session: ``POST /auth/login`` sets the cookie, ``/auth/logout`` ends it.

Sign-in attempts are throttled per source address (:class:`~orgflow.auth.throttle.LoginThrottle`,
one per app, in memory) before the runtime checks the password; a refused
sign-in is the runtime's answer, turned here into a 401 (code ``locked`` once
the account is locked). The cookie's attributes are :mod:`orgflow.auth.cookies`'s;
whether it is ``Secure`` follows ``app.state.cookie_secure`` (the setting
``ORGFLOW_COOKIE_SECURE``; ``None`` or unset: automatic).
"""

from __future__ import annotations

import threading
from typing import Any, Final

from fastapi import APIRouter, Request, Response, status

from orgflow.api.dependencies import Caller, RuntimeDep, Source, runtime_of
from orgflow.api.problems import PROBLEM_RESPONSES, Problem
from orgflow.api.schemas.auth import LoginBody, LoginOut
from orgflow.auth.cookies import clear_session_cookie, secure_for, set_session_cookie
from orgflow.auth.principal import VIA_SESSION
from orgflow.auth.throttle import LoginThrottle
from orgflow.errors import AccountLocked, ConfigurationError, NotSignedIn
from orgflow.runtime.actions import SignIn, SignOut
from orgflow.runtime.views.accounts import LOCKED

router = APIRouter(prefix="/api/v1/auth", tags=["账号"], responses=PROBLEM_RESPONSES)

_THROTTLED: Final[dict[int | str, dict[str, Any]]] = {
    429: {"model": Problem, "description": "登录尝试过于频繁"}
}
_CREATING = threading.Lock()


def login_throttle(request: Request) -> LoginThrottle:
    """The app's sign-in throttle, made on first use with the runtime's clock."""
    state = request.app.state
    throttle = getattr(state, "login_throttle", None)
    if throttle is None:
        with _CREATING:
            throttle = getattr(state, "login_throttle", None)
            if throttle is None:
                throttle = LoginThrottle(runtime_of(request).clock)
                state.login_throttle = throttle
    assert isinstance(throttle, LoginThrottle)
    return throttle


@router.post("/login", summary="登录", response_model=LoginOut, responses=_THROTTLED)
def login(
    body: LoginBody, request: Request, response: Response, runtime: RuntimeDep, source: Source
) -> LoginOut:
    """Sign in with user id and password: sets the session cookie and answers the CSRF token.

    The same 401 answers an unknown user and a wrong password; after five failures in a row
    the account is locked for 15 minutes (401, code ``locked``); more than ten attempts a
    minute from one address are refused (429).
    """
    login_throttle(request).attempt(source)
    result = runtime.execute(SignIn(body.user_id, body.password, source=source), source=source)
    if result.outcome == LOCKED:
        raise AccountLocked(result.message)
    if not result.ok or result.session is None or result.csrf_token is None or result.expires_at is None:
        raise NotSignedIn(result.message)
    set_session_cookie(response, result.session, secure=secure_for(request))
    return LoginOut(
        user_id=result.user_id,
        name=runtime.queries.org().name_of(result.user_id),
        csrf_token=result.csrf_token,
        expires_at=result.expires_at,
    )


@router.post("/logout", summary="退出登录", status_code=status.HTTP_204_NO_CONTENT)
def logout(caller: Caller, request: Request, runtime: RuntimeDep, source: Source) -> Response:
    """End the caller's browser session and clear its cookie (needs ``X-CSRF-Token`` like any change)."""
    if caller.via != VIA_SESSION:
        raise ConfigurationError("退出登录只用于浏览器登录会话；API 令牌请用 DELETE /api/v1/tokens/{id} 吊销")
    runtime.execute(SignOut(caller.credential_id, actor=caller.user_id), source=source)
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(answer, secure=secure_for(request))
    return answer
