"""Work items (待办): the inbox views, a work item's form, and the task operations on it.

Who may act on a work item is the runtime's rule (its assignee, or a member
of its candidate group): a refusal there (``not_assignee``, ``not_candidate``)
answers 403. Here the caller's role must grant acting on work items, an
integration token must have been granted the work item's process, and the
actor is always the caller.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime

from orgflow.access.roles import Permission, require
from orgflow.access.scope import scope_of
from orgflow.api.dependencies import Caller, Paging, RuntimeDep, Source
from orgflow.api.guards import require_definition
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.schemas.work_items import (
    AcknowledgedOut,
    AddSignerBody,
    CompleteBody,
    InboxCountsOut,
    InboxInstanceOut,
    InboxItemOut,
    InboxPageOut,
    InstanceInbox,
    InstanceStanding,
    ProgressBody,
    ProgressOut,
    RemoveSignerBody,
    ReturnBody,
    TransferBody,
    WorkItemFormOut,
    WorkItemInbox,
)
from orgflow.auth.principal import Principal
from orgflow.errors import PermissionDenied
from orgflow.runtime.actions import (
    AcknowledgeWorkItem,
    AddSigner,
    ClaimWorkItem,
    CompleteWorkItem,
    RemoveSigner,
    ReportProgress,
    ReturnWorkItem,
    TransferWorkItem,
    UnclaimWorkItem,
    WorkItemAction,
)
from orgflow.runtime.facade import Runtime
from orgflow.runtime.views import InboxInstance, InboxItem

router = APIRouter(prefix="/api/v1", tags=["待办"], responses=PROBLEM_RESPONSES)

WorkItemId = Annotated[str, Path(min_length=1, max_length=200, description="待办 ID")]
DefinitionKey = Annotated[str | None, Query(max_length=200, description="只看这个流程定义 key")]
Department = Annotated[str | None, Query(max_length=200, description="只看这个部门（编号或名称）的")]
DueBefore = Annotated[AwareDatetime | None, Query(description="时限早于（ISO 时间，带时区）")]
DueAfter = Annotated[AwareDatetime | None, Query(description="时限不早于（ISO 时间，带时区）")]


@router.get("/inbox", summary="我的待办、已办、我发起的、抄送我的", response_model=InboxPageOut)
def inbox(
    caller: Caller,
    runtime: RuntimeDep,
    paging: Paging,
    view: Annotated[
        Literal["todo", "done", "started", "cc"],
        Query(description="todo 待办 | done 已办 | started 我发起的 | cc 抄送我的"),
    ] = "todo",
    definition_key: DefinitionKey = None,
    department: Department = None,
    due_before: DueBefore = None,
    due_after: DueAfter = None,
) -> WorkItemInbox | InstanceInbox:
    """One page of one of the caller's inbox views, with how many entries every view has."""
    require(caller, runtime.queries.org(), Permission.INSTANCE_READ)
    key = _granted_key(caller, definition_key)
    page, counts = runtime.queries.inbox_with_counts(
        caller.user_id,
        view,
        definition_key=key,
        department=department,
        due_before=due_before,
        due_after=due_after,
        limit=paging.limit,
        offset=paging.offset,
    )
    shown = {"total": page.total, "limit": paging.limit, "offset": paging.offset}
    counted = InboxCountsOut.model_validate(counts)
    if view == "todo" or view == "done":
        items = [InboxItemOut.model_validate(item) for item in page.items if isinstance(item, InboxItem)]
        return WorkItemInbox(view=view, items=items, counts=counted, **shown)
    entries = [InboxInstanceOut.model_validate(e) for e in page.items if isinstance(e, InboxInstance)]
    return InstanceInbox(view=view, items=entries, counts=counted, **shown)


@router.get("/inbox/counts", summary="各待办视图的数量", response_model=InboxCountsOut)
def inbox_counts(
    caller: Caller,
    runtime: RuntimeDep,
    definition_key: DefinitionKey = None,
    department: Department = None,
    due_before: DueBefore = None,
    due_after: DueAfter = None,
) -> InboxCountsOut:
    """How many entries 待办, 已办, 我发起的 and 抄送我的 have for the caller (same filters as the inbox)."""
    require(caller, runtime.queries.org(), Permission.INSTANCE_READ)
    counts = runtime.queries.inbox_counts(
        caller.user_id,
        definition_key=_granted_key(caller, definition_key),
        department=department,
        due_before=due_before,
        due_after=due_after,
    )
    return InboxCountsOut.model_validate(counts)


@router.get(
    "/work-items/{work_item_id}", summary="打开待办（表单与可见数据）", response_model=WorkItemFormOut
)
def work_item(
    work_item_id: WorkItemId, caller: Caller, runtime: RuntimeDep, source: Source
) -> WorkItemFormOut:
    """An open work item with its step's form, field permissions and the data the caller may see.

    Access (the data scope, an integration token's grants) is checked in the same read,
    before anything is shown, so a refused caller is shown (and logged as having seen) nothing.
    """
    chart = runtime.queries.org()
    require(caller, chart, Permission.INSTANCE_READ)
    form = runtime.queries.work_item_form(
        work_item_id,
        viewer=caller.user_id,
        masked=caller.is_integration,
        source=source,
        scope=scope_of(caller, chart),
    )
    return WorkItemFormOut.model_validate(form)


@router.post("/work-items/{work_item_id}/acknowledge", summary="确认接收", response_model=AcknowledgedOut)
def acknowledge(
    work_item_id: WorkItemId, caller: Caller, runtime: RuntimeDep, source: Source
) -> AcknowledgedOut:
    """Confirm receipt: stops the confirm-receipt reminders and escalation (confirming twice is harmless)."""
    _may_act(runtime, caller, work_item_id)
    done = runtime.execute(AcknowledgeWorkItem(work_item_id, caller.user_id), source=source)
    return AcknowledgedOut.model_validate(done)


@router.post(
    "/work-items/{work_item_id}/complete", summary="办理（提交结果）", response_model=InstanceStanding
)
def complete(
    work_item_id: WorkItemId, body: CompleteBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> InstanceStanding:
    """Complete the work item with an outcome, form data and a comment."""
    action = CompleteWorkItem(
        work_item_id, caller.user_id, outcome=body.outcome, data=body.data, comment=body.comment
    )
    _may_act(runtime, caller, work_item_id)
    return InstanceStanding.model_validate(runtime.execute(action, source=source))


@router.post("/work-items/{work_item_id}/return", summary="退回", response_model=InstanceStanding)
def return_work(
    work_item_id: WorkItemId, body: ReturnBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> InstanceStanding:
    """Send the work back: to the previous step, a step already done (``to_node``), or the initiator."""
    action = ReturnWorkItem(work_item_id, caller.user_id, body.to_node, body.to_initiator, body.comment)
    return _operate(runtime, caller, source, action)


@router.post("/work-items/{work_item_id}/transfer", summary="转交", response_model=InstanceStanding)
def transfer(
    work_item_id: WorkItemId, body: TransferBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> InstanceStanding:
    """Hand the work item to a colleague."""
    action = TransferWorkItem(work_item_id, caller.user_id, body.to_user, body.comment)
    return _operate(runtime, caller, source, action)


@router.post("/work-items/{work_item_id}/add-signer", summary="加签", response_model=InstanceStanding)
def add_signer(
    work_item_id: WorkItemId, body: AddSignerBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> InstanceStanding:
    """Ask others to sign before, after or alongside the caller."""
    action = AddSigner(work_item_id, caller.user_id, tuple(body.users), body.position, body.comment)
    return _operate(runtime, caller, source, action)


@router.post("/work-items/{work_item_id}/remove-signer", summary="减签", response_model=InstanceStanding)
def remove_signer(
    work_item_id: WorkItemId, body: RemoveSignerBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> InstanceStanding:
    """Take a signer who has not voted off a multi-person step."""
    action = RemoveSigner(work_item_id, caller.user_id, body.user, body.comment)
    return _operate(runtime, caller, source, action)


@router.post("/work-items/{work_item_id}/claim", summary="认领共享待办", response_model=InstanceStanding)
def claim(work_item_id: WorkItemId, caller: Caller, runtime: RuntimeDep, source: Source) -> InstanceStanding:
    """Take a department's or role's shared work item; it then leaves the others' inboxes."""
    return _operate(runtime, caller, source, ClaimWorkItem(work_item_id, caller.user_id))


@router.post("/work-items/{work_item_id}/unclaim", summary="取消认领", response_model=InstanceStanding)
def unclaim(
    work_item_id: WorkItemId, caller: Caller, runtime: RuntimeDep, source: Source
) -> InstanceStanding:
    """Give a claimed work item back to its group."""
    return _operate(runtime, caller, source, UnclaimWorkItem(work_item_id, caller.user_id))


@router.post("/work-items/{work_item_id}/progress", summary="更新进度", response_model=ProgressOut)
def progress(
    work_item_id: WorkItemId, body: ProgressBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> ProgressOut:
    """Report progress; the initiator and management can follow it on the instance."""
    _may_act(runtime, caller, work_item_id)
    reported = runtime.execute(
        ReportProgress(work_item_id, caller.user_id, body.percent, body.note), source=source
    )
    return ProgressOut.model_validate(reported)


def _operate(runtime: Runtime, caller: Principal, source: str, action: WorkItemAction) -> InstanceStanding:
    """Run one task operation as the caller and say where the instance stands afterwards."""
    _may_act(runtime, caller, action.work_item_id)
    return InstanceStanding.model_validate(runtime.execute(action, source=source))


def _may_act(runtime: Runtime, caller: Principal, work_item_id: str) -> None:
    """Refuse a role that does not act on work items, and a token not granted the item's process.

    Whose item it is the runtime decides. An integration token's grants are
    checked on the item's instance (which also answers 404 or 409 for an
    unknown or finished item before anything is run).
    """
    chart = runtime.queries.org()
    require(caller, chart, Permission.WORK_ITEM_ACT)
    if caller.definitions is not None:
        require(caller, chart, Permission.INSTANCE_READ)
        runtime.queries.work_item_form(
            work_item_id, viewer=caller.user_id, masked=True, scope=scope_of(caller, chart)
        )


def _granted_key(caller: Principal, definition_key: str | None) -> str | None:
    """The definition filter an inbox is read with: an integration token sees only its granted processes.

    Raises:
        PermissionDenied: The token was not granted ``definition_key``, or was granted several
            and none was named.
    """
    if caller.definitions is None:
        return definition_key
    if definition_key is not None:
        require_definition(caller, definition_key)
        return definition_key
    if len(caller.definitions) == 1:
        return next(iter(caller.definitions))
    granted = "、".join(sorted(caller.definitions)) or "无"
    raise PermissionDenied(
        f"该系统集成令牌只能查看已授权的流程，请用 definition_key 指定其中一个（已授权：{granted}）",
        user=caller.user_id,
    )
