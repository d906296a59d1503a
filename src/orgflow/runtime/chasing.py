"""What the worker does when a work item's deadline comes: remind, mark overdue, escalate (催办, 升级).

Each handler runs in the job's own transaction and first checks the item is
still open (and, for confirm receipt, still unconfirmed): a step finished a
moment before its deadline is left alone. Who hears of it is read off the org
chart now (:mod:`orgflow.sla.recipients`). Every notice is a ``notified``
history event (:mod:`orgflow.runtime.notices`), committed with the job's
deletion, so a job taken over after a crash never tells anyone twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from orgflow.engine.state import WorkItem
from orgflow.jobs import JobContext, JobHandlers
from orgflow.model.sla import EffectiveSla, EscalationAction, EscalationStep
from orgflow.runtime.actions import (
    Action,
    CompleteWorkItem,
    OpenOverdueAnomaly,
    TransferWorkItem,
    WithdrawInstance,
)
from orgflow.runtime.deadlines import Deadlines
from orgflow.runtime.notices import Notice, Notices
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.sla.plan import DeadlineKind
from orgflow.sla.recipients import Step, resolve_recipients
from orgflow.store.instances import StoredInstance

#: Runs an action inside an open unit of work (the runtime's action handlers).
Dispatch = Callable[[Action, UnitOfWork], object]
#: A unit of work on the job's transaction.
MakeUnitOfWork = Callable[[JobContext], UnitOfWork]


class Chase(NamedTuple):
    """An open work item a deadline is about, with what the handlers need to act on it."""

    uow: UnitOfWork
    stored: StoredInstance
    item: WorkItem
    terms: EffectiveSla
    now: datetime
    step: int
    notices: Notices

    def recipients_step(self) -> Step:
        """The facts the org chart is asked about: who holds the step, its department, the initiator."""
        definition = self.uow.definition(self.stored.state.definition_id).definition
        node = definition.nodes.get(self.item.node_id)
        return Step(
            assignee=self.item.on_behalf_of or self.item.assignee,
            department=getattr(node, "department", None),
            initiator=self.stored.state.initiator,
        )

    def tell(self, notice: Notice, recipients: tuple[str, ...], **details: object) -> bool:
        """Record the notice about this item, with its due time."""
        due = self.uow.due_at(self.item.id)
        extra = {} if due is None else {"due_at": due.isoformat()}
        facts: dict[str, Any] = {**extra, **details}
        return self.notices.tell(self.uow, self.stored, notice, recipients, self.now, item=self.item, **facts)


class DeadlineJobs:
    """The handlers of the deadline job kinds (:class:`orgflow.sla.plan.DeadlineKind`)."""

    def __init__(self, deadlines: Deadlines, make_uow: MakeUnitOfWork, dispatch: Dispatch) -> None:
        self.deadlines = deadlines
        self.make_uow = make_uow
        self.dispatch = dispatch

    def register(self, handlers: JobHandlers) -> None:
        """Register one handler per deadline kind."""
        handlers.register(DeadlineKind.REMIND.value, self.remind)
        handlers.register(DeadlineKind.DUE.value, self.due)
        handlers.register(DeadlineKind.ESCALATE.value, self.escalate)
        handlers.register(DeadlineKind.ACK_REMIND.value, self.acknowledge_remind)
        handlers.register(DeadlineKind.ACK_ESCALATE.value, self.acknowledge_escalate)

    def remind(self, context: JobContext) -> None:
        """Before the due time: tell the assignee the step falls due soon."""
        chase = self._open(context)
        if chase is not None:
            chase.tell(Notice.DUE_SOON, _holder(chase.item))

    def due(self, context: JobContext) -> None:
        """The limit is reached: tell the assignee; open the exception (异常) if the definition says so."""
        chase = self._open(context)
        if chase is None:
            return
        chase.tell(Notice.OVERDUE, _holder(chase.item))
        if chase.terms.overdue_exception:
            self.dispatch(OpenOverdueAnomaly(work_item_id=chase.item.id), chase.uow)

    def escalate(self, context: JobContext) -> None:
        """A rung of the escalation ladder: tell the people it names, then reassign, approve or cancel."""
        chase = self._open(context)
        if chase is None or chase.step >= len(chase.terms.escalation):
            return
        rung = chase.terms.escalation[chase.step]
        facts = chase.recipients_step()
        org = chase.uow.org()
        chase.tell(
            Notice.ESCALATED,
            resolve_recipients(rung.notify, facts, org),
            rung=chase.step + 1,
            action=rung.action.value,
        )
        self._act(chase, rung, facts)

    def acknowledge_remind(self, context: JobContext) -> None:
        """Receipt not confirmed in time: the second reminder to the assignee."""
        chase = self._unconfirmed(context)
        if chase is not None:
            chase.tell(Notice.ACKNOWLEDGE_REMINDER, _holder(chase.item))

    def acknowledge_escalate(self, context: JobContext) -> None:
        """Still not confirmed: tell the initiating department's head and the 分管领导 (seed 003)."""
        chase = self._unconfirmed(context)
        if chase is None or chase.terms.acknowledge is None:
            return
        org = chase.uow.org()
        recipients = resolve_recipients(chase.terms.acknowledge.escalate_to, chase.recipients_step(), org)
        chase.tell(Notice.ACKNOWLEDGE_ESCALATED, recipients)

    def _act(self, chase: Chase, rung: EscalationStep, facts: Step) -> None:
        label = f"超时升级第 {chase.step + 1} 级"
        if rung.action is EscalationAction.REASSIGN and rung.reassign_to is not None:
            targets = resolve_recipients((rung.reassign_to,), facts, chase.uow.org())
            holder = chase.item.on_behalf_of or chase.item.assignee
            if targets and targets[0] != holder:
                reason = f"{label}：改派"
                self.dispatch(TransferWorkItem(chase.item.id, None, targets[0], reason), chase.uow)
        elif rung.action is EscalationAction.AUTO_APPROVE:
            action = CompleteWorkItem(
                work_item_id=chase.item.id, actor=None, outcome="approve", comment=f"{label}：自动通过"
            )
            self.dispatch(action, chase.uow)
        elif rung.action is EscalationAction.CANCEL:
            withdraw = WithdrawInstance(
                instance=chase.stored.state.id, actor=None, reason=f"{label}：撤销流程", by_system=True
            )
            self.dispatch(withdraw, chase.uow)

    def _open(self, context: JobContext) -> Chase | None:
        """The job's item if it is still open and timed, else ``None`` (nothing to do)."""
        uow = self.make_uow(context)
        item_id = str(context.job.payload["work_item_id"])
        stored = uow.instance_if_open(item_id)
        item = None if stored is None else stored.state.work_item(item_id)
        if stored is None or item is None:
            return None
        terms = uow.definition(stored.state.definition_id).definition.sla_of(item.node_id)
        if terms is None:
            return None
        step = int(context.job.payload.get("step", 0))
        return Chase(uow, stored, item, terms, context.now, step, self.deadlines.notices)

    def _unconfirmed(self, context: JobContext) -> Chase | None:
        chase = self._open(context)
        if chase is None or chase.uow.acknowledged_at(chase.item.id) is not None:
            return None
        return chase


def _holder(item: WorkItem) -> tuple[str, ...]:
    return (item.waiting_on,) if item.waiting_on else ()
