"""Due times and deadline jobs of work items (时限), written in the transaction that opens the item.

After every saved transition of a timed definition, each new work item gets
its due time and one durable job per deadline (:func:`orgflow.sla.plan.plan_deadlines`);
an item that closes loses its jobs. Three cases keep the clock a person expects:

- a transferred item (转交, 改派) keeps the due time it had, and only the
  deadlines still ahead: nobody is chased twice for the same lateness;
- a step reached again after it was returned to the initiator (补件) gets the
  time that was left when it was returned, if the definition pauses the clock;
- a re-planned exception (异常重新计划) gives the item a new due time, and its
  deadlines are planned again from now.

The jobs themselves run in :mod:`orgflow.runtime.chasing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from orgflow.anomalies.lifecycle import EXPLANATION_WINDOW
from orgflow.business_calendar import BusinessCalendar, CalendarBook
from orgflow.engine.effects import (
    Transition,
    WorkItemCancelled,
    WorkItemCompleted,
    WorkItemOpened,
    WorkItemReturned,
    WorkItemTransferred,
)
from orgflow.engine.state import WorkItem
from orgflow.model.definition import ProcessDefinition
from orgflow.model.rules import TimeLimit, TimeUnit
from orgflow.model.sla import EffectiveSla, is_business_time
from orgflow.runtime.notices import Notices
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.sla.plan import Deadline, DeadlineKind, plan_deadlines
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.instances import StoredInstance
from orgflow.store.jobs import JobRequest

#: The deadlines that chase confirm receipt (dropped once the item is confirmed).
ACKNOWLEDGE_KINDS = (DeadlineKind.ACK_REMIND.value, DeadlineKind.ACK_ESCALATE.value)
#: Every job kind a work item's deadlines use.
DEADLINE_KINDS = tuple(kind.value for kind in DeadlineKind)

_CLOSING = WorkItemCompleted | WorkItemCancelled | WorkItemReturned


class Deadlines:
    """Plans work items' deadlines on the business calendar of each step's department."""

    def __init__(self, calendars: CalendarBook, notices: Notices) -> None:
        self.calendars = calendars
        self.notices = notices

    def calendar_for(self, definition: ProcessDefinition, node_id: str) -> BusinessCalendar:
        """The calendar a step counts working time on: its responsible department's, or the company's."""
        node = definition.nodes.get(node_id)
        return self.calendars.for_department(getattr(node, "department", None))

    def after_save(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        transition: Transition,
        deployed: DeployedDefinition,
        now: datetime,
    ) -> None:
        """Give the transition's new work items due times and jobs; drop the jobs of closed ones."""
        definition = deployed.definition
        if not definition.is_timed:
            return
        kept: dict[
            str, tuple[datetime, datetime | None]
        ] = {}  # node id → due, counted from, of the item moved
        opened: list[WorkItem] = []
        for effect in transition.effects:
            if isinstance(effect, WorkItemTransferred):
                due = uow.due_at(effect.work_item_id)
                if due is not None:
                    kept[effect.node_id] = (due, uow.due_counted_from(effect.work_item_id))
            elif isinstance(effect, _CLOSING):
                uow.cancel_jobs(effect.work_item_id)
            elif isinstance(effect, WorkItemOpened):
                opened.append(effect.work_item)
        dues: dict[str, datetime] = {}
        counted_from: dict[str, datetime] = {}
        requests: list[JobRequest] = []
        for item in opened:
            terms = definition.sla_of(item.node_id)
            if terms is None:
                continue
            calendar = self.calendar_for(definition, item.node_id)
            inherited, since = kept.get(item.node_id, (None, None))
            resumed = (
                None if inherited else self._resumed(uow, stored.state.id, item.node_id, terms, calendar, now)
            )
            plan = plan_deadlines(terms, now, calendar, due_at=inherited or resumed)
            if plan.due_at is not None:
                dues[item.id] = plan.due_at
                start = since if inherited else (None if resumed else now)
                if start is not None:
                    counted_from[item.id] = start
            ahead = [d for d in plan.deadlines if inherited is None or d.at > now]
            requests.extend(_jobs(stored.state.id, item.id, ahead))
        uow.set_due(dues, counted_from)
        uow.schedule_jobs(requests, now)

    def replan(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        item: WorkItem,
        due_at: datetime | None,
        now: datetime,
        *,
        counted_from: datetime | None = None,
        catch_up: bool = False,
    ) -> None:
        """Give an open item a new due time and plan the deadlines still ahead again.

        ``counted_from``: the due time is the limit counted from then (a calendar
        change, a move to another version), and reminders are spread from then;
        without it the due time was set by a person (a re-plan) and reminders are
        spread from ``now``. ``due_at`` ``None``: the step has no time limit (only
        confirm receipt is chased, if it asks for that). ``catch_up``: a due time
        already passed still gets its deadline, which runs at once (the item was
        not overdue before, and a shorter limit makes it so).
        """
        uow.set_due({item.id: due_at}, None if counted_from is None else {item.id: counted_from})
        uow.cancel_jobs(item.id)
        deployed = uow.definition(stored.state.definition_id)
        terms = deployed.definition.sla_of(item.node_id)
        if terms is None:
            return
        calendar = self.calendar_for(deployed.definition, item.node_id)
        plan = plan_deadlines(terms, counted_from or now, calendar, due_at=due_at)
        acknowledged = uow.acknowledged_at(item.id) is not None
        ahead = [
            d
            for d in plan.deadlines
            if (d.at > now or (catch_up and d.kind is DeadlineKind.DUE))
            and not (acknowledged and d.kind.value in ACKNOWLEDGE_KINDS)
        ]
        uow.schedule_jobs(_jobs(stored.state.id, item.id, ahead), now)

    def recompute(self, uow: UnitOfWork, now: datetime) -> tuple[int, int]:
        """Count the due times not yet reached again on the current calendar; (items checked, moved)."""
        checked = moved = 0
        for item_id, since, due in uow.recomputable_items(now):
            stored = uow.instance_if_open(item_id)
            item = None if stored is None else stored.state.work_item(item_id)
            if stored is None or item is None:
                continue
            definition = uow.definition(stored.state.definition_id).definition
            terms = definition.sla_of(item.node_id)
            if terms is None or terms.time_limit is None or not is_business_time(terms.time_limit):
                continue
            checked += 1
            counted = self.calendar_for(definition, item.node_id).add(since, terms.time_limit)
            if counted != due:
                self.replan(uow, stored, item, counted, now, counted_from=since)
                moved += 1
        return checked, moved

    def explanation_due(self, definition: ProcessDefinition, node_id: str | None, now: datetime) -> datetime:
        """When an anomaly found now on ``node_id`` must be explained: the step's window, else 4 hours."""
        terms = None if node_id is None else definition.sla_of(node_id)
        if terms is None or node_id is None:
            return now + EXPLANATION_WINDOW
        return self.calendar_for(definition, node_id).add(now, terms.explanation_within)

    def _resumed(
        self,
        uow: UnitOfWork,
        instance_id: str,
        node_id: str,
        terms: EffectiveSla,
        calendar: BusinessCalendar,
        now: datetime,
    ) -> datetime | None:
        """The due time of a step reached again after 补件: now plus what was left when it was returned."""
        limit = terms.time_limit
        if not terms.pause_on_return or limit is None:
            return None
        paused = uow.paused_at_return(instance_id, node_id)
        if paused is None:
            return None
        due, returned_at = paused
        if due <= returned_at:
            return now
        if not is_business_time(limit):
            return now + (due - returned_at)
        left = calendar.working_seconds_between(returned_at, due) / 3600
        return calendar.add(now, TimeLimit(amount=left, unit=TimeUnit.WORKING_HOURS))


def _jobs(instance_id: str, item_id: str, deadlines: Sequence[Deadline]) -> list[JobRequest]:
    return [
        JobRequest(
            kind=deadline.kind.value,
            run_at=deadline.at,
            payload={"work_item_id": item_id, "step": deadline.step},
            subject=item_id,
            key=f"{item_id}:{deadline.kind.value}:{deadline.step}:{deadline.at.timestamp():.0f}",
            instance_id=instance_id,
        )
        for deadline in deadlines
    ]
