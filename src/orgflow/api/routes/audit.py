"""The audit trail for auditors: list its links, verify its chain.

Both need 查看审计记录, which only auditors (审计员) hold; administrators do not
(separation of duties: whoever runs the system does not also read its
trail). A refused attempt to read the trail is itself recorded, as a
``refused`` link.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from orgflow.access.roles import Permission, require
from orgflow.api.dependencies import Caller, Paging, RuntimeDep, Source
from orgflow.api.pagination import Page, page_of
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.schemas.audit import AuditRecordOut, VerifyOut
from orgflow.audit.summary import Attempt
from orgflow.auth.principal import Principal
from orgflow.errors import ConfigurationError, PermissionDenied
from orgflow.runtime.facade import Runtime
from orgflow.store.audit import AuditFilter

router = APIRouter(prefix="/api/v1/audit", tags=["审计"], responses=PROBLEM_RESPONSES)

Moment = Annotated[
    AwareDatetime | None, Query(description="ISO 8601 时间，须带时区，如 2026-12-03T09:00:00+08:00")
]


@router.get("", summary="审计记录（最新的在前）", response_model=Page[AuditRecordOut])
def records(
    caller: Caller,
    runtime: RuntimeDep,
    paging: Paging,
    source: Source,
    actor: Annotated[str | None, Query(max_length=200, description="只看该操作人的记录")] = None,
    action: Annotated[
        str | None, Query(max_length=100, description="只看该操作，如 start_process；refused：被拒绝的操作")
    ] = None,
    since: Moment = None,
    until: Moment = None,
) -> Page[AuditRecordOut]:
    """Links of the trail matching the filters, newest first (``since`` inclusive, ``until`` exclusive)."""
    _require_auditor(caller, runtime, source, "read_audit")
    where = AuditFilter(
        actor=actor, action=action, since=_checked(since, "since"), until=_checked(until, "until")
    )
    page = runtime.audit.page(where, limit=paging.limit, offset=paging.offset)
    return page_of([AuditRecordOut.of(record) for record in page.records], page.total, paging)


@router.get("/verify", summary="校验审计链", response_model=VerifyOut)
def verify(caller: Caller, runtime: RuntimeDep, source: Source) -> VerifyOut:
    """Walk the whole chain: ``ok`` with the count, or the first edited or deleted row, by its number."""
    _require_auditor(caller, runtime, source, "verify_audit")
    return VerifyOut.of(runtime.audit.verify())


def _require_auditor(caller: Principal, runtime: Runtime, source: str, attempt: str) -> None:
    """Refuse (and record the refusal) unless the caller may read the audit trail."""
    try:
        require(caller, runtime.queries.org(), Permission.AUDIT_READ)
    except PermissionDenied as error:
        runtime.audit_trail.refused(Attempt(attempt, caller.user_id), str(error), source)
        raise


def _checked(moment: AwareDatetime | None, name: str) -> AwareDatetime | None:
    """A filter time that has a UTC equivalent (year 1 with an offset east of UTC has none)."""
    if moment is None:
        return None
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ConfigurationError(f"{name} 超出可表示的时间范围：{moment.isoformat()}") from None
    return moment
