"""Confirm receipt (确认接收): the assignee says "I have it", which stops the chasing.

Seed 003: tasks pushed to a department must be confirmed within 24 hours;
unconfirmed, a second reminder follows, and at 48 hours the matter goes to the
initiating department's head and the 分管领导. Those deadlines are jobs; this
handler records the confirmation, cancels them, and keeps the waiting time for
the KPIs. It does not move the instance, so it does not go through the engine.
"""

from __future__ import annotations

from orgflow.clock import Clock
from orgflow.engine.claims import may_act
from orgflow.runtime.actions import AcknowledgeWorkItem
from orgflow.runtime.deadlines import ACKNOWLEDGE_KINDS
from orgflow.runtime.instance_events import instance_event
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views import Acknowledged


class Acknowledgements:
    """The handler of :class:`AcknowledgeWorkItem`."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def acknowledge(self, action: AcknowledgeWorkItem, uow: UnitOfWork) -> Acknowledged:
        """Record the confirmation once; a second one reports the first."""
        stored = uow.instance_for_work_item(action.work_item_id)
        item = stored.state.work_item(action.work_item_id)
        assert item is not None  # instance_for_work_item refuses items that are not open
        refused = may_act(item, action.actor, uow.org())
        if refused is not None:
            raise refused.to_error()
        now = self.clock.now()
        first = uow.acknowledge(item.id, now)
        at = now if first else uow.acknowledged_at(item.id) or now
        waited = max(0.0, (at - item.created_at).total_seconds())
        if first:
            uow.cancel_jobs(item.id, ACKNOWLEDGE_KINDS)
            data = {"waited_seconds": round(waited)}
            uow.record(
                [
                    instance_event(
                        uow, stored, "work_item_acknowledged", now, action.actor, item=item, data=data
                    )
                ]
            )
        return Acknowledged(
            work_item_id=item.id,
            business_key=stored.state.business_key,
            name=item.name,
            at=at,
            waited_seconds=waited,
            actor=action.actor,
            again=not first,
        )
