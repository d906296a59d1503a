"""Telling people: every reminder, overdue warning and escalation is recorded as a ``notified`` event.

The record is what the scenario tests and the KPIs read ("who was told what,
when"), in the same transaction as the decision to tell, with the outbox
rows that carry it to the channels people use (inbox, email, IM robots).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from orgflow.engine.effects import (
    InstanceEnded,
    InstanceWithdrawn,
    Transition,
    WorkItemOpened,
    WorkItemReturned,
    WorkItemTransferred,
)
from orgflow.engine.state import InstanceStatus, WorkItem
from orgflow.model.sla import Recipient, ReminderAt
from orgflow.notify.outbox import Outbox
from orgflow.runtime.instance_events import instance_event
from orgflow.runtime.message_facts import message_facts
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.sensitive.masking import masked
from orgflow.sla.recipients import Step, resolve_recipients
from orgflow.store.definitions import DeployedDefinition
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
    RETURNED = "returned"  # a step came back (退回)
    TRANSFERRED = "transferred"  # a step was handed over (转交)
    COPIED = "copied"  # an instance was copied to someone (抄送)
    URGED = "urged"  # someone urged a step (催办)
    APPROVED = "approved"  # the instance ended normally: to its initiator
    REJECTED = "rejected"  # the instance was ended early: to its initiator


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
    Notice.RETURNED: "退回",
    Notice.TRANSFERRED: "转交",
    Notice.COPIED: "抄送",
    Notice.URGED: "催办",
    Notice.APPROVED: "流程已通过",
    Notice.REJECTED: "流程未通过",
}


class Notices:
    """Tells people: the ``notified`` history record, and the outbox rows that reach them.

    ``outbox`` is ``None`` for a runtime without notifications (only the record is written).
    """

    def __init__(self, outbox: Outbox | None = None) -> None:
        self.outbox = outbox

    def tell(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        notice: Notice,
        recipients: Sequence[str],
        now: datetime,
        *,
        item: WorkItem | None = None,
        record: bool = True,
        **details: Any,
    ) -> bool:
        """Tell ``recipients`` ``notice``; ``False`` (and nothing written) if there is nobody.

        ``record=False`` skips the history row where another event already says it
        (a new work item's ``work_item_opened``).
        """
        deployed = uow.definition(stored.state.definition_id)
        details = masked(details, deployed.definition.sensitive_fields)  # a message never carries them
        recipients = self._routed(uow, stored, deployed, notice, recipients, item)
        if not recipients:
            return False
        if record:
            data: dict[str, Any] = {"notice": notice.value, "to": list(recipients), **details}
            uow.record(
                [
                    instance_event(
                        uow,
                        stored,
                        "notified",
                        now,
                        None,
                        item=item,
                        comment=NOTICE_LABELS[notice],
                        data=data,
                    )
                ]
            )
        if self.outbox is not None:
            self._write(uow, stored, deployed, notice, recipients, now, item, details)
        return True

    def _routed(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        deployed: DeployedDefinition,
        notice: Notice,
        recipients: Sequence[str],
        item: WorkItem | None,
    ) -> Sequence[str]:
        """The definition's own recipients for the event (``notify:``); ``assignee``: the default ones."""
        definition = deployed.definition
        rules = definition.notify.get(notice.value)
        if rules is None:
            return recipients
        node = None if item is None else definition.nodes.get(item.node_id)
        facts = Step(
            assignee=None if item is None else (item.on_behalf_of or item.assignee),
            department=getattr(node, "department", None),
            initiator=stored.state.initiator,
        )
        others = resolve_recipients([r for r in rules if r is not Recipient.ASSIGNEE], facts, uow.org())
        chosen = [*recipients] if Recipient.ASSIGNEE in rules else []
        return tuple(dict.fromkeys([*chosen, *others]))

    def after_save(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        transition: Transition,
        deployed: DeployedDefinition,
        now: datetime,
    ) -> None:
        """Tell people what the transition asks of them: a new, returned or transferred step; the end.

        A new step's notice is recorded in history only when the definition asks for a
        reminder at creation (its ``work_item_opened`` row says the rest).
        """
        definition = deployed.definition
        if self.outbox is None and not definition.is_timed:
            return
        transferred = {e.to_user: e for e in transition.effects if isinstance(e, WorkItemTransferred)}
        returned = next((e for e in transition.effects if isinstance(e, WorkItemReturned)), None)
        for effect in transition.effects:
            if isinstance(effect, WorkItemOpened):
                item = effect.work_item
                holder = item.waiting_on
                if holder is None:
                    continue
                moved = transferred.get(item.on_behalf_of or item.assignee or "")
                if moved is not None:
                    self.tell(
                        uow,
                        stored,
                        Notice.TRANSFERRED,
                        (holder,),
                        now,
                        item=item,
                        record=False,
                        actor=moved.actor,
                        reason=moved.reason,
                    )
                elif returned is not None:
                    self.tell(
                        uow,
                        stored,
                        Notice.RETURNED,
                        (holder,),
                        now,
                        item=item,
                        record=False,
                        actor=returned.actor,
                        reason=returned.reason,
                    )
                else:
                    terms = definition.sla_of(item.node_id)
                    record = terms is not None and any(r.at is ReminderAt.CREATED for r in terms.reminders)
                    if record or self.outbox is not None:
                        self.tell(uow, stored, Notice.ASSIGNED, (holder,), now, item=item, record=record)
            elif isinstance(effect, InstanceEnded) and stored.state.initiator:
                self._ended(uow, stored, transition, effect, now)

    def _ended(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        transition: Transition,
        effect: InstanceEnded,
        now: datetime,
    ) -> None:
        initiator = stored.state.initiator
        assert initiator is not None
        if effect.status is InstanceStatus.COMPLETED:
            self.tell(uow, stored, Notice.APPROVED, (initiator,), now, record=False)
            return
        withdrawn = next((e for e in transition.effects if isinstance(e, InstanceWithdrawn)), None)
        if withdrawn is not None and withdrawn.actor == initiator:
            return  # the initiator ended it themselves
        reason = "" if withdrawn is None else withdrawn.reason
        self.tell(uow, stored, Notice.REJECTED, (initiator,), now, record=False, reason=reason)

    def _write(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        deployed: DeployedDefinition,
        notice: Notice,
        recipients: Sequence[str],
        now: datetime,
        item: WorkItem | None,
        details: Mapping[str, Any],
    ) -> None:
        assert self.outbox is not None
        chart = uow.org()
        department = None if item is None else deployed.departments.get(item.node_id)
        named = chart.departments.get(department) if department else None
        self.outbox.write(
            uow.connection,
            event=notice.value,
            recipients=recipients,
            org=chart,
            now=now,
            facts=message_facts(uow, stored, deployed, item, now, self.outbox.config, details),
            instance_id=stored.state.id,
            work_item_id=None if item is None else item.id,
            departments=(department, None if named is None else named.name),
        )
