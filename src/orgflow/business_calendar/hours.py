"""Working hours of a day: windows of local time, 09:00–12:00 and 13:00–18:00 by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Final


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """The day's working windows, in order and not overlapping (a lunch break is the gap)."""

    windows: tuple[tuple[time, time], ...]

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("工作时间至少要有一段")
        previous = time.min
        for index, (start, end) in enumerate(self.windows):
            if not start < end:
                raise ValueError(f"第 {index + 1} 段工作时间的开始应早于结束：{start:%H:%M}-{end:%H:%M}")
            if index and start < previous:
                raise ValueError(f"第 {index + 1} 段工作时间与前一段重叠或顺序颠倒：{start:%H:%M}")
            previous = end

    @property
    def seconds_per_day(self) -> float:
        """Working seconds in a working day (8 hours by default): what "one working day" is worth."""
        return sum(_seconds(end) - _seconds(start) for start, end in self.windows)

    def __str__(self) -> str:
        return "、".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in self.windows)


def parse_windows(text: str) -> tuple[time, time]:
    """``"09:00-12:00"`` as a window.

    Raises:
        ValueError: Not ``HH:MM-HH:MM``.
    """
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ValueError(f"工作时间应写成 HH:MM-HH:MM，例如 09:00-12:00，写的是 {text!r}") from None
    return start, end


def _seconds(moment: time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


#: 09:00–12:00 and 13:00–18:00.
DEFAULT_HOURS: Final = WorkingHours(((time(9), time(12)), (time(13), time(18))))
