"""Strict ISO-8601 time literals for timers: durations (``P1M``), date-times, repeating intervals.

Only what a timer needs, and refused when in doubt: whole numbers only, no
negative or zero durations, no week mixed with other units (as ISO-8601 says),
and a date-time without an offset is read in China Standard Time
(``Asia/Shanghai``). ``isodate`` was considered; it accepts fractional months
and has no repeating intervals, so this small parser stays stricter.

Month arithmetic keeps the day of the month and falls back to the month's last
day when it is shorter (2026-01-31 + P1M = 2026-02-28); a cycle's rounds are
counted from its start (start + k·period), so they never drift.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

#: The zone of a date-time written without an offset.
LOCAL_ZONE: Final = ZoneInfo("Asia/Shanghai")

_DURATION: Final = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_REPEAT: Final = re.compile(r"R(\d*)")

DURATION_HINT: Final = "ISO-8601 时长写法：PT2H（2 小时）、P3D（3 天）、P1M（1 个月）、P1DT12H"
DATE_TIME_HINT: Final = "ISO-8601 日期时间写法：2026-03-01T09:00+08:00（不写时区按北京时间）"
CYCLE_HINT: Final = "ISO-8601 重复写法：R4/2026-01-01T09:00+08:00/P3M、R3/PT24H，R/P1D 表示不限次数"


class IsoSyntaxError(ValueError):
    """An ISO-8601 literal that does not parse; the message says what was expected, in Chinese."""


@dataclass(frozen=True, kw_only=True, slots=True)
class IsoDuration:
    """A natural-time duration in calendar units; months and years are calendar months.

    Attributes:
        source: The literal as written (``P1M``).
    """

    source: str
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    def after(self, moment: datetime, times: int = 1) -> datetime:
        """``moment`` plus ``times`` of this duration (calendar months first, then the rest)."""
        months = (self.years * 12 + self.months) * times
        shifted = _add_months(moment, months) if months else moment
        rest = timedelta(
            weeks=self.weeks, days=self.days, hours=self.hours, minutes=self.minutes, seconds=self.seconds
        )
        return shifted + rest * times

    def __str__(self) -> str:
        return self.source


def parse_duration(text: str) -> IsoDuration:
    """Read ``PnYnMnDTnHnMnS`` or ``PnW``.

    Raises:
        IsoSyntaxError: Not such a literal, zero, or weeks mixed with other units.
    """
    found = _DURATION.fullmatch(text.strip())
    if found is None or text.strip() in ("P", ""):
        raise IsoSyntaxError(f"{text!r} 不是 ISO-8601 时长")
    parts = {name: int(value) for name, value in found.groupdict().items() if value is not None}
    if "weeks" in parts and len(parts) > 1:
        raise IsoSyntaxError(f"{text!r}：周（W）不能和其他单位一起写")
    if not any(parts.values()):
        raise IsoSyntaxError(f"{text!r} 是零时长，定时器需要正的时长")
    return IsoDuration(source=text.strip(), **parts)


def parse_date_time(text: str) -> datetime:
    """Read an ISO-8601 date-time; without an offset it is China Standard Time.

    Raises:
        IsoSyntaxError: Not a date-time (a date alone is refused: say the hour).
    """
    stripped = text.strip()
    if "T" not in stripped and " " not in stripped:
        raise IsoSyntaxError(f"{text!r} 缺少时间部分，请写成 2026-03-01T09:00")
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        raise IsoSyntaxError(f"{text!r} 不是有效的 ISO-8601 日期时间") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_ZONE)


@dataclass(frozen=True, kw_only=True, slots=True)
class IsoCycle:
    """A repeating interval ``R[n]/[start/]period``: ``repetitions`` ``None`` means unbounded."""

    source: str
    period: IsoDuration
    repetitions: int | None = None
    start: datetime | None = None

    def __str__(self) -> str:
        return self.source


def parse_cycle(text: str) -> IsoCycle:
    """Read ``R4/2026-01-01T09:00+08:00/P3M``, ``R3/PT24H`` or ``R/P1D``.

    Raises:
        IsoSyntaxError: Not a repeating interval, or its start or period is wrong.
    """
    parts = text.strip().split("/")
    repeat = _REPEAT.fullmatch(parts[0]) if parts else None
    if repeat is None or len(parts) not in (2, 3):
        raise IsoSyntaxError(f"{text!r} 不是 ISO-8601 重复时间（R次数/开始时间/时长）")
    repetitions = int(repeat.group(1)) if repeat.group(1) else None
    if repetitions == 0:
        raise IsoSyntaxError(f"{text!r}：重复次数不能为 0")
    start = parse_date_time(parts[1]) if len(parts) == 3 else None
    return IsoCycle(
        source=text.strip(), period=parse_duration(parts[-1]), repetitions=repetitions, start=start
    )


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
