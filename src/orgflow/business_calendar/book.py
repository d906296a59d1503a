"""The company calendar and the departments' own, read from the administrator's YAML file.

The format (every key optional; see ``examples/settings/calendar.yaml``)::

    zone: Asia/Shanghai
    hours: ["09:00-12:00", "13:00-18:00"]
    weekend: [6, 7]                       # ISO weekdays: 6 = Saturday, 7 = Sunday
    days_off: [2027-01-01, 2027-02-06..2027-02-12]   # company days off, next year's holidays
    workdays: [2027-02-14]                 # make-up workdays (调休) not yet in the package
    official_years: [2027]                 # years whose schedule the two lists give in full
    departments:
      生产部: {hours: ["08:00-12:00", "13:00-17:00"], weekend: [7]}

A department inherits the company's zone, hours and days and changes what it
names. Every mistake is reported with its line and key, and nothing is used
from a file with mistakes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orgflow.business_calendar.calendar import BusinessCalendar
from orgflow.business_calendar.days import DaySchedule
from orgflow.business_calendar.hours import WorkingHours, parse_windows
from orgflow.errors import ConfigurationError, DefinitionError
from orgflow.model.yaml_document import YamlList, YamlMap, parse_yaml

_KEYS: Final = frozenset(
    {"zone", "hours", "weekend", "days_off", "workdays", "official_years", "departments"}
)
_DEPARTMENT_KEYS: Final = _KEYS - {"zone", "departments"}


@dataclass(frozen=True, slots=True)
class CalendarBook:
    """The company's calendar and the departments that differ from it.

    ``fingerprint`` changes whenever the configuration or the holiday data changes, so
    deadlines computed under an older one can be found and computed again.
    """

    company: BusinessCalendar = field(default_factory=BusinessCalendar)
    departments: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    fingerprint: str = ""

    def for_department(self, department: str | None) -> BusinessCalendar:
        """The department's calendar (by name or id), or the company's."""
        if department is None:
            return self.company
        return self.departments.get(department, self.company)


def default_book() -> CalendarBook:
    """The built-in calendar: Asia/Shanghai, 09:00–12:00 and 13:00–18:00, the PRC statutory days."""
    return CalendarBook(fingerprint=_fingerprint(""))


def load_calendar_book(path: Path | None) -> CalendarBook:
    """The calendar configured in ``path``; the built-in one when ``path`` is ``None``.

    Raises:
        ConfigurationError: The file is unreadable or has mistakes (each with its line).
    """
    if path is None:
        return default_book()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"无法读取工作日历配置 {path}：{error.strerror or error}") from None
    return read_calendar_book(text, source=str(path))


def read_calendar_book(text: str, *, source: str = "calendar.yaml") -> CalendarBook:
    """The calendar configured in ``text`` (see the module docstring for the format).

    Raises:
        ConfigurationError: Listing every mistake with its line.
    """
    try:
        root = parse_yaml(text, source=source).root
    except DefinitionError as error:  # YAML syntax: each problem names its line
        raise ConfigurationError(f"{source}：" + "；".join(str(p) for p in error.problems)) from None
    except ValueError as error:  # a date-like value YAML cannot build (2027-13-01)
        raise ConfigurationError(f"{source}：无效的日期（{error}）；日期写成 2027-01-01") from None
    reader = _Reader(source)
    if root is None:
        return default_book()
    if not isinstance(root, YamlMap):
        raise ConfigurationError(f"{source}：工作日历配置应是“键: 值”的映射")
    reader.keys(root, _KEYS, "")
    zone = reader.zone(root)
    company = reader.calendar(root, BusinessCalendar(zone=zone), "")
    departments: dict[str, BusinessCalendar] = {}
    listed = root.get("departments")
    if isinstance(listed, YamlMap):
        for name in listed:
            value = listed.get(name)
            where = f"departments.{name}."
            if not isinstance(value, YamlMap):
                reader.problem(listed.line_of(name), f"{where[:-1]} 应为映射")
                continue
            reader.keys(value, _DEPARTMENT_KEYS, where)
            departments[str(name)] = reader.calendar(value, company, where)
    elif listed is not None:
        reader.problem(root.line_of("departments"), "departments 应为映射：部门名称: {hours: …}")
    reader.raise_if_any()
    return CalendarBook(company=company, departments=departments, fingerprint=_fingerprint(text))


class _Reader:
    """Collects every mistake of a calendar file, with its line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(f"第 {line} 行：{message}" if line else message)

    def raise_if_any(self) -> None:
        if self.problems:
            listed = "\n".join(f"  - {problem}" for problem in self.problems)
            raise ConfigurationError(f"{self.source} 有 {len(self.problems)} 处问题：\n{listed}")

    def keys(self, mapping: YamlMap, allowed: frozenset[str], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(
                    mapping.line_of(key), f"未知的配置项 {where}{key}（可用：{'、'.join(sorted(allowed))}）"
                )

    def zone(self, root: YamlMap) -> ZoneInfo:
        name = root.get("zone", "Asia/Shanghai")
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(root.line_of("zone"), f"未知的时区 {name!r}，例如 Asia/Shanghai")
            return ZoneInfo("Asia/Shanghai")

    def calendar(self, mapping: YamlMap, base: BusinessCalendar, where: str) -> BusinessCalendar:
        hours = self.hours(mapping, base.hours, where)
        own = DaySchedule(
            weekend=self.weekend(mapping, base.days.weekend, where),
            days_off=self.dates(mapping, "days_off", where),
            workdays=self.dates(mapping, "workdays", where),
            official_years=self.years(mapping, where),
        )
        days = own if not where else base.days.merged(own)
        return BusinessCalendar(zone=base.zone, hours=hours, days=days)

    def hours(self, mapping: YamlMap, default: WorkingHours, where: str) -> WorkingHours:
        value = mapping.get("hours")
        if value is None:
            return default
        line = mapping.line_of("hours")
        if not isinstance(value, YamlList) or not value:
            self.problem(line, f'{where}hours 应为列表，例如 ["09:00-12:00", "13:00-18:00"]')
            return default
        try:
            return WorkingHours(tuple(parse_windows(str(item)) for item in value))
        except ValueError as error:
            self.problem(line, f"{where}hours：{error}")
            return default

    def weekend(self, mapping: YamlMap, default: frozenset[int], where: str) -> frozenset[int]:
        value = mapping.get("weekend")
        if value is None:
            return default
        if not isinstance(value, YamlList) or any(
            isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7 for day in value
        ):
            self.problem(
                mapping.line_of("weekend"), f"{where}weekend 应为 1 到 7 的星期数列表（6 = 周六，7 = 周日）"
            )
            return default
        return frozenset(value)

    def dates(self, mapping: YamlMap, key: str, where: str) -> frozenset[date]:
        value = mapping.get(key)
        if value is None:
            return frozenset()
        if not isinstance(value, YamlList):
            self.problem(
                mapping.line_of(key), f"{where}{key} 应为日期列表，例如 [2027-01-01, 2027-02-06..2027-02-12]"
            )
            return frozenset()
        found: set[date] = set()
        for index, item in enumerate(value):
            try:
                found |= _dates(item)
            except ValueError:
                self.problem(
                    value.line_of(index),
                    f"{where}{key} 中的 {item!r} 不是日期（写成 2027-01-01 或 2027-02-06..2027-02-12）",
                )
        return frozenset(found)

    def years(self, mapping: YamlMap, where: str) -> frozenset[int]:
        value = mapping.get("official_years")
        if value is None:
            return frozenset()
        if not isinstance(value, YamlList) or any(
            isinstance(y, bool) or not isinstance(y, int) for y in value
        ):
            self.problem(
                mapping.line_of("official_years"), f"{where}official_years 应为年份列表，例如 [2027]"
            )
            return frozenset()
        return frozenset(value)


def _dates(item: Any) -> set[date]:
    """A date, or a range ``2027-02-06..2027-02-12`` (both ends included)."""
    if isinstance(item, date):
        return {item}
    text = str(item)
    if ".." in text:
        first, last = (date.fromisoformat(part.strip()) for part in text.split("..", 1))
        if last < first:
            raise ValueError(text)
        return {first + timedelta(days=offset) for offset in range((last - first).days + 1)}
    return {date.fromisoformat(text.strip())}


def _fingerprint(text: str) -> str:
    """The configuration and the holiday data's version, hashed."""
    data = f"chinesecalendar {version('chinesecalendar')}\n{text}"
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]
