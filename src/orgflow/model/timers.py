"""Timer terms of timer nodes, boundary timers and timer starts, and when each round fires.

A :class:`TimerSpec` says *when*, in one of three ways: a duration from the
moment it is armed (natural ``PT2H`` / ``P1M``, or business ``{working_days: 3}``),
a date (a literal, or an expression over instance data that gives one), or a
cycle (``R3/PT24H``, ``R4/2026-01-01T09:00+08:00/P3M``, ``{every: {working_days: 5},
times: 4}``). :func:`next_fire` turns that into a moment; the business calendar
is the caller's (``add_business``), so this module stays pure and calendar-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from orgflow.errors import ExpressionError
from orgflow.model.expressions import CompiledExpression
from orgflow.model.iso_time import LOCAL_ZONE, IsoDuration, IsoSyntaxError, parse_date_time, parse_duration
from orgflow.model.rules import TimeLimit, TimeUnit

#: A stretch of time: natural ISO-8601 (calendar months included) or a time limit (maybe business time).
Period = TimeLimit | IsoDuration

#: The caller's business calendar: ``moment`` plus a working-time limit, as a moment.
AddBusiness = Callable[[datetime, TimeLimit], datetime]

_EMPTY: Final[Mapping[str, Any]] = {}


@dataclass(frozen=True, kw_only=True, slots=True)
class TimerCycle:
    """Rounds that repeat every ``every``; ``times`` ``None``: without end.

    Attributes:
        every: The time between rounds.
        times: How many rounds in all (``R4`` → 4).
        start: The first round's moment (``R4/2026-01-01T09:00+08:00/P3M``); without it the
            first round is one period after the timer is armed.
        source: As written, for messages and diagrams.
    """

    every: Period
    times: int | None = None
    start: datetime | None = None
    source: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class TimerSpec:
    """When a timer fires: exactly one of ``duration``, ``date`` and ``cycle``.

    Attributes:
        duration: Once, this long after the timer is armed; or as long as an expression over
            instance data says (ISO-8601 text such as ``PT5M``, from BPMN's ``${...}``).
        date: Once, at this moment, or at the date-time the expression gives over instance data.
        cycle: Repeatedly (a non-interrupting boundary timer, a timer start).
    """

    duration: Period | CompiledExpression | None = None
    date: datetime | CompiledExpression | None = None
    cycle: TimerCycle | None = None

    def __post_init__(self) -> None:
        given = sum(part is not None for part in (self.duration, self.date, self.cycle))
        if given != 1:
            raise ValueError(f"TimerSpec needs exactly one of duration, date and cycle, got {given}")
        if isinstance(self.date, datetime) and self.date.tzinfo is None:
            raise ValueError("TimerSpec.date must be an aware datetime")

    def has_round(self, fired: int) -> bool:
        """Whether a round is left after ``fired`` (a duration or date has one, a cycle ``times``)."""
        if self.cycle is None:
            return fired == 0
        return self.cycle.times is None or fired < self.cycle.times

    @property
    def needs_calendar(self) -> bool:
        """Its moments are in business time: only the caller's calendar can compute them."""
        period = self.duration if self.cycle is None else self.cycle.every
        return isinstance(period, TimeLimit) and period.unit is not TimeUnit.HOURS


def next_fire(
    spec: TimerSpec,
    *,
    after: datetime,
    fired: int,
    add_business: AddBusiness,
    data: Mapping[str, Any] = _EMPTY,
) -> datetime | None:
    """When the timer fires next, or ``None`` when it has no round left.

    Args:
        spec: The timer's terms.
        after: For a duration, the moment it was armed; for a cycle without a start,
            the previous round (or the arming); for a cycle with a start, rounds
            before this moment are passed over (they count as spent).
        fired: Rounds fired so far.
        add_business: The business calendar, for working hours and working days.
        data: Instance data, for a date or duration expression.

    Raises:
        ExpressionError: A date or duration expression cannot be evaluated or gives no moment.
    """
    if spec.cycle is not None:
        return _next_round(spec.cycle, after, fired, add_business)
    if fired:
        return None
    if isinstance(spec.duration, CompiledExpression):
        return evaluate_duration(spec.duration, data).after(after)
    if spec.duration is not None:
        return _advance(spec.duration, after, 1, add_business)
    assert spec.date is not None
    if isinstance(spec.date, datetime):
        return spec.date
    return evaluate_date(spec.date, data)


def evaluate_duration(expression: CompiledExpression, data: Mapping[str, Any]) -> IsoDuration:
    """The ISO-8601 duration a duration expression gives over instance data.

    Raises:
        ExpressionError: It cannot be evaluated, or what it gives is not an ISO-8601 duration.
    """
    value = expression.evaluate(data)
    if not isinstance(value, str):
        raise ExpressionError(
            f"应得到 ISO-8601 时长文本（如 PT5M），得到的是 {value!r}", expression=expression.source
        )
    try:
        return parse_duration(value)
    except IsoSyntaxError as error:
        raise ExpressionError(str(error), expression=expression.source) from None


def evaluate_date(expression: CompiledExpression, data: Mapping[str, Any]) -> datetime:
    """The date-time a date expression gives over instance data (text in ISO-8601, or a datetime).

    Raises:
        ExpressionError: It cannot be evaluated, or what it gives is not a date-time.
    """
    value = expression.evaluate(data)
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=LOCAL_ZONE)
    if not isinstance(value, str):
        raise ExpressionError(f"应得到日期时间文本，得到的是 {value!r}", expression=expression.source)
    try:
        return parse_date_time(value)
    except IsoSyntaxError as error:
        raise ExpressionError(str(error), expression=expression.source) from None


def _next_round(cycle: TimerCycle, after: datetime, fired: int, add_business: AddBusiness) -> datetime | None:
    if cycle.times is not None and fired >= cycle.times:
        return None
    if cycle.start is None:
        return _advance(cycle.every, after, 1, add_business)
    round_ = fired
    moment = _advance(cycle.every, cycle.start, round_, add_business)
    while moment < after:
        round_ += 1
        if cycle.times is not None and round_ >= cycle.times:
            return None
        moment = _advance(cycle.every, cycle.start, round_, add_business)
    return moment


def _advance(period: Period, moment: datetime, times: int, add_business: AddBusiness) -> datetime:
    """``moment`` plus ``times`` periods."""
    if isinstance(period, IsoDuration):
        return period.after(moment, times)
    if period.unit is TimeUnit.HOURS:
        return moment + timedelta(hours=period.amount) * times
    for _ in range(times):
        moment = add_business(moment, period)
    return moment
