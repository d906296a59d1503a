"""Which deadlines a work item gets, computed once when it opens (pure).

The runtime turns each :class:`Deadline` into a durable job; the worker runs
it when its moment comes. Business-time arithmetic is the calendar's
(:class:`WorkingTime`): a share of a 3-working-day limit is a share of the
working time, not of the wall clock, so "80 % elapsed" never falls on a
Sunday.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, Protocol

from orgflow.model.rules import TimeLimit, TimeUnit
from orgflow.model.sla import EffectiveSla, ReminderAt, is_business_time


class WorkingTime(Protocol):
    """The calendar arithmetic deadlines need (``orgflow.business_calendar.BusinessCalendar`` has it)."""

    def add(self, start: datetime, limit: TimeLimit) -> datetime:
        """``start`` plus ``limit``, in natural or business time."""
        ...

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working time between two moments, in seconds."""
        ...


class DeadlineKind(StrEnum):
    """What happens at a deadline; also the job kind that carries it."""

    REMIND = "sla.remind"  # a reminder to the assignee (elapsed / before due)
    DUE = "sla.due"  # the time limit is reached: the step is overdue
    ESCALATE = "sla.escalate"  # a rung of the escalation ladder
    ACK_REMIND = "sla.ack_remind"  # not yet confirmed: the second reminder
    ACK_ESCALATE = "sla.ack_escalate"  # still not confirmed: escalate


class Deadline(NamedTuple):
    """One moment in a work item's life; ``step`` points into the reminders or the ladder."""

    kind: DeadlineKind
    at: datetime
    step: int = 0


class Plan(NamedTuple):
    """A work item's due time (``None`` without a time limit) and its deadlines in time order."""

    due_at: datetime | None
    deadlines: tuple[Deadline, ...]


def plan_deadlines(
    terms: EffectiveSla, opened_at: datetime, calendar: WorkingTime, *, due_at: datetime | None = None
) -> Plan:
    """The deadlines of a work item opened at ``opened_at`` under ``terms``.

    ``due_at`` replaces the time limit's own result when the due time was set
    otherwise (a re-plan, or a clock paused while the step was returned);
    reminders are then spread over the time that is left.
    """
    deadlines: list[Deadline] = []
    limit = terms.time_limit
    if due_at is None and limit is not None:
        due_at = calendar.add(opened_at, limit)
    if due_at is not None:
        business = limit is not None and is_business_time(limit)
        for index, reminder in enumerate(terms.reminders):
            moment: datetime | None = None
            if reminder.at is ReminderAt.ELAPSED and reminder.percent is not None:
                moment = _share(opened_at, due_at, reminder.percent / 100, calendar, business=business)
            elif reminder.at is ReminderAt.BEFORE_DUE and reminder.before is not None:
                moment = _before(opened_at, due_at, reminder.before, calendar)
            if moment is not None and opened_at < moment < due_at:
                deadlines.append(Deadline(DeadlineKind.REMIND, moment, index))
        deadlines.append(Deadline(DeadlineKind.DUE, due_at))
        for index, step in enumerate(terms.escalation):
            moment = calendar.add(due_at, step.after) if step.after.amount else due_at
            deadlines.append(Deadline(DeadlineKind.ESCALATE, moment, index))
    acknowledge = terms.acknowledge
    if acknowledge is not None:
        deadlines.append(Deadline(DeadlineKind.ACK_REMIND, calendar.add(opened_at, acknowledge.within)))
        deadlines.append(
            Deadline(DeadlineKind.ACK_ESCALATE, calendar.add(opened_at, acknowledge.escalate_after))
        )
    deadlines.sort(key=lambda deadline: deadline.at)
    return Plan(due_at, tuple(deadlines))


def _share(
    start: datetime, end: datetime, share: float, calendar: WorkingTime, *, business: bool
) -> datetime:
    """The moment ``share`` of the way from ``start`` to ``end`` (in working time when ``business``)."""
    if not business:
        return start + (end - start) * share
    hours = calendar.working_seconds_between(start, end) * share / 3600
    return calendar.add(start, TimeLimit(amount=hours, unit=TimeUnit.WORKING_HOURS))


def _before(start: datetime, due_at: datetime, before: TimeLimit, calendar: WorkingTime) -> datetime:
    """``before`` ahead of the due time: on the clock for hours, in working time otherwise."""
    if not is_business_time(before):
        return due_at - timedelta(hours=before.amount)
    if before.unit is TimeUnit.WORKING_DAYS:
        # A working day ahead of due is the same working time a day's length earlier.
        day = calendar.working_seconds_between(
            start, calendar.add(start, TimeLimit(amount=1, unit=before.unit))
        )
        ahead = before.amount * day
    else:
        ahead = before.amount * 3600
    left = calendar.working_seconds_between(start, due_at) - ahead
    if left <= 0:
        return start
    return calendar.add(start, TimeLimit(amount=left / 3600, unit=TimeUnit.WORKING_HOURS))
