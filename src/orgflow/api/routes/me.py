"""Who am I: the caller's identity, roles and permissions (also a cheap authenticated ping)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from orgflow.access.roles import permissions_of, roles_of
from orgflow.api.dependencies import Caller, RuntimeDep
from orgflow.api.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["账号"], responses=PROBLEM_RESPONSES)


class Me(BaseModel):
    """The caller as the service sees them."""

    user_id: str
    name: str
    via: str
    token_kind: str | None
    roles: list[str]
    permissions: list[str]
    definitions: list[str] | None


@router.get("/me", summary="当前用户", response_model=Me)
def me(caller: Caller, runtime: RuntimeDep) -> Me:
    """The caller's identity, roles and permissions."""
    chart = runtime.queries.org()
    roles = roles_of(caller, chart)
    return Me(
        user_id=caller.user_id,
        name=chart.name_of(caller.user_id),
        via=caller.via,
        token_kind=caller.token_kind,
        roles=sorted(role.value for role in roles),
        permissions=sorted(permission.value for permission in permissions_of(roles)),
        definitions=sorted(caller.definitions) if caller.definitions is not None else None,
    )
