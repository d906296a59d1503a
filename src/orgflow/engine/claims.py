"""Who may act on a work item, and claiming shared items (认领 / 取消认领), as pure checks and transitions.

A personal item is for its assignee alone. A shared item (a candidate
group's) is for any active member of the group; completing it without a
claim claims it implicitly. With no org imported, group membership cannot be
known, so anyone may act on a shared item. An action without an actor is the
system's own and is always allowed.
"""

from __future__ import annotations

from orgflow.engine.effects import Rejection, RejectionReason, Transition, WorkItemClaimed, WorkItemUnclaimed
from orgflow.engine.state import InstanceState, WorkItem
from orgflow.org.model import OrgSnapshot


def may_act(item: WorkItem, actor: str | None, org: OrgSnapshot) -> Rejection | None:
    """``None`` if ``actor`` may complete ``item``, else why not."""
    if actor is None:
        return None
    if item.assignee is not None:
        if actor == item.assignee:
            return None
        return Rejection(
            reason=RejectionReason.NOT_ASSIGNEE,
            message=f"待办「{item.name}」由 {org.name_of(item.assignee)}（{item.assignee}）办理，"
            f"{org.name_of(actor)}（{actor}）不能办理",
            node_id=item.node_id,
        )
    return _not_candidate(item, actor, org)


def _not_candidate(item: WorkItem, user: str, org: OrgSnapshot) -> Rejection | None:
    if item.group is None or org.is_empty or item.group in org.groups_of(user):
        return None
    return Rejection(
        reason=RejectionReason.NOT_CANDIDATE,
        message=f"{org.name_of(user)}（{user}）不属于{org.group_label(item.group)}，不能认领或办理待办「{item.name}」",
        node_id=item.node_id,
    )


def claim(state: InstanceState, work_item_id: str, user: str, org: OrgSnapshot) -> Transition | Rejection:
    """Give a shared item to one of its group's members."""
    item = state.work_item(work_item_id)
    if item is None:
        return _not_open(work_item_id)
    if item.group is None:
        return Rejection(
            reason=RejectionReason.ALREADY_CLAIMED,
            message=f"待办「{item.name}」已指定由 {org.name_of(item.assignee or '')} 办理，不需要认领",
            node_id=item.node_id,
        )
    if item.assignee is not None:
        if item.assignee == user:
            return Transition(state=state, effects=())
        return Rejection(
            reason=RejectionReason.ALREADY_CLAIMED,
            message=f"待办「{item.name}」已被 {org.name_of(item.assignee)}（{item.assignee}）认领",
            node_id=item.node_id,
        )
    refused = _not_candidate(item, user, org)
    if refused is not None:
        return refused
    claimed = item._replace(assignee=user)
    return Transition(
        state=_replace_item(state, claimed),
        effects=(WorkItemClaimed(work_item_id=item.id, node_id=item.node_id, user=user),),
    )


def unclaim(state: InstanceState, work_item_id: str, user: str, org: OrgSnapshot) -> Transition | Rejection:
    """Give a claimed shared item back to its group; only the claimer may."""
    item = state.work_item(work_item_id)
    if item is None:
        return _not_open(work_item_id)
    if item.group is None or item.assignee is None:
        return Rejection(
            reason=RejectionReason.NOT_CLAIMED,
            message=f"待办「{item.name}」没有被认领，无需取消",
            node_id=item.node_id,
        )
    if item.assignee != user:
        return Rejection(
            reason=RejectionReason.NOT_ASSIGNEE,
            message=f"待办「{item.name}」由 {org.name_of(item.assignee)}（{item.assignee}）认领，"
            "只有认领人可以取消",
            node_id=item.node_id,
        )
    returned = item._replace(assignee=None)
    return Transition(
        state=_replace_item(state, returned),
        effects=(WorkItemUnclaimed(work_item_id=item.id, node_id=item.node_id, user=user),),
    )


def _replace_item(state: InstanceState, item: WorkItem) -> InstanceState:
    return state.evolve(work_items=tuple(item if old.id == item.id else old for old in state.work_items))


def _not_open(work_item_id: str) -> Rejection:
    return Rejection(
        reason=RejectionReason.WORK_ITEM_NOT_OPEN,
        message=f"待办 {work_item_id} 不是待处理状态（可能已被处理或已取消）",
    )
