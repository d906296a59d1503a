"""工作日历：工作时间、法定节假日与调休，以人们期望的方式计算时限。"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from orgflow.business_calendar import BusinessCalendar, DaySchedule
from orgflow.model.rules import TimeLimit, TimeUnit

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = BusinessCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def working_days(amount: float) -> TimeLimit:
    return TimeLimit(amount=amount, unit=TimeUnit.WORKING_DAYS)


def working_hours(amount: float) -> TimeLimit:
    return TimeLimit(amount=amount, unit=TimeUnit.WORKING_HOURS)


@pytest.mark.parametrize(
    ("start", "limit", "due"),
    [
        # 2026 国庆：10 月 1 日至 7 日放假，9 月 20 日（周日）、10 月 10 日（周六）上班
        ("2026-09-30 10:00", working_days(3), "2026-10-10 10:00"),
        ("2026-09-30 10:00", working_days(1), "2026-10-08 10:00"),
        ("2026-09-18 10:00", working_days(1), "2026-09-20 10:00"),  # 调休的周日照常上班
        ("2026-09-24 16:00", working_days(1), "2026-09-28 16:00"),  # 中秋 9 月 25 日放假，接周末
        # a Friday evening: counted from Monday 09:00
        ("2026-12-04 20:00", working_days(1), "2026-12-08 09:00"),
        ("2026-12-04 20:00", working_days(0.5), "2026-12-07 14:00"),
        # working hours skip the lunch break and the night, and stop at a window's end
        ("2026-12-04 11:00", working_hours(1), "2026-12-04 12:00"),
        ("2026-12-04 11:30", working_hours(1), "2026-12-04 13:30"),
        ("2026-12-04 17:00", working_hours(1), "2026-12-04 18:00"),
        ("2026-12-04 17:00", working_hours(2), "2026-12-07 10:00"),
        ("2026-12-05 11:00", working_hours(1), "2026-12-07 10:00"),
        # natural hours ignore the calendar
        ("2026-09-30 10:00", TimeLimit(amount=72), "2026-10-03 10:00"),
    ],
)
def test_deadlines_land_where_a_person_expects(start: str, limit: TimeLimit, due: str) -> None:
    assert CALENDAR.add(at(start), limit) == at(due)


def test_results_are_aware_and_other_zones_are_converted() -> None:
    utc_start = at("2026-12-04 17:00").astimezone(ZoneInfo("UTC"))

    due = CALENDAR.add(utc_start, working_hours(2))

    assert due == at("2026-12-07 10:00") and due.tzinfo is not None
    with pytest.raises(ValueError, match="naive"):
        CALENDAR.add(datetime(2026, 12, 4, 17), working_hours(1))


def test_working_time_between_two_moments() -> None:
    assert CALENDAR.working_seconds_between(at("2026-12-04 11:00"), at("2026-12-07 10:00")) == 7 * 3600
    assert CALENDAR.working_seconds_between(at("2026-09-30 17:00"), at("2026-10-08 10:00")) == 2 * 3600
    assert CALENDAR.working_seconds_between(at("2026-12-07 10:00"), at("2026-12-04 11:00")) == 0


def test_working_days_and_moments() -> None:
    assert CALENDAR.is_working_day(date(2026, 10, 10)) and not CALENDAR.is_working_day(date(2026, 10, 5))
    assert CALENDAR.is_working_time(at("2026-12-07 09:00")) and not CALENDAR.is_working_time(
        at("2026-12-07 12:30")
    )
    assert CALENDAR.next_working_moment(at("2026-12-07 12:30")) == at("2026-12-07 13:00")
    assert CALENDAR.next_working_moment(at("2026-12-07 10:15")) == at("2026-12-07 10:15")
    assert CALENDAR.next_working_moment(at("2026-10-01 08:00")) == at("2026-10-08 09:00")


def test_a_year_without_official_data_falls_back_to_weekends_until_configured() -> None:
    assert CALENDAR.covers(2026) and not CALENDAR.covers(2099)
    assert CALENDAR.is_working_day(date(2099, 1, 1))  # a Thursday: no holiday data, only weekends count

    configured = BusinessCalendar(
        days=DaySchedule(
            days_off=frozenset({date(2099, 1, 1), date(2099, 1, 2)}),
            workdays=frozenset({date(2099, 1, 4)}),  # a Sunday made a workday
            official_years=frozenset({2099}),
        )
    )
    assert configured.covers(2099)
    assert configured.add(at("2098-12-31 10:00"), working_days(1)) == at("2099-01-04 10:00")


def test_a_department_with_its_own_weekend_still_has_the_statutory_holidays() -> None:
    factory = BusinessCalendar(days=DaySchedule().merged(DaySchedule(weekend=frozenset({7}))))

    assert factory.is_working_day(date(2026, 12, 5))  # Saturday shift
    assert not factory.is_working_day(date(2026, 12, 6))
    assert not factory.is_working_day(date(2026, 10, 3))  # National Day is off for everyone
    assert factory.add(at("2026-12-04 10:00"), working_days(1)) == at("2026-12-05 10:00")
