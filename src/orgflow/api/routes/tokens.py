"""API tokens: list one's own, create a personal one, revoke; administrators manage anyone's.

Who may (the adapter's part): everyone signed in lists, creates (personal) and
revokes their own tokens; 管理账号和令牌 (administrators) may list and revoke
anyone's and create integration tokens for a system's user. Callers holding an
integration token manage no tokens at all. The runtime checks the same again
(:mod:`orgflow.runtime.accounts`) and validates the grants.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from orgflow.access.roles import Permission, require
from orgflow.api.dependencies import Caller, Paging, RuntimeDep, Source, authenticator_of
from orgflow.api.pagination import Page, page_of
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.schemas.auth import IssuedTokenOut, TokenBody, TokenOut
from orgflow.auth.principal import INTEGRATION, Principal
from orgflow.errors import PermissionDenied
from orgflow.runtime.account_queries import AccountQueries
from orgflow.runtime.actions import CreateApiToken, RevokeApiToken
from orgflow.runtime.facade import Runtime

router = APIRouter(prefix="/api/v1/tokens", tags=["账号"], responses=PROBLEM_RESPONSES)

TokenId = Annotated[str, Path(min_length=1, max_length=200, description="令牌 ID")]


def _no_integration(caller: Principal) -> None:
    if caller.is_integration:
        raise PermissionDenied("系统集成令牌不能查看、创建或吊销令牌", user=caller.user_id)


def _manager(runtime: Runtime, caller: Principal) -> None:
    require(caller, runtime.queries.org(), Permission.ACCOUNT_MANAGE)


@router.get("", summary="API 令牌列表", response_model=Page[TokenOut])
def list_tokens(
    caller: Caller,
    runtime: RuntimeDep,
    paging: Paging,
    user: Annotated[
        str | None, Query(max_length=200, description="列出该用户的令牌（管理员）；默认本人")
    ] = None,
) -> Page[TokenOut]:
    """The caller's own tokens, newest first (an administrator may ask for anyone's)."""
    _no_integration(caller)
    owner = user or caller.user_id
    if owner != caller.user_id:
        _manager(runtime, caller)
    views, total = AccountQueries(runtime.database, runtime.clock).tokens(
        owner, limit=paging.limit, offset=paging.offset
    )
    return page_of([TokenOut.model_validate(view) for view in views], total, paging)


@router.post("", summary="创建 API 令牌", response_model=IssuedTokenOut, status_code=201)
def create_token(body: TokenBody, caller: Caller, runtime: RuntimeDep, source: Source) -> IssuedTokenOut:
    """Create a token; the answer is the only time the token itself is shown."""
    _no_integration(caller)
    owner = body.user_id or caller.user_id
    if body.kind == INTEGRATION or owner != caller.user_id:
        _manager(runtime, caller)
    expires_at = runtime.clock.now() + timedelta(days=body.expires_days) if body.expires_days else None
    issued = runtime.execute(
        CreateApiToken(
            owner,
            body.name,
            kind=body.kind,
            expires_at=expires_at,
            definitions=tuple(body.definitions),
            actor=caller.user_id,
        ),
        source=source,
    )
    return IssuedTokenOut(
        id=issued.id,
        token=issued.token,
        prefix=issued.prefix,
        kind=issued.kind,
        user_id=issued.user_id,
        name=body.name.strip(),
        expires_at=issued.expires_at,
        definitions=list(issued.definitions),
    )


@router.delete("/{token_id}", summary="吊销 API 令牌", response_model=TokenOut)
def revoke_token(
    token_id: TokenId, caller: Caller, runtime: RuntimeDep, source: Source, request: Request
) -> TokenOut:
    """Revoke one of the caller's tokens (an administrator: anyone's); it stops working at once.

    At once in this process (its memory of the token is dropped); another ``serve``
    process may still accept it for a few seconds (:mod:`orgflow.auth.principal_cache`).
    """
    _no_integration(caller)
    token = AccountQueries(runtime.database, runtime.clock).token(token_id)
    if token.user_id != caller.user_id:
        _manager(runtime, caller)
    revoked = runtime.execute(RevokeApiToken(token_id, actor=caller.user_id), source=source)
    authenticator_of(request).recent.forget(token_id)
    return TokenOut.model_validate(revoked)
