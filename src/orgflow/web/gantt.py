"""The instance page's Gantt view: per step, the window its time limit gave it against the time it took.

Planned is what the runtime holds for each work item: it starts when the step
reached its people (the work item opened, which is when its time limit starts
counting) and ends at its due time (时限, moved by a re-plan when an exception
was re-planned); actual runs from the same opening to its completion, or to now
while it is still open. One row per work item, as in the seed's 执行进度跟踪表
(template 3): a countersign shows one row per signer, a step done again after a
return shows each round. Bars are placed in percent of the time the chart spans,
so a template draws them with plain CSS.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from orgflow.runtime.views import WorkItemView

#: The shortest span a chart shows (steps done at once still get visible bars).
MIN_SPAN: Final = timedelta(hours=1)

#: How many time marks the axis carries.
TICKS: Final = 5

#: A bar is never narrower than this, in percent, so a step done at once stays visible.
MIN_WIDTH: Final = 0.6


@dataclass(frozen=True, kw_only=True, slots=True)
class Bar:
    """Where a bar lies on the chart, in percent of its width."""

    left: float
    width: float


@dataclass(frozen=True, kw_only=True, slots=True)
class GanttRow:
    """One work item on the chart.

    Attributes:
        work_item_id: The work item.
        node_id: Its step.
        name: The step's name.
        holder: Who has or had it (a name, or the group's label).
        status: The work item's status (``open``, ``completed``, ``cancelled``, ``returned``).
        state: How it stands against its time limit: ``on_time``, ``late`` (done after its due
            time), ``overdue`` (open past its due time), ``open``, ``no_limit`` (done, no time
            limit), ``cancelled`` or ``returned``.
        late_hours: Whole hours (rounded up) past the due time; 0 when not late.
        planned_start: When its time limit started counting.
        planned_end: Its due time (``None``: no time limit).
        actual_start: When it reached its people.
        actual_end: When it was done (``None`` while open).
        planned: The planned bar (``None`` without a time limit).
        actual: The actual bar (to now while open).
        late: The part of the actual bar past the due time (``None`` when not late).
    """

    work_item_id: str
    node_id: str
    name: str
    holder: str
    status: str
    state: str
    late_hours: int
    planned_start: datetime
    planned_end: datetime | None
    actual_start: datetime
    actual_end: datetime | None
    planned: Bar | None
    actual: Bar
    late: Bar | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Gantt:
    """The chart: its rows, the time it spans, marks along the axis and where now is."""

    rows: tuple[GanttRow, ...]
    start: datetime
    end: datetime
    ticks: tuple[tuple[float, datetime], ...]
    now: Bar | None


def gantt_of(
    items: Sequence[WorkItemView],
    now: datetime,
    holder: Callable[[WorkItemView], str],
    opened: Mapping[str, int] | None = None,
) -> Gantt:
    """The chart of an instance's work items (any status) at ``now``, in the order they opened.

    ``holder`` names who has an item (the page knows names and group labels); ``opened``
    gives each item's place in the history (items opened in one command share a time).
    """
    place = opened or {}
    ordered = sorted(items, key=lambda item: (item.created_at, place.get(item.id, len(place)), item.id))
    if not ordered:
        return Gantt(rows=(), start=now, end=now, ticks=(), now=None)
    start = ordered[0].created_at
    moments = [start + MIN_SPAN]
    for item in ordered:
        moments.append(item.completed_at or now)
        if item.due_at is not None:
            moments.append(item.due_at)
    if any(item.status == "open" for item in ordered):
        moments.append(now)
    end = max(moments)
    span = (end - start).total_seconds()

    def at(moment: datetime) -> float:
        return max(0.0, min(100.0, (moment - start).total_seconds() / span * 100))

    def bar(begin: datetime, finish: datetime) -> Bar:
        left = at(begin)
        width = max(at(finish) - left, MIN_WIDTH)
        return Bar(left=round(min(left, 100 - MIN_WIDTH), 2), width=round(width, 2))

    rows = tuple(_row(item, now, holder(item), bar) for item in ordered)
    ticks = tuple(
        (round(index * 100 / (TICKS - 1), 2), start + (end - start) * index / (TICKS - 1))
        for index in range(TICKS)
    )
    shown_now = bar(now, now) if start <= now <= end else None
    return Gantt(rows=rows, start=start, end=end, ticks=ticks, now=shown_now)


def _row(
    item: WorkItemView, now: datetime, holder: str, bar: Callable[[datetime, datetime], Bar]
) -> GanttRow:
    finished = item.completed_at if item.status != "open" else None
    until = finished or now
    due = item.due_at
    late_hours = _hours_late(due, until) if item.status in ("open", "completed") else 0
    return GanttRow(
        work_item_id=item.id,
        node_id=item.node_id,
        name=item.name,
        holder=holder,
        status=item.status,
        state=_state(item, late_hours),
        late_hours=late_hours,
        planned_start=item.created_at,
        planned_end=due,
        actual_start=item.created_at,
        actual_end=finished,
        planned=bar(item.created_at, due) if due is not None else None,
        actual=bar(item.created_at, until),
        late=bar(due, until) if due is not None and late_hours else None,
    )


def _state(item: WorkItemView, late_hours: int) -> str:
    if item.status in ("cancelled", "returned"):
        return item.status
    if item.status == "open":
        return "overdue" if late_hours else "open"
    if late_hours:
        return "late"
    return "on_time" if item.due_at is not None else "no_limit"


def _hours_late(due: datetime | None, at: datetime) -> int:
    """Whole hours (rounded up) from ``due`` to ``at``; 0 when on time or without a time limit."""
    if due is None or at <= due:
        return 0
    return math.ceil((at - due).total_seconds() / 3600)
