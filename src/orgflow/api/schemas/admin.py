"""Bodies of the administrators' endpoints: background jobs and the failed ones (incidents)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from orgflow.api.schemas.work_items import View
from orgflow.store.jobs import JobStatus


class JobOut(View):
    """A background job: what it does, when it is due, how its runs went.

    Its payload is not shown: it may carry data the administrator need not see
    (the subject and instance say what it is about).
    """

    id: str
    kind: str = Field(description="任务类型，如 timer.fire、notify.deliver")
    status: JobStatus = Field(description="pending 待执行 | failed 已失败（需处理的异常）")
    run_at: datetime = Field(description="到期时间")
    subject: str | None = Field(description="任务对象（待办或实例 ID）")
    instance_id: str | None
    attempts: int
    max_attempts: int
    lock_owner: str | None = Field(description="正在执行它的执行器")
    locked_until: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
