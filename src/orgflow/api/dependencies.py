"""What routes ask FastAPI for: the runtime, the caller, their address, a page of a list.

Routes declare ``caller: Caller`` and get the authenticated ``Principal`` (or
the request ends with 401); ``runtime: RuntimeDep`` is the one ``Runtime``
the app was built around.

The dependencies are ``async``: FastAPI runs each *sync* dependency in its
threadpool, and a hop there and back cost more than most of them do. Only a
credential look-up that touches the database goes to the threadpool (a bearer
token seen a moment ago is answered from :mod:`orgflow.auth.principal_cache`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from orgflow.api.pagination import PageRequest, page_request
from orgflow.auth.authenticator import Authenticator
from orgflow.auth.csrf import CSRF_HEADER, check_csrf
from orgflow.auth.principal import Principal
from orgflow.runtime.facade import Runtime


def runtime_of(request: Request) -> Runtime:
    """The runtime the app serves."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def authenticator_of(request: Request) -> Authenticator:
    """The app's authenticator (routes that revoke or deactivate tell its memory of tokens)."""
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


def current_principal(request: Request) -> Principal:
    """Who is calling (kept on the request, so several dependencies share one look-up).

    Sync, for callers outside FastAPI's dependency injection (it may read the database);
    routes use :data:`Caller`, which is :func:`caller_of`.

    A browser session's unsafe request (POST, PUT, PATCH, DELETE) must also carry
    the session's CSRF token in ``X-CSRF-Token``; bearer tokens need none.

    Raises:
        NotSignedIn: No usable credentials (the API answers 401).
        CsrfRefused: A session's unsafe request without its CSRF token (403).
    """
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator.authenticate(request.headers, request.cookies)
    check_csrf(principal, request.method, request.headers.get(CSRF_HEADER))
    request.state.principal = principal
    return principal


async def caller_of(request: Request) -> Principal:
    """:func:`current_principal` as a dependency: the database only when the token is not remembered."""
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator.cached(request.headers)
    if principal is None:
        return await run_in_threadpool(current_principal, request)
    check_csrf(principal, request.method, request.headers.get(CSRF_HEADER))
    request.state.principal = principal
    return principal


def source_address(request: Request) -> str:
    """The client's address, for the audit trail (``unknown`` when the server does not say)."""
    return request.client.host if request.client else "unknown"


async def _runtime(request: Request) -> Runtime:
    return runtime_of(request)


async def _source(request: Request) -> str:
    return source_address(request)


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
Caller = Annotated[Principal, Depends(caller_of)]
Source = Annotated[str, Depends(_source)]
Paging = Annotated[PageRequest, Depends(page_request)]
#: An instance named in a path: its id or its business key (任务ID).
InstanceRef = Annotated[
    str, Path(min_length=1, max_length=200, description="流程实例 ID 或任务ID（业务编号）")
]
