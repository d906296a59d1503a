"""Application actions on a work item's step → the engine commands that carry them out."""

from __future__ import annotations

from orgflow.engine import commands
from orgflow.runtime.actions import (
    AddSigner,
    ClaimWorkItem,
    RemoveSigner,
    ReturnWorkItem,
    TransferWorkItem,
    UnclaimWorkItem,
    WorkItemAction,
)


def engine_command(action: WorkItemAction) -> commands.Command:
    """The engine command for an operation on a work item's step."""
    if isinstance(action, ClaimWorkItem):
        return commands.ClaimWorkItem(work_item_id=action.work_item_id, user=action.user)
    if isinstance(action, UnclaimWorkItem):
        return commands.UnclaimWorkItem(work_item_id=action.work_item_id, user=action.user)
    if isinstance(action, TransferWorkItem):
        return commands.TransferWorkItem(
            work_item_id=action.work_item_id, actor=action.actor, to_user=action.to_user, reason=action.reason
        )
    if isinstance(action, AddSigner):
        return commands.AddSigner(
            work_item_id=action.work_item_id,
            actor=action.actor,
            users=tuple(action.users),
            position=action.position,
            reason=action.reason,
        )
    if isinstance(action, RemoveSigner):
        return commands.RemoveSigner(
            work_item_id=action.work_item_id, actor=action.actor, user=action.user, reason=action.reason
        )
    assert isinstance(action, ReturnWorkItem)
    return commands.ReturnWorkItem(
        work_item_id=action.work_item_id,
        actor=action.actor,
        target=action.target,
        to_initiator=action.to_initiator,
        reason=action.reason,
    )
