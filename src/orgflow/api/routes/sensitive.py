"""Who saw an instance's sensitive fields unmasked (查看记录): for administrators and auditors."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from orgflow.access.roles import Permission, require
from orgflow.api.dependencies import Caller, InstanceRef, Paging, RuntimeDep
from orgflow.api.pagination import Page, slice_page
from orgflow.api.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["敏感字段"], responses=PROBLEM_RESPONSES)

#: The most entries of one instance's log read for a page (the log of one instance stays small).
MAX_ENTRIES = 10_000


class SensitiveViewOut(BaseModel):
    """One time someone was shown the instance's sensitive fields unmasked."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    viewer: str = Field(description="查看人（用户ID）")
    instance_id: str
    fields: list[str] = Field(description="显示了明文的敏感字段")
    source: str | None = Field(description="来源：客户端地址或 cli")


@router.get(
    "/instances/{ref}/sensitive-views",
    summary="敏感字段查看记录",
    response_model=Page[SensitiveViewOut],
)
def sensitive_views(
    ref: InstanceRef, caller: Caller, runtime: RuntimeDep, paging: Paging
) -> Page[SensitiveViewOut]:
    """Who was shown the instance's sensitive fields unmasked, oldest first."""
    require(caller, runtime.queries.org(), Permission.SENSITIVE_LOG_READ)
    entries = runtime.queries.sensitive_views(ref, limit=MAX_ENTRIES)
    return slice_page([SensitiveViewOut.model_validate(entry) for entry in entries], paging)
