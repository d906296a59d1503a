"""Reading a task's attributes from the YAML DSL: assignee, time limit, outcomes and form.

These readers check the shape the DSL asks for (which keys, which types) and
build the value objects of :mod:`orgflow.model.rules`. Whether the values make
sense (a positive time limit, ``min`` not above ``max``, a valid pattern) is
checked for every loader alike in :mod:`orgflow.model.validate`.

When an attribute is present but malformed, the reader reports it and returns
:data:`UNREADABLE` stand-ins where the attribute is compulsory, so that later
checks do not report the same mistake a second time as "missing". A definition
with problems is never handed out, so the stand-ins are never seen.
"""

from __future__ import annotations

from typing import Any, Final

from orgflow.model.assignment_rules import AssignmentRule, DepartmentRule, NamedDepartment, UserRule
from orgflow.model.field_access import FieldAccess
from orgflow.model.nodes import DEFAULT_OUTCOMES
from orgflow.model.rules import FieldType, FormField, TimeLimit, TimeUnit
from orgflow.model.yaml_assignment import read_rule
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_values import Reading

#: Stands in for a compulsory value that was written but could not be read (already reported).
UNREADABLE: Final = "?"

FORM_FIELD_KEYS: Final = frozenset(
    {"name", "type", "label", "required", "min", "max", "pattern", "options", "sensitive"}
)
_TIME_UNITS: Final = tuple(unit.value for unit in TimeUnit)
_FIELD_TYPES: Final = tuple(field_type.value for field_type in FieldType)


def read_assignee(
    reading: Reading, node: YamlMap, node_id: str, department: str | None
) -> AssignmentRule | None:
    """The node's ``assignee`` rule; without one, its ``department``'s members share the work."""
    value = node.get("assignee")
    if value is None:
        return DepartmentRule(source=NamedDepartment(name=department)) if department else None
    rule = read_rule(reading, value, node_id=node_id, line=node.line_of("assignee"), field="assignee")
    return rule if rule is not None else UserRule(user=UNREADABLE)


def read_time_limit(reading: Reading, node: YamlMap, node_id: str) -> TimeLimit | None:
    """``time_limit: {hours: 24}`` / ``{working_days: 3}`` / ``{working_hours: 4}``: exactly one key."""
    return read_duration(reading, node, "time_limit", node_id=node_id)


def read_duration(
    reading: Reading, mapping: YamlMap, key: str, *, node_id: str | None, field: str | None = None
) -> TimeLimit | None:
    """A duration ``{单位: 数量}`` under ``key``: exactly one of hours, working_hours, working_days."""
    value = mapping.get(key)
    if value is None:
        return None
    field = field or key
    hint = f"例如 {key}: {{hours: 24}} 或 {{working_days: 3}}"
    if not isinstance(value, YamlMap):
        reading.problem(
            f"{key} 应为 {{单位: 数量}}，写的是 {value!r}",
            node_id=node_id,
            line=mapping.line_of(key),
            field=field,
            hint=hint,
        )
        return None
    reading.check_keys(value, _TIME_UNITS, node_id=node_id, what=f"{key} ", field_prefix=f"{field}.")
    units = [unit for unit in _TIME_UNITS if unit in value]
    if len(units) > 1 or not value:  # a mapping of unknown keys only is reported by check_keys
        missing = f"{key} 缺少单位（hours、working_days 或 working_hours）"
        message = f"{key} 只能写一个单位" if units else missing
        reading.problem(message, node_id=node_id, line=value.line, field=field, hint=hint)
    if len(units) != 1:
        return None
    amount = reading.number(value, units[0], node_id=node_id, field=field)
    return None if amount is None else TimeLimit(amount=amount, unit=TimeUnit(units[0]))


def read_outcomes(reading: Reading, node: YamlMap, node_id: str) -> tuple[str, ...]:
    """``outcomes: [approve, reject]``; the default when absent."""
    items = reading.sequence(node, "outcomes", node_id=node_id)
    if items is None:
        return DEFAULT_OUTCOMES
    outcomes: list[str] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            outcomes.append(item)
        else:
            reading.problem(
                f"outcomes 的每一项应为文本，第 {index + 1} 项是 {item!r}",
                node_id=node_id,
                line=items.line_of(index),
                field="outcomes",
                hint="例如 outcomes: [approve, reject]",
            )
    return tuple(outcomes)


def read_form(reading: Reading, node: YamlMap, node_id: str) -> tuple[FormField, ...]:
    """``form: [{name, type, label, required, min, max, pattern, options, sensitive}, ...]``."""
    items = reading.sequence(node, "form", node_id=node_id)
    if items is None:
        return ()
    fields: list[FormField] = []
    for index, item in enumerate(items):
        form_field = _read_form_field(reading, item, items.line_of(index), node_id)
        if form_field is not None:
            reading.lines[(node_id, f"form[{len(fields)}]")] = items.line_of(index)
            fields.append(form_field)
    return tuple(fields)


def _read_form_field(reading: Reading, item: Any, line: int, node_id: str) -> FormField | None:
    if not isinstance(item, YamlMap):
        reading.problem(
            f"表单字段应写成映射，写的是 {item!r}",
            node_id=node_id,
            line=line,
            field="form",
            hint="例如 - {name: amount, type: number, label: 金额}",
        )
        return None
    name = reading.text(item, "name", node_id=node_id, required=True, field="form")
    if name is None:
        return None
    field = f"form.{name}"
    reading.check_keys(
        item, FORM_FIELD_KEYS, node_id=node_id, what=f"表单字段 {name} ", field_prefix=field + "."
    )
    type_text = reading.text(item, "type", node_id=node_id, field=field) or FieldType.STRING.value
    if type_text not in _FIELD_TYPES:
        reading.problem(
            f"表单字段 {name} 的类型 {type_text} 不存在",
            node_id=node_id,
            line=item.line_of("type"),
            field=field,
            hint="可用的类型：" + "、".join(_FIELD_TYPES),
        )
        return None
    return FormField(
        name=name,
        type=FieldType(type_text),
        label=reading.text(item, "label", node_id=node_id, field=field) or "",
        required=bool(reading.boolean(item, "required", node_id=node_id, field=field)),
        min=reading.number(item, "min", node_id=node_id, field=field),
        max=reading.number(item, "max", node_id=node_id, field=field),
        pattern=reading.text(item, "pattern", node_id=node_id, field=field),
        options=_read_options(reading, item, node_id, field),
        sensitive=bool(reading.boolean(item, "sensitive", node_id=node_id, field=field)),
    )


def _read_options(reading: Reading, item: YamlMap, node_id: str, field: str) -> tuple[str | int | float, ...]:
    options = reading.sequence(item, "options", node_id=node_id, field=field)
    if options is None:
        return (UNREADABLE,) if item.get("options") is not None else ()
    kept: list[str | int | float] = []
    for index, option in enumerate(options):
        if isinstance(option, str | int | float) and not isinstance(option, bool):
            kept.append(option)
        else:
            reading.problem(
                f"选项应为文本或数字，写的是 {option!r}",
                node_id=node_id,
                line=options.line_of(index),
                field=field,
                hint="给选项加上引号",
            )
    return tuple(kept)


_ACCESS: Final = tuple(level.value for level in FieldAccess)


def read_field_access(reading: Reading, node: YamlMap, node_id: str) -> tuple[tuple[str, FieldAccess], ...]:
    """``fields: {cost_price: hidden, amount: read, remark: edit}`` (字段权限)."""
    value = node.get("fields")
    if value is None:
        return ()
    if not isinstance(value, YamlMap):
        reading.problem(
            f"fields 应为 {{字段名: hidden | read | edit}}，写的是 {value!r}",
            node_id=node_id,
            line=node.line_of("fields"),
            field="fields",
            hint="例如 fields: {cost_price: hidden, amount: read}",
        )
        return ()
    access: list[tuple[str, FieldAccess]] = []
    for name, level in value.items():
        if not isinstance(name, str) or level not in _ACCESS:
            reading.problem(
                f"字段 {name} 的权限 {level!r} 不认识",
                node_id=node_id,
                line=value.line_of(name),
                field=f"fields.{name}",
                hint="可选：" + "、".join(_ACCESS),
            )
            continue
        access.append((name, FieldAccess(level)))
    return tuple(access)
