"""Task operations on a step in progress: transfer (转交), add a signer (加签) and remove one (减签).

Each is a pure transition of one instance, refused with a typed rejection
(naming the user or the step) when it does not fit: the actor must be the
one the work item is for (or a member of its group), a new signer must be an
active user who is not already signing, and a step's mode decides which kind
of 加签 makes sense:

- a single-person or in-turn step takes 前加签 (the new signers go first, then
  it comes back) and 后加签 (they follow the actor); it becomes an in-turn step;
- a single-person or countersign step takes 并加签 (they sign alongside; all
  must approve, by the node's threshold); it becomes a countersign step.

Removing a signer who has not voted yet recalculates the step at once: the
threshold is a share of the signers, so the step may be decided by it.
"""

from __future__ import annotations

from datetime import datetime

from orgflow.engine.behaviors import BEHAVIOURS
from orgflow.engine.behaviors.gateways import inclusive_join_check
from orgflow.engine.behaviors.tasks import settle
from orgflow.engine.claims import may_act
from orgflow.engine.commands import AddSigner, RemoveSigner, TransferWorkItem
from orgflow.engine.effects import (
    Rejection,
    RejectionReason,
    SignersChanged,
    Transition,
    WorkItemTransferred,
)
from orgflow.engine.execution import Execution
from orgflow.engine.state import InstanceState, Signoff, WorkItem
from orgflow.ids import IdSource
from orgflow.model.assignment_rules import CountersignMode
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import UserTask
from orgflow.org.model import OrgSnapshot

POSITIONS = ("before", "after", "parallel")


def open_item_of(state: InstanceState, work_item_id: str) -> WorkItem | Rejection:
    """The open work item, or the rejection saying it is not open."""
    item = state.work_item(work_item_id)
    if item is None:
        return Rejection(
            reason=RejectionReason.WORK_ITEM_NOT_OPEN,
            message=f"待办 {work_item_id} 不是待处理状态（可能已被处理或已取消）",
        )
    return item


def item_to_act_on(
    state: InstanceState, work_item_id: str, actor: str | None, org: OrgSnapshot
) -> WorkItem | Rejection:
    """The open work item ``actor`` may act on, or the rejection saying why not."""
    item = open_item_of(state, work_item_id)
    if isinstance(item, Rejection):
        return item
    return may_act(item, actor, org) or item


def check_user(org: OrgSnapshot, user: str, node_id: str) -> Rejection | None:
    """``None`` if work may be given to ``user``; else why not (unknown, or inactive)."""
    if org.is_empty:
        return None
    found = org.user(user)
    if found is None:
        return Rejection(
            reason=RejectionReason.UNKNOWN_USER, message=f"组织架构中没有用户 {user}", node_id=node_id
        )
    if not found.active:
        return Rejection(
            reason=RejectionReason.UNKNOWN_USER,
            message=f"用户 {found.name}（{user}）已停用，不能接收待办",
            node_id=node_id,
        )
    return None


def signing(state: InstanceState, token_id: str) -> set[str]:
    """Who is already on the step at a token: open items' people and signers yet to vote."""
    people = {
        person
        for item in state.work_items
        if item.token_id == token_id
        for person in (item.assignee, item.on_behalf_of)
        if person
    }
    signoff = state.signoff(token_id)
    if signoff is not None:
        people.update(signoff.pending)
    return people


def transfer(
    definition: ProcessDefinition,
    state: InstanceState,
    command: TransferWorkItem,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
) -> Transition | Rejection:
    """Close the actor's item as transferred and open the same step's item for ``to_user``."""
    item = item_to_act_on(state, command.work_item_id, command.actor, org)
    if isinstance(item, Rejection):
        return item
    refused = check_user(org, command.to_user, item.node_id)
    if refused is not None:
        return refused
    holder = item.on_behalf_of or item.assignee or command.actor
    if command.to_user in (holder, item.assignee) or command.to_user in signing(state, item.token_id):
        return Rejection(
            reason=RejectionReason.ALREADY_SIGNING,
            message=f"{org.name_of(command.to_user)}（{command.to_user}）已经在办理「{item.name}」，不能再转交给他",
            node_id=item.node_id,
        )
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    reason = command.reason or f"转交给 {org.name_of(command.to_user)}"
    execution.effects.append(
        WorkItemTransferred(
            work_item_id=item.id,
            node_id=item.node_id,
            from_user=holder,
            to_user=command.to_user,
            actor=command.actor,
            reason=command.reason,
        )
    )
    execution.cancel_work_item(item, reason)
    execution.open_work_item(execution.tokens[item.token_id], assignee=command.to_user, group=None)
    signoff = execution.signoffs.get(item.token_id)
    if signoff is not None and holder is not None:
        signers = tuple(command.to_user if user == holder else user for user in signoff.signers)
        execution.signoffs[item.token_id] = signoff._replace(signers=signers)
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))


def add_signer(
    definition: ProcessDefinition,
    state: InstanceState,
    command: AddSigner,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
) -> Transition | Rejection:
    """Put new signers before, after or beside the actor on the step of their work item."""
    item = item_to_act_on(state, command.work_item_id, command.actor, org)
    if isinstance(item, Rejection):
        return item
    node = definition.nodes[item.node_id]
    assert isinstance(node, UserTask)
    refused = _check_new_signers(state, item, command, org)
    if refused is not None:
        return refused
    holder = item.on_behalf_of or item.assignee or command.actor or ""
    signoff = state.signoff(item.token_id)
    mode = signoff.mode if signoff is not None else None
    others = [other for other in state.work_items if other.token_id == item.token_id and other.id != item.id]
    if command.position == "parallel":
        if mode == CountersignMode.IN_TURN or (mode is None and others):
            return _not_allowed(
                item, "依次审批或或签的节点不能并加签，请用前加签或后加签" if mode else "或签节点不能并加签"
            )
    elif mode == CountersignMode.ALL:
        return _not_allowed(item, "会签节点只能并加签")
    elif mode is None and others:
        return _not_allowed(item, "或签节点不能前加签或后加签")
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    token = execution.tokens[item.token_id]
    added = command.users
    execution.effects.append(
        SignersChanged(
            node_id=node.id,
            token_id=token.id,
            change=command.position,
            users=added,
            actor=command.actor,
            reason=command.reason,
        )
    )
    if command.position == "parallel":
        signers = (signoff.signers if signoff is not None else (holder,)) + added
        votes = signoff.votes if signoff is not None else ()
        execution.signoffs[token.id] = Signoff(token.id, node.id, CountersignMode.ALL.value, signers, votes)
        for user in added:
            execution.open_work_item(token, assignee=user, group=None)
    else:
        current = signoff.signers if signoff is not None else (holder,)
        at = current.index(holder) if holder in current else 0
        if command.position == "after":
            at += 1
        signers = current[:at] + added + current[at:]
        votes = signoff.votes if signoff is not None else ()
        execution.signoffs[token.id] = Signoff(
            token.id, node.id, CountersignMode.IN_TURN.value, signers, votes
        )
        if command.position == "before":
            execution.cancel_work_item(item, f"前加签：先由 {'、'.join(org.name_of(u) for u in added)} 审批")
            execution.open_work_item(token, assignee=added[0], group=None)
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))


def remove_signer(
    definition: ProcessDefinition,
    state: InstanceState,
    command: RemoveSigner,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
) -> Transition | Rejection:
    """Take a signer who has not voted off the step; decide the step if that settles it."""
    item = open_item_of(state, command.work_item_id)
    if isinstance(item, Rejection):
        return item
    node = definition.nodes[item.node_id]
    assert isinstance(node, UserTask)
    signoff = state.signoff(item.token_id)
    if signoff is None:
        return _not_allowed(item, "只有会签或依次审批的节点可以减签")
    if (
        command.actor is not None
        and command.actor != state.initiator
        and command.actor not in signoff.signers
    ):
        return Rejection(
            reason=RejectionReason.NOT_ASSIGNEE,
            message=f"只有发起人或本节点的审批人可以减签，{org.name_of(command.actor)} 不是",
            node_id=node.id,
        )
    if command.user not in signoff.pending:
        voted = command.user in signoff.signers
        what = "已经审批，不能减签" if voted else "不是本节点的审批人"
        return _not_allowed(item, f"{org.name_of(command.user)}（{command.user}）{what}")
    remaining = tuple(user for user in signoff.signers if user != command.user)
    if not remaining:
        return _not_allowed(item, "至少要保留一名审批人")
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    execution.effects.append(
        SignersChanged(
            node_id=node.id,
            token_id=item.token_id,
            change="removed",
            users=(command.user,),
            actor=command.actor,
            reason=command.reason,
        )
    )
    for open_item in list(execution.work_items.values()):
        if open_item.token_id == item.token_id and open_item.assignee == command.user:
            execution.cancel_work_item(open_item, f"减签：{command.reason}" if command.reason else "减签")
    settle(execution, node, signoff._replace(signers=remaining), command.actor, "减签后")
    execution.run(inclusive_join_check)
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))


def _check_new_signers(
    state: InstanceState, item: WorkItem, command: AddSigner, org: OrgSnapshot
) -> Rejection | None:
    if command.position not in POSITIONS:
        return _not_allowed(item, f"加签方式 {command.position!r} 不存在，可选：before、after、parallel")
    if not command.users:
        return _not_allowed(item, "请至少指定一名加签人")
    if len(set(command.users)) != len(command.users):
        return _not_allowed(item, "加签人重复")
    busy = signing(state, item.token_id) | {item.assignee or command.actor}
    for user in command.users:
        refused = check_user(org, user, item.node_id)
        if refused is not None:
            return refused
        if user in busy:
            return Rejection(
                reason=RejectionReason.ALREADY_SIGNING,
                message=f"{org.name_of(user)}（{user}）已经在审批「{item.name}」，不能重复加签",
                node_id=item.node_id,
            )
    return None


def _not_allowed(item: WorkItem, message: str) -> Rejection:
    return Rejection(reason=RejectionReason.NOT_ALLOWED, message=message, node_id=item.node_id)
