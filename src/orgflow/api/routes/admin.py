"""Administrators' view of the background jobs: list them, find the failed ones (incidents), retry one.

Both need 管理后台任务 (administrators only). Retrying is the job queue's own
write (:meth:`orgflow.runtime.job_admin.JobAdmin.retry`: one statement in its
own transaction), not an action through the executor.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from orgflow.access.roles import Permission, require
from orgflow.api.dependencies import Caller, Paging, RuntimeDep
from orgflow.api.pagination import Page, page_of
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.schemas.admin import JobOut
from orgflow.store.jobs import JobStatus

router = APIRouter(prefix="/api/v1/admin", tags=["后台管理"], responses=PROBLEM_RESPONSES)


@router.get("/jobs", summary="后台任务列表（含失败任务）", response_model=Page[JobOut])
def jobs(
    caller: Caller,
    runtime: RuntimeDep,
    paging: Paging,
    status: Annotated[
        JobStatus | None, Query(description="pending 待执行 | failed 已失败（需处理的异常）")
    ] = None,
    kind: Annotated[str | None, Query(max_length=100, description="任务类型")] = None,
) -> Page[JobOut]:
    """Jobs in due order; failed ones most recently failed first."""
    require(caller, runtime.queries.org(), Permission.JOB_ADMIN)
    found = runtime.jobs.list(status=status, kind=kind, limit=paging.limit, offset=paging.offset)
    total = runtime.jobs.count(status=status, kind=kind)
    return page_of([JobOut.model_validate(job) for job in found], total, paging)


@router.post("/jobs/{job_id}/retry", summary="重试失败的任务", response_model=JobOut)
def retry(
    job_id: Annotated[str, Path(min_length=1, max_length=200, description="已失败的任务 ID")],
    caller: Caller,
    runtime: RuntimeDep,
) -> JobOut:
    """Make a failed job due now, its attempts from zero; a worker runs it soon (409: it has not failed)."""
    require(caller, runtime.queries.org(), Permission.JOB_ADMIN)
    return JobOut.model_validate(runtime.jobs.retry(job_id))
