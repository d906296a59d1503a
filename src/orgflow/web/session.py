"""Who is looking at a page, and the proof a posted form came from one of OrgFlow's own pages.

Pages read the same browser session as the API (the ``orgflow_session``
cookie, :mod:`orgflow.auth.authenticator`). Someone not signed in is sent to
the sign-in page, which brings them back afterwards (``next``, a path on this
site only). A posted form must carry the session's CSRF token in its
``csrf_token`` field, as the API's unsafe requests carry it in a header; the
files it brings are closed once the page has answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from orgflow.auth.authenticator import Authenticator
from orgflow.auth.principal import Principal
from orgflow.auth.secrets import same
from orgflow.errors import CsrfRefused, NotSignedIn

#: The hidden form field carrying the CSRF token.
CSRF_FIELD = "csrf_token"


class SignInNeeded(Exception):
    """The page needs a signed-in person; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site (no scheme, host or ``//``), else ``default``.

    Keeps ``/login?next=`` from sending a person on to another site (an open redirect).
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def page_principal(request: Request) -> Principal:
    """The signed-in person, or :class:`SignInNeeded` to come back to this page after signing in."""
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    authenticator: Authenticator = request.app.state.authenticator
    try:
        principal = authenticator.authenticate(request.headers, request.cookies)
    except NotSignedIn:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(here) from None
    request.state.principal = principal
    return principal


async def posted_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, refused unless it echoes the signed-in session's CSRF token.

    Its uploaded files are closed (their temporary files removed) once the
    route is done, however it ends (refused, rejected or done), rather than
    left to the garbage collector.

    Raises:
        SignInNeeded: Nobody is signed in.
        CsrfRefused: The form has no ``csrf_token`` or a wrong one (an old page or another site).
    """
    principal = page_principal(request)
    form = await request.form()
    try:
        given = form.get(CSRF_FIELD)
        expected = principal.csrf_token
        if not isinstance(given, str) or not given or expected is None or not same(given, expected):
            raise CsrfRefused("表单已过期或不是从本站页面提交的，请刷新页面后重试")
        yield form
    finally:
        await form.close()


Viewer = Annotated[Principal, Depends(page_principal)]
PostedForm = Annotated[FormData, Depends(posted_form)]
