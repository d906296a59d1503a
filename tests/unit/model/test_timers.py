from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orgflow.errors import ExpressionError
from orgflow.model.expressions import compile_expression
from orgflow.model.iso_time import (
    LOCAL_ZONE,
    IsoSyntaxError,
    parse_cycle,
    parse_date_time,
    parse_duration,
)
from orgflow.model.rules import TimeLimit, TimeUnit
from orgflow.model.timers import TimerCycle, TimerSpec, next_fire

T0 = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


def no_calendar(moment, limit):
    raise AssertionError("natural time must not use the calendar")


def plus_one_day_per_working_day(moment, limit):
    """A toy calendar: every day is a working day."""
    assert limit.unit is TimeUnit.WORKING_DAYS
    return moment + timedelta(days=limit.amount)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT2H", timedelta(hours=2)),
        ("P3D", timedelta(days=3)),
        ("P1DT12H30M", timedelta(days=1, hours=12, minutes=30)),
        ("P2W", timedelta(weeks=2)),
        ("PT90S", timedelta(seconds=90)),
    ],
)
def test_natural_durations_add_as_written(text, expected):
    assert parse_duration(text).after(T0) == T0 + expected


@pytest.mark.parametrize(
    ("start", "text", "expected"),
    [
        (datetime(2026, 1, 31, 9, tzinfo=UTC), "P1M", datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2028, 1, 31, 9, tzinfo=UTC), "P1M", datetime(2028, 2, 29, 9, tzinfo=UTC)),
        (datetime(2026, 11, 30, 9, tzinfo=UTC), "P3M", datetime(2027, 2, 28, 9, tzinfo=UTC)),
        (datetime(2026, 3, 15, 9, tzinfo=UTC), "P1Y2M1DT1H", datetime(2027, 5, 16, 10, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_last_day(start, text, expected):
    assert parse_duration(text).after(start) == expected


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "P1.5M", "-P1D", "P0D", "PT0S", "1D", "P1W2D", "P1H", "pt2h"]
)
def test_bad_durations_are_refused(text):
    with pytest.raises(IsoSyntaxError):
        parse_duration(text)


def test_date_times_without_an_offset_are_beijing_time():
    assert parse_date_time("2026-03-01T09:00+08:00") == datetime(2026, 3, 1, 1, tzinfo=UTC)
    naive = parse_date_time("2026-03-01T09:00")
    assert naive.tzinfo is LOCAL_ZONE
    assert naive == datetime(2026, 3, 1, 1, tzinfo=UTC)
    for bad in ("2026-03-01", "2026-13-01T09:00", "tomorrow"):
        with pytest.raises(IsoSyntaxError):
            parse_date_time(bad)


def test_cycles_read_repetitions_start_and_period():
    cycle = parse_cycle("R4/2026-01-01T09:00+08:00/P3M")
    assert (cycle.repetitions, cycle.start, cycle.period.months) == (
        4,
        datetime(2026, 1, 1, 1, tzinfo=UTC),
        3,
    )
    unbounded = parse_cycle("R/P1D")
    assert (unbounded.repetitions, unbounded.start, unbounded.period.days) == (None, None, 1)
    for bad in ("R0/PT1H", "P1D", "R3", "R3/x/PT1H", "Rx/PT1H", "R2/PT1H/2026-01-01T09:00"):
        with pytest.raises(IsoSyntaxError):
            parse_cycle(bad)


def test_a_spec_needs_exactly_one_way_of_saying_when():
    with pytest.raises(ValueError, match="exactly one"):
        TimerSpec()
    with pytest.raises(ValueError, match="exactly one"):
        TimerSpec(duration=TimeLimit(amount=1), date=T0)
    with pytest.raises(ValueError, match="aware"):
        TimerSpec(date=datetime(2026, 1, 1))


def test_durations_fire_once_after_the_arming_moment():
    spec = TimerSpec(duration=TimeLimit(amount=48))
    assert next_fire(spec, after=T0, fired=0, add_business=no_calendar) == T0 + timedelta(hours=48)
    assert next_fire(spec, after=T0, fired=1, add_business=no_calendar) is None
    month = TimerSpec(duration=parse_duration("P1M"))
    assert next_fire(month, after=T0, fired=0, add_business=no_calendar) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )


def test_business_durations_go_through_the_callers_calendar():
    spec = TimerSpec(duration=TimeLimit(amount=3, unit=TimeUnit.WORKING_DAYS))
    assert spec.needs_calendar
    due = next_fire(spec, after=T0, fired=0, add_business=plus_one_day_per_working_day)
    assert due == T0 + timedelta(days=3)
    assert not TimerSpec(duration=TimeLimit(amount=3)).needs_calendar


def test_dates_fire_once_at_the_date_even_if_it_has_passed():
    date = datetime(2026, 3, 1, 1, tzinfo=UTC)
    spec = TimerSpec(date=date)
    assert next_fire(spec, after=datetime(2027, 1, 1, tzinfo=UTC), fired=0, add_business=no_calendar) == date
    assert next_fire(spec, after=T0, fired=1, add_business=no_calendar) is None


def test_date_expressions_read_instance_data():
    spec = TimerSpec(date=compile_expression("contract_end"))
    due = next_fire(
        spec, after=T0, fired=0, add_business=no_calendar, data={"contract_end": "2026-06-30T18:00"}
    )
    assert due == datetime(2026, 6, 30, 10, tzinfo=UTC)
    with pytest.raises(ExpressionError, match="日期时间"):
        next_fire(spec, after=T0, fired=0, add_business=no_calendar, data={"contract_end": 42})
    with pytest.raises(ExpressionError, match="不是有效的"):
        next_fire(
            spec, after=T0, fired=0, add_business=no_calendar, data={"contract_end": "2026-02-30T09:00"}
        )


def test_a_counted_cycle_without_start_repeats_from_the_previous_round_then_stops():
    spec = TimerSpec(cycle=TimerCycle(every=parse_duration("PT24H"), times=3))
    moment, rounds = T0, []
    for fired in range(5):
        due = next_fire(spec, after=moment, fired=fired, add_business=no_calendar)
        if due is None:
            break
        rounds.append(due)
        moment = due
    assert rounds == [T0 + timedelta(days=n) for n in (1, 2, 3)]


def test_an_unbounded_cycle_never_runs_out():
    spec = TimerSpec(cycle=TimerCycle(every=parse_duration("P1D")))
    assert next_fire(spec, after=T0, fired=10_000, add_business=no_calendar) == T0 + timedelta(days=1)


def test_an_anchored_quarterly_cycle_counts_rounds_from_its_start_without_drift():
    iso = parse_cycle("R4/2026-01-31T09:00+08:00/P3M")
    spec = TimerSpec(cycle=TimerCycle(every=iso.period, times=iso.repetitions, start=iso.start))
    start = iso.start
    assert start is not None
    rounds = []
    after, fired = start - timedelta(days=1), 0
    while (due := next_fire(spec, after=after, fired=fired, add_business=no_calendar)) is not None:
        rounds.append(due.astimezone(LOCAL_ZONE).date().isoformat())
        after, fired = due, fired + 1
    assert rounds == ["2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31"]


def test_an_anchored_cycle_passes_over_rounds_already_gone():
    iso = parse_cycle("R4/2026-01-01T09:00+08:00/P3M")
    spec = TimerSpec(cycle=TimerCycle(every=iso.period, times=iso.repetitions, start=iso.start))
    late = datetime(2026, 5, 1, tzinfo=UTC)
    due = next_fire(spec, after=late, fired=0, add_business=no_calendar)
    assert due is not None and due.astimezone(LOCAL_ZONE).month == 7
    assert next_fire(spec, after=datetime(2027, 1, 1, tzinfo=UTC), fired=0, add_business=no_calendar) is None


def test_business_cycles_use_the_calendar_and_count_their_rounds():
    spec = TimerSpec(cycle=TimerCycle(every=TimeLimit(amount=5, unit=TimeUnit.WORKING_DAYS), times=2))
    assert spec.needs_calendar
    assert spec.has_round(1) and not spec.has_round(2)
    due = next_fire(spec, after=T0, fired=1, add_business=plus_one_day_per_working_day)
    assert due == T0 + timedelta(days=5)
    assert next_fire(spec, after=T0, fired=2, add_business=plus_one_day_per_working_day) is None
