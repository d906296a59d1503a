"""Which dates are working days: the PRC statutory schedule, a weekend, and the company's own days.

The statutory holidays and make-up workdays (调休) come from the maintained
``chinesecalendar`` package. It knows the years whose official schedule has
been published; for a later year, configuration can give the schedule
(``official_years`` with its ``holidays`` and ``workdays``); otherwise the
plain weekend applies and :meth:`DaySchedule.covers` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

import chinese_calendar

#: Monday = 1 … Sunday = 7 (ISO weekday numbers).
SATURDAY_SUNDAY: Final = frozenset({6, 7})


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """Working days.

    Attributes:
        weekend: ISO weekday numbers that are off on an ordinary week.
        days_off: Extra days off (company days, next year's official holidays).
        workdays: Extra working days (make-up workdays not yet in the package, a department's
            Saturday shift); they win over everything else.
        official_years: Years whose official schedule ``days_off``/``workdays`` give in full.
        statutory: Follow the PRC statutory schedule where the package knows the year.
    """

    weekend: frozenset[int] = SATURDAY_SUNDAY
    days_off: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    official_years: frozenset[int] = field(default_factory=frozenset)
    statutory: bool = True

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day here."""
        if day in self.workdays:
            return True
        if day in self.days_off:
            return False
        if self.statutory and _known(day.year):
            holiday, name = chinese_calendar.get_holiday_detail(day)
            if name is not None:  # a statutory holiday, or a make-up workday (调休)
                return not holiday
        return day.isoweekday() not in self.weekend

    def covers(self, year: int) -> bool:
        """Whether the official schedule of ``year`` is known (from the package or configuration)."""
        return year in self.official_years or (self.statutory and _known(year))

    def merged(self, other: DaySchedule) -> DaySchedule:
        """This schedule with a department's own days added and its weekend taking over."""
        return DaySchedule(
            weekend=other.weekend,
            days_off=(self.days_off | other.days_off) - other.workdays,
            workdays=(self.workdays - other.days_off) | other.workdays,
            official_years=self.official_years | other.official_years,
            statutory=self.statutory and other.statutory,
        )


_KNOWN: dict[int, bool] = {}


def _known(year: int) -> bool:
    """Whether the package has data for ``year`` (asked once per year)."""
    found = _KNOWN.get(year)
    if found is None:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
            found = True
        except NotImplementedError:
            found = False
        _KNOWN[year] = found
    return found
