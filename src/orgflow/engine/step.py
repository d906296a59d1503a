"""The engine's single entry point: ``apply(definition, state, command, now, ids)``.

Pure: the same inputs give the same Transition, nothing is read from or
written to the outside world. A command the instance cannot accept comes back
as a ``Rejection`` (never an exception), naming the node or field concerned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from orgflow.engine import error_events, operations, returns, timers
from orgflow.engine.behaviors import BEHAVIOURS
from orgflow.engine.behaviors.calls import complete_call
from orgflow.engine.behaviors.gateways import inclusive_join_check
from orgflow.engine.behaviors.tasks import complete_task
from orgflow.engine.claims import claim, may_act, unclaim
from orgflow.engine.commands import (
    AddSigner,
    ClaimWorkItem,
    Command,
    CompleteCall,
    CompleteServiceCall,
    CompleteWorkItem,
    FailCall,
    FailServiceCall,
    FireTimer,
    RemoveSigner,
    ReturnWorkItem,
    StartInstance,
    ThrowError,
    TransferWorkItem,
    UnclaimWorkItem,
    WithdrawInstance,
)
from orgflow.engine.effects import (
    InstanceStarted,
    Rejection,
    RejectionReason,
    ServiceCallCompleted,
    Transition,
    WorkItemCompleted,
)
from orgflow.engine.execution import Execution
from orgflow.engine.state import InstanceState, InstanceStatus, Token, TokenStatus
from orgflow.ids import IdSource
from orgflow.model.definition import ProcessDefinition
from orgflow.model.field_access import locked_in
from orgflow.model.forms import check_form
from orgflow.model.nodes import StartEvent, UserTask
from orgflow.org.model import EMPTY_ORG, OrgSnapshot

#: Builds the completion effect from all its fields at once (see ``execution._make``).
_make = tuple.__new__


def apply(
    definition: ProcessDefinition,
    state: InstanceState | None,
    command: Command,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot = EMPTY_ORG,
) -> Transition | Rejection:
    """Run one command against one instance and return what changed, or why it was refused.

    ``org`` is the org chart assignment rules are resolved against (none: only
    named users and departments can be routed to).
    """
    if isinstance(command, StartInstance):
        if state is not None:
            return Rejection(reason=RejectionReason.ALREADY_STARTED, message=f"流程实例 {state.id} 已经启动")
        return _start(definition, command, now, ids, org)
    if state is None:
        raise ValueError("only StartInstance may be applied without a state")
    if state.status is not InstanceStatus.RUNNING:
        return Rejection(
            reason=RejectionReason.INSTANCE_NOT_RUNNING,
            message=f"流程实例 {state.business_key} 当前状态为 {state.status.value}，不能再办理",
            node_id=state.error.node_id if state.error else None,
        )
    if isinstance(command, CompleteWorkItem):
        return _complete_work_item(definition, state, command, now, ids, org)
    if isinstance(command, ClaimWorkItem):
        return claim(state, command.work_item_id, command.user, org)
    if isinstance(command, UnclaimWorkItem):
        return unclaim(state, command.work_item_id, command.user, org)
    operation = _OPERATIONS.get(type(command))
    if operation is not None:
        return operation(definition, state, command, now, ids, org)
    assert isinstance(command, CompleteServiceCall | FailServiceCall | ThrowError | CompleteCall | FailCall)
    return _answer(definition, state, command, now, ids, org)


#: Task operations, withdrawal, timers by command type: ``(definition, state, command, now, ids, org)``.
_OPERATIONS: dict[type[Command], Callable[..., Transition | Rejection]] = {
    TransferWorkItem: operations.transfer,
    AddSigner: operations.add_signer,
    RemoveSigner: operations.remove_signer,
    ReturnWorkItem: returns.return_work,
    WithdrawInstance: returns.withdraw,
    FireTimer: timers.fire_timer,
}


def _start(
    definition: ProcessDefinition, command: StartInstance, now: datetime, ids: IdSource, org: OrgSnapshot
) -> Transition:
    data = dict(command.data)
    start = definition.start_of(None)
    node = definition.nodes[start]
    variable = node.initiator_variable if isinstance(node, StartEvent) else None
    if variable and command.initiator is not None:
        data[variable] = command.initiator  # camunda:initiator: who started it, as data
    state = InstanceState(
        id=command.instance_id,
        definition_id=command.definition_id,
        business_key=command.business_key,
        status=InstanceStatus.RUNNING,
        data=data,
        tokens=(),
        work_items=(),
        next_token=0,
        initiator=command.initiator,
        started_at=now,
        caller=command.caller,
    )
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    execution.effects.append(InstanceStarted(initiator=command.initiator, data=state.data))
    execution.arrive(Token(id=execution.new_token_id(), node_id=start, status=TokenStatus.MOVING))
    execution.run(inclusive_join_check)
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))


def _complete_work_item(
    definition: ProcessDefinition,
    state: InstanceState,
    command: CompleteWorkItem,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
) -> Transition | Rejection:
    item = state.work_item(command.work_item_id)
    if item is None:
        return Rejection(
            reason=RejectionReason.WORK_ITEM_NOT_OPEN,
            message=f"待办 {command.work_item_id} 不是待处理状态（可能已被处理或已取消）",
        )
    refused = may_act(item, command.actor, org)
    if refused is not None:
        return refused
    node = definition.nodes[item.node_id]
    assert isinstance(node, UserTask)
    if command.outcome not in node.outcomes:
        allowed = "、".join(node.outcomes)
        return Rejection(
            reason=RejectionReason.UNKNOWN_OUTCOME,
            message=f"节点「{node.label}」不接受处理结果 {command.outcome!r}，可选：{allowed}",
            node_id=node.id,
            field="outcome",
        )
    locked = sorted(locked_in(node.field_access) & command.data.keys()) if node.field_access else None
    if locked:
        return Rejection(
            reason=RejectionReason.FIELD_READ_ONLY,
            message=f"字段 {'、'.join(locked)} 在「{node.label}」只读或不可见，不能提交",
            node_id=node.id,
            field=locked[0],
        )
    values = dict(command.data)
    if node.form:
        known = {field.name: state.data[field.name] for field in node.form if field.name in state.data}
        checked = check_form(node.form, {**known, **command.data})
        if checked.issues:
            first = checked.issues[0]
            reason = (
                RejectionReason.FIELD_REQUIRED if first.code == "required" else RejectionReason.FIELD_INVALID
            )
            return Rejection(
                reason=reason,
                message="；".join(issue.message for issue in checked.issues),
                node_id=node.id,
                field=first.field,
            )
        values = {**values, **{name: checked.values[name] for name in checked.values if name in command.data}}
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    del execution.work_items[item.id]
    completed = (item.id, node.id, command.actor, command.outcome, values, command.comment)
    execution.effects.append(_make(WorkItemCompleted, completed))
    execution.submit(item.token_id, values)
    complete_task(execution, item, node, command.actor, command.outcome)
    execution.run(inclusive_join_check)
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))


#: What each answer to a waiting token expects the token to wait for.
_WAITING_FOR: dict[type[Command], tuple[TokenStatus, ...]] = {
    CompleteServiceCall: (TokenStatus.SERVICE,),
    FailServiceCall: (TokenStatus.SERVICE,),
    ThrowError: (TokenStatus.SERVICE, TokenStatus.CALL, TokenStatus.TASK),
    CompleteCall: (TokenStatus.CALL,),
    FailCall: (TokenStatus.CALL,),
}


def _answer(
    definition: ProcessDefinition,
    state: InstanceState,
    command: CompleteServiceCall | FailServiceCall | ThrowError | CompleteCall | FailCall,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
) -> Transition | Rejection:
    """A service handler, a called child or a person answers a waiting token: go on, fail, or throw."""
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    token = execution.tokens.get(command.token_id)
    if token is None or token.status not in _WAITING_FOR[type(command)]:
        what = "调用子流程的结果" if isinstance(command, CompleteCall | FailCall) else "服务任务结果"
        return Rejection(
            reason=RejectionReason.TOKEN_NOT_WAITING,
            message=f"令牌 {command.token_id} 没有在等待{what}",
        )
    if isinstance(command, FailServiceCall | FailCall):
        execution.fail(token._replace(called=None), command.message)
        return Transition(state=execution.freeze(), effects=tuple(execution.effects))
    if isinstance(command, ThrowError):
        if token.called is not None:  # the child has ended, handing its error on: nothing to cancel
            token = token._replace(called=None)
            execution.tokens[token.id] = token
        error_events.throw(execution, token, command.code, command.message, from_activity=True)
    elif isinstance(command, CompleteCall):
        complete_call(execution, token, command.data)
    else:
        result = dict(command.result)
        execution.effects.append(
            ServiceCallCompleted(token_id=token.id, node_id=token.node_id, result=result)
        )
        execution.merge_data(result)
        execution.leave_by_conditions(token)
    execution.run(inclusive_join_check)
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))
