"""Exceptions (异常): list, one with its steps, raise one, and the steps of its loop.

Who sees an anomaly: administrators and auditors (查看全部流程实例) see
every one; anyone else sees those they are a party to (raised, reported,
handle or verified it, or belong to or head its responsible department, who
must explain it) and those of instances they may see (the data scope,
:func:`orgflow.api.guards.readable_instance`). Who may take a step is the
runtime's rule (:mod:`orgflow.anomalies.parties`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from orgflow.access.roles import Permission, permissions_of, require
from orgflow.api.dependencies import Caller, Paging, RuntimeDep, Source
from orgflow.api.guards import readable_instance
from orgflow.api.pagination import Page, slice_page
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.schemas.anomalies import (
    AnomalyDetailOut,
    AnomalyOut,
    ExplainBody,
    RaiseBody,
    ReplanBody,
    ResolveBody,
    VerifyBody,
)
from orgflow.auth.principal import Principal
from orgflow.errors import PermissionDenied
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.actions import (
    ExplainAnomaly,
    RaiseAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    VerifyAnomaly,
)
from orgflow.runtime.facade import Runtime
from orgflow.runtime.views import AnomalyView

router = APIRouter(prefix="/api/v1/anomalies", tags=["异常"], responses=PROBLEM_RESPONSES)

Number = Annotated[str, Path(min_length=1, max_length=100, description="异常编号，如 ABN20261202001")]


@router.get("", summary="异常列表", response_model=Page[AnomalyOut])
def anomalies(
    caller: Caller,
    runtime: RuntimeDep,
    paging: Paging,
    status_: Annotated[
        str | None,
        Query(alias="status", max_length=50, description="open（未闭环）或状态代码：found、reported…"),
    ] = None,
    department: Annotated[str | None, Query(max_length=200, description="责任部门（编号或名称）")] = None,
    category: Annotated[str | None, Query(max_length=200, description="原因分类（代码或名称）")] = None,
    month: Annotated[str | None, Query(max_length=7, description="发现月份 YYYY-MM")] = None,
    instance: Annotated[str | None, Query(max_length=200, description="流程实例（ID 或任务ID）")] = None,
) -> Page[AnomalyOut]:
    """The anomalies the caller may see that match every filter, oldest first."""
    sees = _scope(runtime, caller)
    found = runtime.anomalies.search(
        status=status_, department=department, category=category, month=month, instance=instance
    )
    return slice_page([AnomalyOut.model_validate(view) for view in found if sees(view)], paging)


@router.get("/{number}", summary="异常详情与处理步骤", response_model=AnomalyDetailOut)
def anomaly(number: Number, caller: Caller, runtime: RuntimeDep) -> AnomalyDetailOut:
    """One anomaly with every step of its loop."""
    sees = _scope(runtime, caller)
    detail = runtime.anomalies.get(number)
    if not sees(detail.anomaly):
        raise PermissionDenied(
            f"用户 {caller.user_id} 无权查看异常 {number}：只有相关流程的可见人员、上报人、处理人"
            "和责任部门可以查看",
            user=caller.user_id,
        )
    return AnomalyDetailOut.model_validate(detail)


@router.post("", summary="上报异常", response_model=AnomalyOut, status_code=status.HTTP_201_CREATED)
def raise_anomaly(body: RaiseBody, caller: Caller, runtime: RuntimeDep, source: Source) -> AnomalyOut:
    """Raise an anomaly by hand; the responsible department then has 4 hours to explain it."""
    chart = runtime.queries.org()
    require(caller, chart, Permission.ANOMALY_ACT)
    detail = readable_instance(runtime, caller, body.instance, chart)
    action = RaiseAnomaly(
        instance=detail.instance.id,
        actor=caller.user_id,
        description=body.description,
        work_item_id=body.work_item_id,
        node_id=body.node_id,
        department=body.department,
        category=body.category,
    )
    return AnomalyOut.model_validate(runtime.execute(action, source=source))


@router.post("/{number}/explain", summary="提交《异常处理说明》", response_model=AnomalyOut)
def explain(
    number: Number, body: ExplainBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> AnomalyOut:
    """The responsible department says why, by when and with what help it will be solved."""
    action = ExplainAnomaly(
        number=number,
        actor=caller.user_id,
        cause=body.cause,
        category=body.category,
        expected_resolution_at=body.expected_resolution_at,
        resources_needed=body.resources_needed,
    )
    return _step(runtime, caller, source, action)


@router.post("/{number}/replan", summary="重新计划", response_model=AnomalyOut)
def replan(
    number: Number, body: ReplanBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> AnomalyOut:
    """A new time limit and handler; the linked work item takes the new time (and moves to the handler)."""
    action = ReplanAnomaly(
        number=number, actor=caller.user_id, new_due_at=body.new_due_at, handler=body.handler, plan=body.plan
    )
    return _step(runtime, caller, source, action)


@router.post("/{number}/resolve", summary="处理完成", response_model=AnomalyOut)
def resolve(
    number: Number, body: ResolveBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> AnomalyOut:
    """The handler reports it solved; it then waits for someone else to verify it."""
    action = ResolveAnomaly(number=number, actor=caller.user_id, resolution=body.resolution)
    return _step(runtime, caller, source, action)


@router.post("/{number}/verify", summary="结果验证", response_model=AnomalyOut)
def verify(
    number: Number, body: VerifyBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> AnomalyOut:
    """Passed closes the loop; failed sends it back to the handler."""
    action = VerifyAnomaly(number=number, actor=caller.user_id, passed=body.passed, note=body.note)
    return _step(runtime, caller, source, action)


def _step(
    runtime: Runtime,
    caller: Principal,
    source: str,
    action: ExplainAnomaly | ReplanAnomaly | ResolveAnomaly | VerifyAnomaly,
) -> AnomalyOut:
    """Run one step of the loop as the caller (the runtime checks they are the party for it)."""
    require(caller, runtime.queries.org(), Permission.ANOMALY_ACT)
    return AnomalyOut.model_validate(runtime.execute(action, source=source))


def _scope(runtime: Runtime, caller: Principal) -> Callable[[AnomalyView], bool]:
    """Which anomalies the caller may see (see the module docstring); each instance is asked about once.

    Raises:
        PermissionDenied: The caller's role does not read anomalies at all.
    """
    chart = runtime.queries.org()
    roles = require(caller, chart, Permission.ANOMALY_READ)
    if Permission.INSTANCE_READ_ALL in permissions_of(roles):
        return lambda _view: True
    readable: dict[str, bool] = {}

    def sees(view: AnomalyView) -> bool:
        if _is_party(chart, caller.user_id, view):
            return True
        if view.instance_id not in readable:
            try:
                readable_instance(runtime, caller, view.instance_id, chart)
            except PermissionDenied:
                readable[view.instance_id] = False
            else:
                readable[view.instance_id] = True
        return readable[view.instance_id]

    return sees


def _is_party(chart: OrgSnapshot, user: str, view: AnomalyView) -> bool:
    """Whether ``user`` raised, reported, handles or verified it, or must explain it (its department)."""
    if user in (view.raised_by, view.reporter, view.handler, view.verifier):
        return True
    department = view.responsible_department
    return department is not None and (user in chart.members(department) or chart.head_of(department) == user)
