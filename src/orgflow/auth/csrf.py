"""CSRF protection for browser sessions: unsafe requests must echo the session's token.

A browser sends the session cookie by itself, also on requests another site
makes it send; a header it does not add by itself, ``X-CSRF-Token`` carrying
the token the sign-in answered with, proves the page making the request is
OrgFlow's own. Bearer tokens need no such proof: nothing sends them unasked.

Only the header is read for now; HTML forms (the web UI) will send a
``csrf_token`` field the same way.
"""

from __future__ import annotations

from typing import Final

from orgflow.auth.principal import VIA_SESSION, Principal
from orgflow.auth.secrets import same
from orgflow.errors import CsrfRefused

#: The request header carrying the CSRF token.
CSRF_HEADER: Final = "X-CSRF-Token"

#: Methods that change nothing, which need no token.
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def check_csrf(principal: Principal, method: str, given: str | None) -> None:
    """Refuse an unsafe request on a browser session that does not echo the session's CSRF token.

    Raises:
        CsrfRefused: The header is missing or does not match.
    """
    if principal.via != VIA_SESSION or method.upper() in SAFE_METHODS:
        return
    expected = principal.csrf_token
    if not given:
        raise CsrfRefused(
            f"请求缺少 {CSRF_HEADER} 请求头：通过浏览器登录会话修改数据时需要带上登录时返回的 csrf_token"
        )
    if expected is None or not same(given, expected):
        raise CsrfRefused(f"{CSRF_HEADER} 与当前登录会话不符，请刷新页面或重新登录")
