"""The browser session cookie: its name, its attributes, and when it is marked ``Secure``.

``HttpOnly`` keeps scripts (and so cross-site scripting) away from it;
``SameSite=Lax`` keeps other sites' forms and scripts from sending it, while a
link in an email or IM notification (DingTalk, WeCom, Feishu) still opens
OrgFlow signed in, which ``Strict`` would not; ``Path=/`` because the web UI
and the API share it. Unsafe requests must also echo the session's CSRF token
(:mod:`orgflow.auth.csrf`).

``Secure`` is decided by the setting ``ORGFLOW_COOKIE_SECURE``: on (``1``) or
off (``0``), or, when unset, *automatic*: secure unless the browser reached the
server over plain http at a loopback address (``127.0.0.1``, ``::1``,
``localhost``), where the cookie never crosses a network. The demo at
http://127.0.0.1:8000 works without settings; anything reachable from
elsewhere gets ``Secure`` (and so needs https, or an explicit ``0``).
"""

from __future__ import annotations

import ipaddress
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from orgflow.auth.policy import SESSION_ABSOLUTE

#: The cookie holding a browser session's id (the database keeps only its sha256).
SESSION_COOKIE: Final = "orgflow_session"

#: ``SameSite`` for the session cookie (see the module docstring for why not ``Strict``).
SAME_SITE: Final = "lax"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, perhaps ``[::1]``) is this machine only."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cookie_is_secure(setting: bool | None, *, scheme: str, host: str) -> bool:
    """Whether to mark the session cookie ``Secure``.

    Args:
        setting: ``ORGFLOW_COOKIE_SECURE``: ``True``/``False``, or ``None`` for automatic.
        scheme: The scheme the request arrived with (``http`` or ``https``).
        host: The host the browser asked for (the ``Host`` header, without the port).
    """
    if setting is not None:
        return setting
    return scheme != "http" or not is_loopback(host)


def set_session_cookie(response: Response, session: str, *, secure: bool) -> None:
    """Give the browser its session cookie (HttpOnly, SameSite=Lax, for the absolute session lifetime)."""
    response.set_cookie(
        SESSION_COOKIE,
        session,
        max_age=int(SESSION_ABSOLUTE.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite=SAME_SITE,
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    """Tell the browser to drop its session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite=SAME_SITE)


def secure_for(request: Request) -> bool:
    """:func:`cookie_is_secure` for ``request``, with the app's setting (``app.state.cookie_secure``)."""
    setting = getattr(request.app.state, "cookie_secure", None)
    return cookie_is_secure(setting, scheme=request.url.scheme, host=request.url.hostname or "")
