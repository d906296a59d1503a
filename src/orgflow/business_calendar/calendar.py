"""Time arithmetic on a business calendar: "4 working hours" and "3 个工作日" from a moment.

All moments in and out are timezone-aware; the arithmetic happens in the
calendar's local zone (Asia/Shanghai by default), day by day, so a deadline
never falls on a holiday, a weekend or a lunch break.

What a person expects, and what this does:

- natural hours: plain elapsed time, the calendar plays no part;
- working hours: only working time counts; a start outside working time
  counts from the next working moment; a result exactly at the end of a
  window stays there (18:00, not the next morning's 09:00);
- N working days: the same clock time on the N-th following working day
  (from the next working moment when the start is outside working time); a
  fraction of a day is that share of the day's working hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from orgflow.business_calendar.days import DaySchedule
from orgflow.business_calendar.hours import DEFAULT_HOURS, WorkingHours
from orgflow.clock import require_aware
from orgflow.model.rules import TimeLimit, TimeUnit

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
#: How far ahead a search for working time goes before it gives up (a calendar with no working day).
_HORIZON_DAYS: Final = 3660


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Working hours and working days in one zone: a company's, or one department's."""

    zone: ZoneInfo = SHANGHAI
    hours: WorkingHours = DEFAULT_HOURS
    days: DaySchedule = field(default_factory=DaySchedule)

    # --- questions ---------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a local date) is a working day."""
        return self.days.is_working_day(day)

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside a working window of a working day."""
        local = require_aware(moment).astimezone(self.zone)
        if not self.is_working_day(local.date()):
            return False
        clock = local.time().replace(tzinfo=None)
        return any(start <= clock < end for start, end in self.hours.windows)

    def covers(self, year: int) -> bool:
        """Whether the official holiday schedule of ``year`` is known (else only weekends count)."""
        return self.days.covers(year)

    # --- arithmetic --------------------------------------------------------------------------

    def add(self, start: datetime, limit: TimeLimit) -> datetime:
        """``start`` plus ``limit``: natural hours on the clock, working hours and days on the calendar."""
        start = require_aware(start)
        if limit.amount < 0:
            raise ValueError(f"时限不能为负：{limit}")
        if limit.unit is TimeUnit.HOURS:
            return start + timedelta(hours=limit.amount)
        if limit.unit is TimeUnit.WORKING_HOURS:
            return self._add_working_seconds(start, limit.amount * 3600)
        whole = int(limit.amount)
        moment = self.next_working_moment(start) if whole else start
        if whole:
            local = moment.astimezone(self.zone)
            day = local.date()
            for _ in range(whole):
                day = self._next_working_day(day + timedelta(days=1))
            moment = self._at(day, local.time().replace(tzinfo=None))
        fraction = limit.amount - whole
        if fraction:
            moment = self._add_working_seconds(moment, fraction * self.hours.seconds_per_day)
        return moment

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working time from ``start`` to ``end`` in seconds (0 if ``end`` is not after ``start``)."""
        start, end = require_aware(start), require_aware(end)
        if end <= start:
            return 0.0
        total = 0.0
        for opens, closes in self._windows_from(start):
            if opens >= end:
                break
            total += (min(closes, end) - max(opens, start)).total_seconds()
        return total

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if it is working time, else the start of the next working window."""
        for opens, _closes in self._windows_from(require_aware(moment)):
            return max(opens, moment)
        raise ValueError("日历中找不到工作时间（是否所有日子都被设成了休息日？）")

    # --- the walk over working windows ------------------------------------------------------

    def _add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        if seconds <= 0:  # nothing to add: the moment stays, even outside working time
            return start
        left = seconds
        for opens, closes in self._windows_from(start):
            begin = max(opens, start)
            available = (closes - begin).total_seconds()
            if left <= available:
                return begin + timedelta(seconds=left)
            left -= available
        raise ValueError("日历中找不到足够的工作时间")

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows (aware) that end after ``moment``, in time order."""
        day = moment.astimezone(self.zone).date()
        for _ in range(_HORIZON_DAYS):
            if self.is_working_day(day):
                for start, end in self.hours.windows:
                    closes = self._at(day, end)
                    if closes > moment:
                        yield self._at(day, start), closes
            day += timedelta(days=1)

    def _next_working_day(self, day: date) -> date:
        for _ in range(_HORIZON_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("日历中找不到工作日")

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone)
