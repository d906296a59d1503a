"""The business calendar (工作日历): working hours, PRC holidays, make-up workdays (调休), per department.

Pure: nothing here reads files or the clock except :func:`load_calendar_book`,
which reads the administrator's configuration once.
"""

from __future__ import annotations

from orgflow.business_calendar.book import CalendarBook, load_calendar_book
from orgflow.business_calendar.calendar import BusinessCalendar
from orgflow.business_calendar.days import DaySchedule
from orgflow.business_calendar.hours import WorkingHours

__all__ = ["BusinessCalendar", "CalendarBook", "DaySchedule", "WorkingHours", "load_calendar_book"]
