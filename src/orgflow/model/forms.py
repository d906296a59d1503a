"""Checking what a person submits against a user task's form: coerce what is clear, report the rest.

Form data arrives from web forms, the API and spreadsheets, so a number may
come as ``"12"`` and a yes/no as ``"是"``. :func:`check_form` reads such values
into their field's type, then applies the field's rules (required, bounds,
pattern, options) and reports every issue at once, each naming the field by its
label so the person knows what to fix. Keys that are not form fields pass
through unchanged: other steps and systems may add data of their own.

An empty value (``None`` or blank text) counts as "not filled in": it is an
issue only for required fields; for non-text fields it is stored as ``None``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from orgflow.model.number_text import is_plain_number, number_text, parse_number
from orgflow.model.rules import FieldType, FormField

_TEXT_TYPES: Final = frozenset({FieldType.STRING, FieldType.TEXT})
_NUMBER_TYPES: Final = frozenset({FieldType.INTEGER, FieldType.NUMBER})
_TRUE_WORDS: Final = frozenset({"true", "yes", "y", "1", "是", "对", "同意"})
_FALSE_WORDS: Final = frozenset({"false", "no", "n", "0", "否", "不", "不同意"})
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(frozen=True, kw_only=True, slots=True)
class FieldIssue:
    """One thing wrong with one submitted field.

    Attributes:
        field: The field's name (its key in the data).
        code: ``required`` (missing) or ``invalid`` (present but not acceptable).
        message: What is wrong, naming the field's label, in Chinese.
    """

    field: str
    code: str
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FormCheck:
    """The outcome of checking submitted data against a form.

    Attributes:
        values: The submitted data with form fields read into their types.
        issues: Every problem found, in form order; empty when the data is acceptable.
    """

    values: dict[str, Any]
    issues: tuple[FieldIssue, ...]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.issues


class _Invalid(Exception):
    """A value cannot be read as its field's type; the message says what was expected."""


def check_form(fields: Sequence[FormField], data: Mapping[str, Any]) -> FormCheck:
    """Coerce and check submitted data against a form's fields.

    Args:
        fields: The form, in display order.
        data: What was submitted; keys outside the form are kept as they are.

    Returns:
        The coerced values and every issue found (pure: nothing is stored or sent).
    """
    values = dict(data)
    issues: list[FieldIssue] = []
    for form_field in fields:
        name = form_field.name
        raw = data.get(name)
        if _is_empty(raw):
            if form_field.required:
                issues.append(FieldIssue(field=name, code="required", message=_say(form_field, "为必填项")))
            if name in data and form_field.type not in _TEXT_TYPES:
                values[name] = None
            continue
        try:
            value = _READERS[form_field.type](raw)
        except _Invalid as invalid:
            issues.append(_invalid(form_field, str(invalid)))
            continue
        problems = _rule_problems(form_field, value)
        issues.extend(_invalid(form_field, problem) for problem in problems)
        if not problems:
            values[name] = _matching_option(form_field, value)
    return FormCheck(values=values, issues=tuple(issues))


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _say(form_field: FormField, problem: str) -> str:
    """``字段「预算金额」(amount) 不能小于 0``; ``字段「amount」不能小于 0`` for a field without a label."""
    if form_field.label and form_field.label != form_field.name:
        return f"字段「{form_field.label}」({form_field.name}) {problem}"
    return f"字段「{form_field.name}」{problem}"


def _invalid(form_field: FormField, problem: str) -> FieldIssue:
    return FieldIssue(field=form_field.name, code="invalid", message=_say(form_field, problem))


# -- reading values into their type -------------------------------------------


def _read_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if is_plain_number(value):
        return str(value)
    raise _Invalid("应为文本")


def _read_number(value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    if isinstance(value, str):
        number = parse_number(value)
        if number is not None:
            return number
    raise _Invalid("应为数字")


def _read_integer(value: Any) -> int:
    try:
        number = _read_number(value)
    except _Invalid:
        raise _Invalid("应为整数") from None
    if isinstance(number, float):
        if not number.is_integer():
            raise _Invalid("应为整数")
        return int(number)
    return number


def _read_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise _Invalid("应为 是/否（true/false）")


def _read_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise _Invalid(f"不是有效日期：{value}") from None
    raise _Invalid("应为日期，格式 YYYY-MM-DD，例如 2024-03-01")


def _read_choice(value: Any) -> Any:
    if isinstance(value, str | int | float):
        return value
    raise _Invalid("应为选项之一")


_READERS: Final[Mapping[FieldType, Callable[[Any], Any]]] = {
    FieldType.STRING: _read_text,
    FieldType.TEXT: _read_text,
    FieldType.INTEGER: _read_integer,
    FieldType.NUMBER: _read_number,
    FieldType.BOOLEAN: _read_boolean,
    FieldType.DATE: _read_date,
    FieldType.CHOICE: _read_choice,
}


# -- rules on the read value ----------------------------------------------------


def _rule_problems(form_field: FormField, value: Any) -> list[str]:
    problems: list[str] = []
    if form_field.type in _NUMBER_TYPES:
        if form_field.min is not None and value < form_field.min:
            problems.append(f"不能小于 {number_text(form_field.min)}")
        if form_field.max is not None and value > form_field.max:
            problems.append(f"不能大于 {number_text(form_field.max)}")
    if form_field.type in _TEXT_TYPES:
        if form_field.min is not None and len(value) < form_field.min:
            problems.append(f"长度不能少于 {number_text(form_field.min)} 个字符")
        if form_field.max is not None and len(value) > form_field.max:
            problems.append(f"长度不能超过 {number_text(form_field.max)} 个字符")
        if form_field.pattern and not _fullmatch(form_field.pattern, value):
            problems.append(f"格式不符合要求（{form_field.pattern}）")
    if (form_field.options or form_field.type is FieldType.CHOICE) and _option_for(form_field, value) is None:
        choices = "、".join(str(option) for option in form_field.options)
        problems.append(f"应为以下选项之一：{choices}" if choices else "没有可选的选项")
    return problems


def _fullmatch(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:  # checked at deploy; a definition built in code may skip that check
        return False


def _option_for(form_field: FormField, value: Any) -> str | int | float | None:
    """The option the value stands for: equal to it, or written the same (``"1"`` for option ``1``)."""
    for option in form_field.options:
        if option == value and isinstance(option, bool) is isinstance(value, bool):
            return option
    for option in form_field.options:
        if str(option) == str(value).strip():
            return option
    return None


def _matching_option(form_field: FormField, value: Any) -> Any:
    if not form_field.options:
        return value
    return _option_for(form_field, value)
