"""What the operators of the condition language do with values at evaluation time.

Conditions run over instance data that people typed into forms, so the rules
lean towards "what a business user means" rather than Python's strictness:

* a missing value is ``None``; ordering comparisons with ``None`` are false and
  arithmetic with ``None`` gives ``None`` (so ``amount * 2 > 10`` is simply false
  while ``amount`` is not filled in);
* a number compared or combined with numeric text reads the text as a number
  (``"100" > 5`` holds), as in JSP EL;
* ``a.b`` and ``a['b']`` look up keys in mappings only; they never touch Python
  attributes, so no object internals are reachable;
* anything else that cannot be compared or computed raises
  :class:`EvaluationFailure`, which the compiled expression turns into an
  :class:`~orgflow.errors.ExpressionError` naming the condition.

The fast path of every operator is the plain Python operation; the lenient
rules only run after it fails, so well-typed data pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from orgflow.model.number_text import is_plain_number, parse_number

#: A binary operator of the language: two values in, one value out.
BinaryOperation = Callable[[Any, Any], Any]

_PLAIN_NUMBER_TYPES = frozenset({int, float})
_CONCATENABLE_TYPES = (str, list, tuple)


class EvaluationFailure(Exception):
    """A condition could not be evaluated over the given data (message in Chinese)."""


def describe(value: Any) -> str:
    """Name a value's kind and show it briefly, for messages such as ``无法比较 文本 'abc' 与 数字 5``."""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"布尔值 {value}"
    if is_plain_number(value):
        return f"数字 {value!r}"
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, str):
        return f"文本 {text}"
    if isinstance(value, list | tuple):
        return f"列表 {text}"
    if isinstance(value, Mapping):
        return f"映射 {text}"
    return f"{type(value).__name__} 值"


def _as_numbers(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Read numeric text on one side when the other side is a number; ``None`` if that does not apply."""
    if is_plain_number(left) and isinstance(right, str):
        number = parse_number(right)
        return None if number is None else (left, number)
    if isinstance(left, str) and is_plain_number(right):
        number = parse_number(left)
        return None if number is None else (number, right)
    return None


def ordering(operation: Callable[[Any, Any], bool], symbol: str) -> BinaryOperation:
    """Build ``<``, ``<=``, ``>`` or ``>=``: false when a side is missing; numeric text read as a number."""

    def order(left: Any, right: Any) -> bool:
        try:
            return operation(left, right)
        except TypeError:
            pass
        if left is None or right is None:
            return False
        numbers = _as_numbers(left, right)
        if numbers is None:
            raise EvaluationFailure(f"无法比较 {describe(left)} {symbol} {describe(right)}")
        return operation(*numbers)

    return order


def equal(left: Any, right: Any) -> bool:
    """``==``: Python equality, plus a number equals the same number written as text."""
    if left == right:
        return True
    if type(left) is type(right):
        return False
    numbers = _as_numbers(left, right)
    return numbers is not None and numbers[0] == numbers[1]


def not_equal(left: Any, right: Any) -> bool:
    """``!=``: the negation of :func:`equal`."""
    return not equal(left, right)


def contains(container: Any, item: Any) -> bool:
    """``item in container``: false for a missing container; keys for mappings, substrings for text."""
    if container is None:
        return False
    try:
        return item in container
    except TypeError:
        raise EvaluationFailure(f"无法判断 {describe(container)} 是否包含 {describe(item)}") from None


def not_contains(container: Any, item: Any) -> bool:
    """``item not in container``: the negation of :func:`contains`."""
    return not contains(container, item)


def arithmetic(operation: Callable[[Any, Any], Any], symbol: str) -> BinaryOperation:
    """Build ``+ - * / // %`` over numbers (``+`` also joins text and lists); ``None`` in, ``None`` out."""
    concatenates = symbol == "+"

    def compute(left: Any, right: Any) -> Any:
        if type(left) in _PLAIN_NUMBER_TYPES and type(right) in _PLAIN_NUMBER_TYPES:
            return _checked(operation, symbol, left, right)
        if left is None or right is None:
            return None
        if isinstance(left, bool | int | float) and isinstance(right, bool | int | float):
            return _checked(operation, symbol, left, right)
        numbers = _as_numbers(left, right)
        if numbers is not None:
            return _checked(operation, symbol, *numbers)
        if concatenates and isinstance(left, _CONCATENABLE_TYPES) and type(left) is type(right):
            return operation(left, right)
        raise EvaluationFailure(f"无法计算 {describe(left)} {symbol} {describe(right)}")

    return compute


def _checked(operation: Callable[[Any, Any], Any], symbol: str, left: Any, right: Any) -> Any:
    try:
        return operation(left, right)
    except ZeroDivisionError:
        raise EvaluationFailure(f"除数为 0：{describe(left)} {symbol} {describe(right)}") from None
    except OverflowError:
        raise EvaluationFailure(f"数值过大：{describe(left)} {symbol} {describe(right)}") from None


def negate(value: Any) -> Any:
    """Unary ``-``: numbers and numeric text; ``None`` stays ``None``."""
    number = _as_number(value, "-")
    return None if number is None else -number


def plus(value: Any) -> Any:
    """Unary ``+``: numbers and numeric text; ``None`` stays ``None``."""
    return _as_number(value, "+")


def _as_number(value: Any, symbol: str) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        number = parse_number(value)
        if number is not None:
            return number
    raise EvaluationFailure(f"无法计算 {symbol}{describe(value)}")


def member(value: Any, key: str) -> Any:
    """``value.key``: a key looked up in a mapping; ``None`` for anything else or a missing key."""
    if isinstance(value, Mapping):
        return value.get(key)
    return None


def item(container: Any, key: Any) -> Any:
    """``container[key]``: a mapping key or a list/text position (negative from the end); else ``None``."""
    if isinstance(container, Mapping):
        try:
            return container.get(key)
        except TypeError:
            return None
    if isinstance(container, list | tuple | str) and isinstance(key, int) and not isinstance(key, bool):
        if -len(container) <= key < len(container):
            return container[key]
    return None
