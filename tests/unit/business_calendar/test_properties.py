"""Properties of business-time arithmetic that must hold for every start and amount."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from orgflow.business_calendar import BusinessCalendar
from orgflow.model.rules import TimeLimit, TimeUnit

CALENDAR = BusinessCalendar()
SHANGHAI = ZoneInfo("Asia/Shanghai")

starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 30)).map(
    lambda moment: moment.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)
hours = st.integers(min_value=0, max_value=400).map(lambda quarter: quarter / 4)


def working(amount: float) -> TimeLimit:
    return TimeLimit(amount=amount, unit=TimeUnit.WORKING_HOURS)


@settings(max_examples=150, deadline=None)
@given(starts, hours, hours)
def test_adding_working_hours_is_monotonic_and_adds_up(start: datetime, a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert CALENDAR.add(start, working(low)) <= CALENDAR.add(start, working(high))
    assert CALENDAR.add(CALENDAR.add(start, working(a)), working(b)) == CALENDAR.add(start, working(a + b))


@settings(max_examples=150, deadline=None)
@given(starts, hours)
def test_the_working_time_counted_is_the_working_time_added(start: datetime, amount: float) -> None:
    due = CALENDAR.add(start, working(amount))
    assert abs(CALENDAR.working_seconds_between(start, due) - amount * 3600) < 1e-6


@settings(max_examples=150, deadline=None)
@given(starts, hours.filter(lambda amount: amount > 0))
def test_a_business_deadline_lies_in_working_time_or_at_a_window_end(start: datetime, amount: float) -> None:
    due = CALENDAR.add(start, working(amount))
    assert CALENDAR.is_working_time(due) or CALENDAR.is_working_time(due - timedelta(minutes=1))


@settings(max_examples=100, deadline=None)
@given(starts, st.integers(min_value=1, max_value=30))
def test_working_days_land_on_working_days_and_natural_hours_ignore_the_calendar(
    start: datetime, days: int
) -> None:
    due = CALENDAR.add(start, TimeLimit(amount=days, unit=TimeUnit.WORKING_DAYS))
    assert CALENDAR.is_working_day(due.astimezone(SHANGHAI).date()) and due > start
    assert CALENDAR.add(start, TimeLimit(amount=days)) == start + timedelta(hours=days)
