"""Urging an instance (催办): record who is being waited on, at most once per interval per person.

Only the initiator or an administrator may urge. The interval is measured from
the urger's own last ``instance_urged`` history row on that instance, so the
history is the single record of who urged when. Delivering the reminder to the
people listed is the notification layer's job (not built yet).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from orgflow.errors import CommandRejected
from orgflow.runtime.actions import UrgeInstance
from orgflow.runtime.permissions import check_may_urge
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views import Urged
from orgflow.store.history import action_row

#: The history kind an urge records.
INSTANCE_URGED: Final = "instance_urged"
#: How long one person waits between two urges of the same instance. A module constant:
#: ``Settings`` holds deployment configuration and is not handed to action handlers.
URGE_INTERVAL: Final = timedelta(minutes=30)


def urge_instance(action: UrgeInstance, uow: UnitOfWork, now: datetime) -> Urged:
    """Record an urge listing the assignees and groups of the instance's open work items.

    Raises:
        PermissionDenied: The actor is neither the initiator nor an administrator.
        CommandRejected: Nothing is waiting on anyone, or the actor urged it less than
            :data:`URGE_INTERVAL` ago (the message says when they may again).
    """
    stored = uow.instance(action.instance)
    state = stored.state
    chart = uow.org()
    actor = check_may_urge(
        action.actor, initiator=state.initiator, business_key=state.business_key, chart=chart
    )
    if not state.work_items:
        raise CommandRejected(
            f"流程实例 {state.business_key} 当前没有待办（{state.status.value}），无需催办。",
            reason="nothing_to_urge",
        )
    last = uow.last_history_at(state.id, INSTANCE_URGED, actor)
    if last is not None and now < last + URGE_INTERVAL:
        again = last + URGE_INTERVAL
        raise CommandRejected(
            f"流程实例 {state.business_key} 已于 {_shown(last)} 催办过，每 {_minutes()} 分钟只能催办一次；"
            f"请在 {_shown(again)} 之后再催办。",
            reason="urged_recently",
        )
    assignees = tuple(dict.fromkeys(item.assignee for item in state.work_items if item.assignee))
    groups = tuple(
        dict.fromkeys(item.group for item in state.work_items if item.assignee is None and item.group)
    )
    data = {
        "assignees": list(assignees),
        "assignee_names": [chart.name_of(user) for user in assignees],
        "groups": list(groups),
        "group_labels": [chart.group_label(group) for group in groups],
    }
    note = action.note or None
    uow.record([action_row(state.id, now, INSTANCE_URGED, actor=actor, org=chart, comment=note, data=data)])
    return Urged(
        instance_id=state.id,
        business_key=state.business_key,
        assignees=assignees,
        groups=groups,
        at=now,
        next_allowed_at=now + URGE_INTERVAL,
    )


def _shown(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} (UTC)"


def _minutes() -> int:
    return int(URGE_INTERVAL.total_seconds() // 60)
