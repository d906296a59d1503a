"""Sending work back (退回) and taking an instance back (撤回), without stray tokens or stuck joins.

A return moves the work from the current step to a step already done in this
instance: the previous step on this path, one named, or the initiator's
first step. What lies between is withdrawn as a whole: every token of the
target's scope that stands on a node reachable from the target (tokens of
parallel branches too; a token waiting at a join counts by the branch it
came from), with their work items, their multi-person steps and any
subprocess inside them. Tokens of
branches the target cannot reach are left alone, so returning inside one
branch keeps its siblings (their join will wait for the returned branch to
come round again), and returning to before a split withdraws every branch.

The returned-to step goes to the person who did it last (or, returning to
the initiator, to the initiator) when that person can still take work; a
multi-person step, or one whose person has left, is routed again by its rule.

Resubmission policy (``policies.resubmit``): ``rerun`` (default) lets the
work flow on from the returned-to step through every step in between;
``direct`` sends it straight back to the step that returned it, which is only
safe when the return withdrew nothing but its own path, so a return that
withdrew other branches always reruns.
"""

from __future__ import annotations

from datetime import datetime

from orgflow.engine.behaviors import BEHAVIOURS
from orgflow.engine.behaviors.gateways import inclusive_join_check
from orgflow.engine.commands import ReturnWorkItem, WithdrawInstance
from orgflow.engine.effects import (
    InstanceEnded,
    InstanceWithdrawn,
    Rejection,
    RejectionReason,
    Transition,
    WorkItemReturned,
)
from orgflow.engine.execution import Execution
from orgflow.engine.operations import item_to_act_on
from orgflow.engine.state import InstanceState, InstanceStatus, Token, TokenStatus, WorkItem
from orgflow.ids import IdSource
from orgflow.model.assignment_rules import CountersignMode
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import UserTask
from orgflow.org.model import OrgSnapshot

#: Resubmission policies.
RERUN = "rerun"
DIRECT = "direct"


def return_work(
    definition: ProcessDefinition,
    state: InstanceState,
    command: ReturnWorkItem,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
) -> Transition | Rejection:
    """Withdraw what lies between the target step and here, and reopen the target step."""
    item = item_to_act_on(state, command.work_item_id, command.actor, org)
    if isinstance(item, Rejection):
        return item
    token = next(token for token in state.tokens if token.id == item.token_id)
    target = _target(definition, state, item, token, command)
    if isinstance(target, Rejection):
        return target
    scope = definition.nodes[target].scope
    anchor = _anchor(state, token, scope)
    if anchor is None:
        return Rejection(
            reason=RejectionReason.NOT_ALLOWED,
            message=f"不能从「{item.name}」退回到子流程内已结束的节点「{definition.nodes[target].label}」",
            node_id=item.node_id,
        )
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    execution.effects.append(
        WorkItemReturned(
            work_item_id=item.id,
            node_id=item.node_id,
            target=target,
            actor=command.actor,
            reason=command.reason,
        )
    )
    del execution.work_items[item.id]
    doomed = _between(execution, target, scope, anchor)
    own_path = {anchor.id, *execution.nested({anchor.id})}
    execution.discard(doomed, f"退回到「{definition.nodes[target].label}」")
    direct = (
        definition.policy.resubmit == DIRECT and {t.id for t in doomed} <= own_path and scope == token.scope
    )
    back = token.node_id if direct else None
    _reopen(execution, target, scope, anchor, back, command.to_initiator)
    execution.run(inclusive_join_check)
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))


def withdraw(
    definition: ProcessDefinition,
    state: InstanceState,
    command: WithdrawInstance,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
) -> Transition | Rejection:
    """End the instance as withdrawn, if its initiator asks and nobody else has acted yet.

    An escalation's cancel (``by_system``) ends it as terminated, whatever was done so far.
    """
    if command.by_system:
        withdrawn = InstanceWithdrawn(actor=None, reason=command.reason)
        return _end(definition, state, now, ids, org, withdrawn, by_system=True)
    if command.actor is not None and command.actor != state.initiator:
        return Rejection(
            reason=RejectionReason.NOT_INITIATOR,
            message=f"只有发起人 {org.name_of(state.initiator or '')} 可以撤回流程实例 {state.business_key}",
        )
    others = [entry for entry in state.trail if entry.actor != state.initiator]
    if others:
        first = others[0]
        return Rejection(
            reason=RejectionReason.NOT_ALLOWED,
            message=f"{org.name_of(first.actor or '')} 已办理「{definition.nodes[first.node_id].label}」，"
            "不能再撤回",
            node_id=first.node_id,
        )
    withdrawn = InstanceWithdrawn(actor=command.actor, reason=command.reason)
    return _end(definition, state, now, ids, org, withdrawn, by_system=False)


def _end(
    definition: ProcessDefinition,
    state: InstanceState,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
    withdrawn: InstanceWithdrawn,
    *,
    by_system: bool,
) -> Transition:
    """Discard every token and end the instance: withdrawn by its initiator, or terminated by the system."""
    status = InstanceStatus.TERMINATED if by_system else InstanceStatus.WITHDRAWN
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    execution.effects.append(withdrawn)
    execution.discard(list(execution.tokens.values()), withdrawn.reason if by_system else "发起人撤回")
    execution.status = status
    execution.effects.append(InstanceEnded(status=status, node_id=None))
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))


def _target(
    definition: ProcessDefinition, state: InstanceState, item: WorkItem, token: Token, command: ReturnWorkItem
) -> str | Rejection:
    """The step to return to, checked: a user task already done in this instance, not this one."""
    done = [entry.node_id for entry in state.trail]
    target: str | None
    if command.to_initiator:
        # the initiator's own first step, else the instance's first step, given to the initiator
        mine = [entry.node_id for entry in state.trail if entry.actor == state.initiator]
        first = mine or done
        if not first or state.initiator is None:
            return _refuse(item, "还没有已办理的步骤，无法退回发起人")
        target = first[0]
    elif command.target is None:
        target = token.last_task
        if target is None:
            return _refuse(item, f"「{item.name}」之前没有已办理的步骤，无法退回上一步")
    else:
        target = command.target
        if target not in definition.nodes:
            return _refuse(item, f"节点 {target} 不存在", RejectionReason.NOT_VISITED)
    node = definition.nodes[target]
    if not isinstance(node, UserTask):
        return _refuse(item, f"只能退回到用户任务，「{node.label}」不是")
    if target not in done:
        return _refuse(
            item, f"「{node.label}」在本流程实例中还没有办理过，不能退回到那里", RejectionReason.NOT_VISITED
        )
    if target == item.node_id:
        return _refuse(item, f"不能退回到当前节点「{node.label}」本身")
    return target


def _anchor(state: InstanceState, token: Token, scope: str | None) -> Token | None:
    """The token in ``scope`` that the returning token runs under (itself, or a subprocess's token)."""
    by_id = {candidate.id: candidate for candidate in state.tokens}
    current: Token | None = token
    while current is not None and current.scope != scope:
        current = by_id.get(current.scope) if current.scope is not None else None
    return current


def _between(execution: Execution, target: str, scope: str | None, anchor: Token) -> list[Token]:
    """Tokens to withdraw: the scope's on nodes the target reaches, the anchor, and what runs inside them."""
    reach = _reachable(execution.definition, target)
    top = {
        t.id
        for t in execution.tokens.values()
        if t.scope == scope and (t.id == anchor.id or _came_from(execution.definition, t) in reach)
    }
    inner = execution.nested(top)
    return [t for t in execution.tokens.values() if t.id in top or t.id in inner]


def _came_from(definition: ProcessDefinition, token: Token) -> str:
    """Where a token stands for a return: a join's waiting token by the branch it came from."""
    flow = definition.flows.get(token.arrived_by) if token.arrived_by is not None else None
    if token.status is TokenStatus.JOIN and flow is not None:
        return flow.source
    return token.node_id


def _reachable(definition: ProcessDefinition, start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for flow in definition.outgoing(stack.pop()):
            if flow.target not in seen:
                seen.add(flow.target)
                stack.append(flow.target)
    return seen


def _reopen(
    execution: Execution, target: str, scope: str | None, anchor: Token, back: str | None, to_initiator: bool
) -> None:
    """Put a token on the target step and give the step to whoever did it (or route it afresh)."""
    node = execution.definition.nodes[target]
    assert isinstance(node, UserTask)
    token = Token(
        anchor.id, target, TokenStatus.MOVING, scope, None, None, _task_before(execution, target), back
    )
    state = execution.state
    person = state.initiator if to_initiator else _last_done_by(execution, target)
    if (
        node.countersign.mode is not CountersignMode.SINGLE
        or person is None
        or not _can_take(execution, person)
    ):
        execution.arrive(token)
        return
    parked = execution.park(token, TokenStatus.TASK)
    execution.open_work_item(parked, assignee=person, group=None)
    execution.arm_boundaries(parked.id, node)


def _last_done_by(execution: Execution, node_id: str) -> str | None:
    for entry in reversed(execution.trail):
        if entry.node_id == node_id:
            return entry.actor
    return None


def _task_before(execution: Execution, node_id: str) -> str | None:
    """The step done just before ``node_id`` was first done (so 退回上一步 from it still works)."""
    previous = None
    for entry in execution.trail:
        if entry.node_id == node_id:
            return previous
        previous = entry.node_id
    return None


def _can_take(execution: Execution, user: str) -> bool:
    org = execution.org
    return org.is_empty or org.is_active(user)


def _refuse(item: WorkItem, message: str, reason: RejectionReason = RejectionReason.NOT_ALLOWED) -> Rejection:
    return Rejection(reason=reason, message=message, node_id=item.node_id)
