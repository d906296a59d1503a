"""The 时限(小时) cell: a number of hours, or a limit on the business calendar written out in words.

The seed writes hours (``24``). A limit counted in working days or working
hours cannot be turned into clock hours without the calendar (a weekend lies
between), so it is written as words the reader takes back: ``5个工作日``,
``4工作小时``. ``24小时`` is read as ``24``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from orgflow.model.number_text import number_text, parse_number
from orgflow.model.rules import TimeLimit, TimeUnit

_UNIT_WORDS: Final = (
    (re.compile(r"(.+?)个?工作小时"), TimeUnit.WORKING_HOURS),
    (re.compile(r"(.+?)个?工作日"), TimeUnit.WORKING_DAYS),
    (re.compile(r"(.+?)(?:个?小时|h)", re.IGNORECASE), TimeUnit.HOURS),
)
_WRITTEN: Final = {TimeUnit.HOURS: "", TimeUnit.WORKING_HOURS: "工作小时", TimeUnit.WORKING_DAYS: "个工作日"}
#: How to fill in the cell, for messages.
TIME_HINT: Final = "填写小时数，例如 24；按工作日历计时写“3个工作日”或“4工作小时”；不限时留空"


class TimeLimitText(ValueError):
    """The cell is not a time limit; the message says what was written."""


def read_time_limit(text: str) -> TimeLimit | None:
    """The limit a cell states; ``None`` for an empty cell.

    Raises:
        TimeLimitText: The cell holds something else (``两天``, ``24h以内``).
    """
    written = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if not written:
        return None
    amount, unit = parse_number(written), TimeUnit.HOURS
    for pattern, candidate in _UNIT_WORDS:
        match = pattern.fullmatch(written)
        if amount is None and match is not None:
            amount, unit = parse_number(match.group(1)), candidate
    if amount is None:
        raise TimeLimitText(f"时限应为小时数，写的是「{text.strip()}」")
    return TimeLimit(amount=amount, unit=unit)


def write_time_limit(limit: TimeLimit | None) -> str:
    """The cell for a limit: ``24``, ``5个工作日``, ``4工作小时``; empty when there is none."""
    if limit is None:
        return ""
    return number_text(limit.amount) + _WRITTEN[limit.unit]
