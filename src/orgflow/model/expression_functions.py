"""The functions a condition may call, and nothing else.

The table is the whole whitelist: a call to any other name is refused when the
condition is compiled. Each function accepts missing values (``None``) the way
a business user expects: ``len(None)`` is 0, ``lower(None)`` is ``None``,
``contains(None, x)`` is false. Wrong kinds of value raise
:class:`~orgflow.model.expression_values.EvaluationFailure`.
"""

from __future__ import annotations

from collections.abc import Callable, Sized
from dataclasses import dataclass
from typing import Any

from orgflow.model.expression_values import EvaluationFailure, contains, describe
from orgflow.model.number_text import parse_number


@dataclass(frozen=True, slots=True)
class Function:
    """A callable of the condition language with the number of arguments it takes."""

    implementation: Callable[..., Any]
    min_args: int
    max_args: int | None

    def accepts(self, count: int) -> bool:
        """Whether a call with ``count`` positional arguments is well formed."""
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def arity_text(self) -> str:
        """The accepted argument count in words, for error messages."""
        if self.max_args == self.min_args:
            return f"{self.min_args} 个参数"
        if self.max_args is None:
            return f"至少 {self.min_args} 个参数"
        return f"{self.min_args} 到 {self.max_args} 个参数"


def _length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, Sized) and not isinstance(value, bytes | bytearray):
        return len(value)
    raise EvaluationFailure(f"len() 无法计算 {describe(value)} 的长度")


def _number(value: Any, function: str) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if isinstance(value, bool) else value
    if isinstance(value, str):
        number = parse_number(value)
        if number is not None:
            return number
    raise EvaluationFailure(f"{function}() 需要数字，得到 {describe(value)}")


def _absolute(value: Any) -> int | float | None:
    number = _number(value, "abs")
    return None if number is None else abs(number)


def _extreme(pick: Callable[..., Any], name: str) -> Callable[..., Any]:
    def extreme(*values: Any) -> Any:
        candidates = values[0] if len(values) == 1 and isinstance(values[0], list | tuple) else values
        present = [value for value in candidates if value is not None]
        if not present:
            return None
        try:
            return pick(present)
        except TypeError:
            raise EvaluationFailure(f"{name}() 的参数之间无法比较：{describe(list(present))}") from None

    return extreme


def _round(value: Any, digits: Any = 0) -> int | float | None:
    number = _number(value, "round")
    if number is None:
        return None
    if not isinstance(digits, int) or isinstance(digits, bool) or not -20 <= digits <= 20:
        raise EvaluationFailure(f"round() 的小数位数应为 -20 到 20 的整数，得到 {describe(digits)}")
    return round(number, digits) if digits else round(number)


def _integer(value: Any) -> int | None:
    number = _number(value, "int")
    if number is None:
        return None
    try:
        return int(number)
    except (OverflowError, ValueError):
        raise EvaluationFailure(f"int() 无法把 {describe(value)} 转为整数") from None


def _float(value: Any) -> float | None:
    number = _number(value, "float")
    return None if number is None else float(number)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        return str(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        raise EvaluationFailure(f"str() 无法转换 {describe(value)}") from None


def _case(convert: Callable[[str], str], name: str) -> Callable[[Any], str | None]:
    def change(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return convert(value)
        raise EvaluationFailure(f"{name}() 需要文本，得到 {describe(value)}")

    return change


def _starts_with(text: Any, prefix: Any) -> bool:
    if text is None or prefix is None:
        return False
    if isinstance(text, str) and isinstance(prefix, str):
        return text.startswith(prefix)
    raise EvaluationFailure(f"startswith() 需要两个文本，得到 {describe(text)} 和 {describe(prefix)}")


#: Name -> function: every function a condition may call.
FUNCTIONS: dict[str, Function] = {
    "len": Function(_length, 1, 1),
    "abs": Function(_absolute, 1, 1),
    "min": Function(_extreme(min, "min"), 1, None),
    "max": Function(_extreme(max, "max"), 1, None),
    "round": Function(_round, 1, 2),
    "int": Function(_integer, 1, 1),
    "float": Function(_float, 1, 1),
    "str": Function(_text, 1, 1),
    "lower": Function(_case(str.lower, "lower"), 1, 1),
    "upper": Function(_case(str.upper, "upper"), 1, 1),
    "contains": Function(contains, 2, 2),
    "startswith": Function(_starts_with, 2, 2),
}
