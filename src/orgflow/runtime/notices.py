"""Telling people: every reminder, overdue warning and escalation is recorded as a ``notified`` event.

The record is what the scenario tests and the KPIs read ("who was told what,
when"), in the same transaction as the decision to tell. Delivery on the
channels people use (inbox, email, IM robots) reads the same events through
the notification outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from orgflow.engine.state import WorkItem
from orgflow.runtime.instance_events import instance_event
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.store.instances import StoredInstance


class Notice(StrEnum):
    """What a notice is about (its template, later, and its label now)."""

    ASSIGNED = "assigned"  # a new work item (the "at creation" reminder)
    DUE_SOON = "due_soon"  # a reminder before the due time
    OVERDUE = "overdue"  # the time limit has passed
    ESCALATED = "escalated"  # a rung of the escalation ladder
    ACKNOWLEDGE_REMINDER = "acknowledge_reminder"  # receipt not confirmed in time: the second reminder
    ACKNOWLEDGE_ESCALATED = "acknowledge_escalated"  # still not confirmed: up the org chart
    EXPLANATION_NEEDED = "explanation_needed"  # an exception (异常) waits for its explanation
    EXPLANATION_OVERDUE = "explanation_overdue"  # the explanation is late: escalated
    TIMER_FIRED = "timer_fired"  # a side-path timer (e.g. a reminder loop) started its path


NOTICE_LABELS = {
    Notice.ASSIGNED: "新待办",
    Notice.DUE_SOON: "即将到期",
    Notice.OVERDUE: "已超时",
    Notice.ESCALATED: "超时升级",
    Notice.ACKNOWLEDGE_REMINDER: "确认接收提醒",
    Notice.ACKNOWLEDGE_ESCALATED: "未确认接收升级",
    Notice.EXPLANATION_NEEDED: "请提交异常说明",
    Notice.EXPLANATION_OVERDUE: "异常说明超时升级",
    Notice.TIMER_FIRED: "定时提醒",
}


def tell(
    uow: UnitOfWork,
    stored: StoredInstance,
    notice: Notice,
    recipients: Sequence[str],
    now: datetime,
    *,
    item: WorkItem | None = None,
    **details: Any,
) -> bool:
    """Record that ``recipients`` are told ``notice``; ``False`` (and nothing written) if there is nobody."""
    if not recipients:
        return False
    data: dict[str, Any] = {"notice": notice.value, "to": list(recipients), **details}
    uow.record(
        [
            instance_event(
                uow, stored, "notified", now, None, item=item, comment=NOTICE_LABELS[notice], data=data
            )
        ]
    )
    return True
