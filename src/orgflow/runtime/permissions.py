"""Who may add files to an instance: pure checks that raise ``CommandRejected`` with a reason to act on.

On a work item: whoever may act on it (its assignee, or a member of its
candidate group: :func:`orgflow.engine.claims.may_act`) and the instance's
initiator. On the instance as a whole: the initiator, and whoever may act on
one of its open work items.
"""

from __future__ import annotations

from typing import Final

from orgflow.engine.claims import may_act
from orgflow.engine.state import InstanceState, WorkItem
from orgflow.errors import CommandRejected
from orgflow.org.model import OrgSnapshot

#: ``CommandRejected.reason`` when someone outside an instance tries to add to it.
NOT_PARTICIPANT: Final = "not_participant"


def require_contributor(state: InstanceState, item: WorkItem | None, actor: str, org: OrgSnapshot) -> None:
    """Refuse ``actor`` adding a file to ``item`` (or, with ``None``, to the instance) unless they take part.

    Raises:
        CommandRejected: Naming who may add files instead (reason ``not_participant``
            on the instance, the work-item rule's reason on a work item).
    """
    if actor == state.initiator:
        return
    if item is not None:
        refused = may_act(item, actor, org)
        if refused is not None:
            error = refused.to_error()
            raise CommandRejected(
                f"{error}；只有该待办的处理人或流程发起人可以上传附件",
                reason=error.reason,
                node_id=error.node_id,
            )
        return
    if any(may_act(open_item, actor, org) is None for open_item in state.work_items):
        return
    raise CommandRejected(
        f"{org.name_of(actor)}（{actor}）不是流程实例 {state.business_key} 的发起人或当前处理人，"
        "不能为它上传附件",
        reason=NOT_PARTICIPANT,
    )
