"""What routes ask FastAPI for: the runtime, the caller, their address, a page of a list.

Routes declare ``caller: Caller`` and get the authenticated ``Principal`` (or
the request ends with 401); ``runtime: RuntimeDep`` is the one ``Runtime``
the app was built around.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from orgflow.api.pagination import PageRequest, page_request
from orgflow.auth.authenticator import Authenticator
from orgflow.auth.principal import Principal
from orgflow.runtime.facade import Runtime


def runtime_of(request: Request) -> Runtime:
    """The runtime the app serves."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def current_principal(request: Request) -> Principal:
    """Who is calling (cached on the request, so several dependencies share one look-up).

    Raises:
        NotSignedIn: No usable credentials (the API answers 401).
    """
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator.authenticate(request.headers, request.cookies)
    request.state.principal = principal
    return principal


def source_address(request: Request) -> str:
    """The client's address, for the audit trail (``unknown`` when the server does not say)."""
    return request.client.host if request.client else "unknown"


RuntimeDep = Annotated[Runtime, Depends(runtime_of)]
Caller = Annotated[Principal, Depends(current_principal)]
Source = Annotated[str, Depends(source_address)]
Paging = Annotated[PageRequest, Depends(page_request)]
