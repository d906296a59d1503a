"""Reading ``timer:`` blocks of the YAML DSL (timer nodes, boundary timers, timer starts).

The shapes::

    timer: {duration: {hours: 48}}                 # or {working_days: 3}, or "PT2H" / "P3D" / "P1M"
    timer: {date: "2026-03-01T09:00+08:00"}        # no offset: Beijing time
    timer: {date: "contract_end"}                  # an expression over instance data giving a date-time
    timer: {cycle: "R3/PT24H"}                     # R4/2026-01-01T09:00+08:00/P3M; R/P1D without end
    timer: {cycle: {every: {working_days: 5}, times: 4}}

A ``date`` that starts with a digit is a literal; anything else is an expression.
Every problem is recorded with its node, field and line; reading goes on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from orgflow.errors import ExpressionError
from orgflow.model.expressions import CompiledExpression, compile_expression
from orgflow.model.iso_time import (
    CYCLE_HINT,
    DATE_TIME_HINT,
    DURATION_HINT,
    IsoDuration,
    IsoSyntaxError,
    parse_cycle,
    parse_date_time,
    parse_duration,
)
from orgflow.model.timers import Period, TimerCycle, TimerSpec
from orgflow.model.yaml_attributes import read_duration
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_values import Reading

TIMER_KEYS: Final = frozenset({"duration", "date", "cycle"})
_CYCLE_KEYS: Final = frozenset({"every", "times"})
_TIMER_HINT: Final = (
    '写 timer: {duration: {hours: 48}}、{date: "2026-03-01T09:00+08:00"} 或 {cycle: "R3/PT24H"}'
)

#: Stands in for a timer already reported as wrong, so the node is still built and checked.
UNREADABLE_TIMER: Final = TimerSpec(duration=IsoDuration(source="?", seconds=1))


def read_timer(reading: Reading, item: YamlMap, node_id: str, *, required: bool) -> TimerSpec | None:
    """The ``timer`` of a node: ``None`` when absent (and allowed), :data:`UNREADABLE_TIMER` when wrong."""
    value = item.get("timer")
    line = item.line_of("timer")
    if value is None:
        if required:
            reading.problem("定时节点缺少 timer", node_id=node_id, line=line, field="timer", hint=_TIMER_HINT)
            return UNREADABLE_TIMER
        return None
    if not isinstance(value, YamlMap):
        reading.problem(
            f"timer 应为映射，写的是 {value!r}", node_id=node_id, line=line, field="timer", hint=_TIMER_HINT
        )
        return UNREADABLE_TIMER
    reading.check_keys(value, TIMER_KEYS, node_id=node_id, what="timer ", field_prefix="timer.")
    given = [key for key in ("duration", "date", "cycle") if key in value]
    if len(given) != 1:
        written = "、".join(given)
        message = (
            f"timer 只能写 duration、date、cycle 其中一个，写了 {written}"
            if given
            else ("timer 缺少 duration、date 或 cycle")
        )
        reading.problem(message, node_id=node_id, line=value.line, field="timer", hint=_TIMER_HINT)
        return UNREADABLE_TIMER
    key = given[0]
    spec: TimerSpec | None
    if key == "duration":
        duration = _period(reading, value, "duration", node_id)
        spec = None if duration is None else TimerSpec(duration=duration)
    elif key == "date":
        date = _date(reading, value, node_id)
        spec = None if date is None else TimerSpec(date=date)
    else:
        cycle = _cycle(reading, value, node_id)
        spec = None if cycle is None else TimerSpec(cycle=cycle)
    return spec or UNREADABLE_TIMER


def _period(reading: Reading, mapping: YamlMap, key: str, node_id: str) -> Period | None:
    """``{hours: 48}`` (a time limit, maybe business time) or an ISO-8601 duration literal."""
    value = mapping.get(key)
    field = f"timer.{key}"
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except IsoSyntaxError as error:
            reading.problem(
                str(error), node_id=node_id, line=mapping.line_of(key), field=field, hint=DURATION_HINT
            )
            return None
    limit = read_duration(reading, mapping, key, node_id=node_id, field=field)
    if limit is not None and not limit.amount > 0:
        reading.problem(
            f"{key} 应为正数，写的是 {limit.amount}", node_id=node_id, line=mapping.line_of(key), field=field
        )
        return None
    return limit


def _date(reading: Reading, mapping: YamlMap, node_id: str) -> datetime | CompiledExpression | None:
    value = mapping["date"]
    line = mapping.line_of("date")
    if not isinstance(value, str) or not value.strip():
        reading.problem(
            f"date 应为日期时间文本或表达式，写的是 {value!r}",
            node_id=node_id,
            line=line,
            field="timer.date",
            hint=DATE_TIME_HINT,
        )
        return None
    text = value.strip()
    if text[0].isdigit():
        try:
            return parse_date_time(text)
        except IsoSyntaxError as error:
            reading.problem(str(error), node_id=node_id, line=line, field="timer.date", hint=DATE_TIME_HINT)
            return None
    return _date_expression(reading, text, node_id, line)


def _date_expression(reading: Reading, text: str, node_id: str, line: int) -> CompiledExpression | None:
    try:
        return compile_expression(text)
    except ExpressionError as error:
        reading.problem(
            f"date 既不是日期时间，也不是有效的表达式：{error.message}",
            node_id=node_id,
            line=line,
            field="timer.date",
            hint="日期时间以数字开头（2026-03-01T09:00）；表达式引用表单字段，例如 contract_end",
        )
        return None


def _cycle(reading: Reading, mapping: YamlMap, node_id: str) -> TimerCycle | None:
    value = mapping["cycle"]
    line = mapping.line_of("cycle")
    if isinstance(value, str):
        try:
            iso = parse_cycle(value)
        except IsoSyntaxError as error:
            reading.problem(str(error), node_id=node_id, line=line, field="timer.cycle", hint=CYCLE_HINT)
            return None
        return TimerCycle(every=iso.period, times=iso.repetitions, start=iso.start, source=iso.source)
    if not isinstance(value, YamlMap):
        reading.problem(
            f"cycle 应为 ISO-8601 重复时间或 {{every: 时长, times: 次数}}，写的是 {value!r}",
            node_id=node_id,
            line=line,
            field="timer.cycle",
            hint=CYCLE_HINT,
        )
        return None
    reading.check_keys(value, _CYCLE_KEYS, node_id=node_id, what="cycle ", field_prefix="timer.cycle.")
    if "every" not in value:
        reading.problem(
            "cycle 缺少 every（每隔多久一次）",
            node_id=node_id,
            line=value.line,
            field="timer.cycle.every",
            hint="例如 cycle: {every: {working_days: 5}, times: 4}",
        )
        return None
    every = _period(reading, value, "every", node_id)
    times = value.get("times")
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        reading.problem(
            f"times 应为不小于 1 的整数，写的是 {times!r}",
            node_id=node_id,
            line=value.line_of("times"),
            field="timer.cycle.times",
            hint="不写 times 表示不限次数",
        )
        return None
    if every is None:
        return None
    source = f"每 {every}" + (f"，共 {times} 次" if times else "")
    return TimerCycle(every=every, times=times, source=source)
