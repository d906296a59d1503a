"""Process instances (流程实例): start, list those in scope, read one, its history and diagram, withdraw.

Every read follows the data scope (:mod:`orgflow.access.scope`): a person
sees what they started, take part in or were copied on, and what belongs to
the departments they head or supervise; auditors and administrators see
everything; an integration token sees the instances of the definitions it
was granted. The list applies the scope in its query; one instance is read
through :func:`orgflow.api.guards.readable_instance`, which applies the same
rule. Who may withdraw (the initiator, while nobody else has acted) is the
runtime's rule.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from orgflow.access.roles import Permission, require
from orgflow.access.scope import scope_of
from orgflow.api.dependencies import Caller, InstanceRef, Paging, RuntimeDep, Source
from orgflow.api.guards import definition_key_of, readable_instance, require_definition
from orgflow.api.pagination import Page, page_of, slice_page
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.routes.definitions import SVG_CONTENT, SvgResponse
from orgflow.api.schemas.instances import (
    HistoryEntryOut,
    InstanceDetailOut,
    InstanceProblemOut,
    LinkedInstanceOut,
    StartBody,
    WaitingWorkItemOut,
    WithdrawBody,
)
from orgflow.api.schemas.work_items import ActiveNodeOut, InstanceStanding, InstanceSummaryOut
from orgflow.diagram.instance import MAX_OPEN_ITEMS, instance_diagram
from orgflow.diagram.layout import layout
from orgflow.diagram.svg import render_svg
from orgflow.engine.state import InstanceStatus
from orgflow.runtime.actions import StartProcess, WithdrawInstance
from orgflow.runtime.views import InstanceDetail

router = APIRouter(prefix="/api/v1", tags=["流程实例"], responses=PROBLEM_RESPONSES)


@router.post("/instances", summary="发起流程", status_code=201, response_model=InstanceStanding)
def start(body: StartBody, caller: Caller, runtime: RuntimeDep, source: Source) -> InstanceStanding:
    """Start an instance of the newest (or a given) version; the caller is its initiator."""
    require(caller, runtime.queries.org(), Permission.INSTANCE_START)
    require_definition(caller, body.definition_key)
    action = StartProcess(
        key=body.definition_key, data=body.data, initiator=caller.user_id, version=body.version
    )
    return InstanceStanding.model_validate(runtime.execute(action, source=source))


@router.get("/instances", summary="流程实例列表（我可见的）", response_model=Page[InstanceSummaryOut])
def instances(
    caller: Caller,
    runtime: RuntimeDep,
    paging: Paging,
    status: Annotated[InstanceStatus | None, Query(description="只看该状态的实例")] = None,
    definition_key: Annotated[str | None, Query(max_length=200, description="只看该流程定义 key")] = None,
    initiator: Annotated[str | None, Query(max_length=200, description="只看该发起人（用户ID）的")] = None,
    business_key: Annotated[str | None, Query(max_length=200, description="按任务ID（业务编号）查找")] = None,
) -> Page[InstanceSummaryOut]:
    """The instances in the caller's data scope matching every filter given, newest first."""
    chart = runtime.queries.org()
    require(caller, chart, Permission.INSTANCE_READ)
    found = runtime.queries.instances_in_scope(
        scope_of(caller, chart),
        status=status.value if status is not None else None,
        definition_key=definition_key,
        initiator=initiator,
        business_key=business_key,
        limit=paging.limit,
        offset=paging.offset,
    )
    items = [InstanceSummaryOut.model_validate(summary) for summary in found.items]
    return page_of(items, found.total, paging)


@router.get("/instances/{ref}", summary="流程实例详情", response_model=InstanceDetailOut)
def instance(ref: InstanceRef, caller: Caller, runtime: RuntimeDep, source: Source) -> InstanceDetailOut:
    """Where the instance stands: its status, the nodes it waits at, who has to act by when, and its data."""
    chart = runtime.queries.org()
    detail = readable_instance(runtime, caller, ref, chart, shown_from=source)
    view = detail.instance
    due = {
        item.id: item.due_at
        for item in runtime.queries.work_items(instance_id=view.id, status="open", limit=MAX_OPEN_ITEMS)
    }
    return InstanceDetailOut(
        id=view.id,
        business_key=view.business_key,
        definition_id=view.definition_id,
        definition_key=definition_key_of(view.definition_id),
        definition_label=view.definition_label,
        status=view.status,
        initiator=view.initiator,
        initiator_name=chart.name_of(view.initiator) if view.initiator else None,
        started_at=view.started_at,
        ended_at=view.ended_at,
        active_nodes=[ActiveNodeOut.model_validate(node) for node in view.active_nodes],
        work_items=[
            WaitingWorkItemOut.model_validate(item).model_copy(
                update={
                    "assignee_name": chart.name_of(item.assignee) if item.assignee else None,
                    "due_at": due.get(item.id),
                }
            )
            for item in view.work_items
        ],
        error=InstanceProblemOut.model_validate(view.error) if view.error is not None else None,
        data=dict(view.data),
        children=[LinkedInstanceOut.model_validate(child) for child in detail.children],
        caller=LinkedInstanceOut.model_validate(detail.caller) if detail.caller is not None else None,
    )


@router.get("/instances/{ref}/history", summary="流转记录", response_model=Page[HistoryEntryOut])
def history(
    ref: InstanceRef, caller: Caller, runtime: RuntimeDep, paging: Paging, source: Source
) -> Page[HistoryEntryOut]:
    """The instance's record, oldest event first."""
    detail: InstanceDetail = readable_instance(runtime, caller, ref, shown_from=source)
    return slice_page([HistoryEntryOut.model_validate(entry) for entry in detail.history], paging)


@router.get(
    "/instances/{ref}/diagram.svg",
    summary="实例流程图（SVG，标出已完成、办理中、超时、退回的节点）",
    response_class=SvgResponse,
    responses=SVG_CONTENT,
)
def diagram(
    ref: InstanceRef,
    caller: Caller,
    runtime: RuntimeDep,
    locale: Annotated[Literal["zh-CN", "en"], Query(description="图中文字的语言")] = "zh-CN",
) -> SvgResponse:
    """The instance's version drawn with the instance's states over it."""
    detail = readable_instance(runtime, caller, ref)
    found = instance_diagram(runtime.queries, detail.instance.id, runtime.clock.now())
    definition = found.deployed.definition
    return SvgResponse(
        render_svg(definition, layout=layout(definition), overlay=found.overlay, locale=locale)
    )


@router.post("/instances/{ref}/withdraw", summary="撤回流程", response_model=InstanceStanding)
def withdraw(
    ref: InstanceRef, caller: Caller, runtime: RuntimeDep, source: Source, body: WithdrawBody | None = None
) -> InstanceStanding:
    """Take the instance back while nobody else has acted on it (only its initiator may)."""
    chart = runtime.queries.org()
    require(caller, chart, Permission.INSTANCE_WITHDRAW)
    detail = readable_instance(runtime, caller, ref, chart)
    action = WithdrawInstance(
        instance=detail.instance.id, actor=caller.user_id, reason=body.reason if body is not None else ""
    )
    return InstanceStanding.model_validate(runtime.execute(action, source=source))
