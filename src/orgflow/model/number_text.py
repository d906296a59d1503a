"""Numbers written as text: the one place that decides what ``"100"`` or ``" 1.5e3 "`` means.

Conditions (``"100" > 5``) and form checking (a number typed into a text box) both
read numbers out of text, and they must agree on what counts as one. Only plain
decimal notation does: an optional sign, digits, an optional fraction and
exponent, blanks around it allowed. ``nan``, ``inf``, ``1_000``, hex and
full-width digits are not numbers here, because a business user never means them.
"""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*", re.ASCII)
_INTEGER = re.compile(r"[-+]?\d+", re.ASCII)
#: Longer text is not a number anyone typed; refusing it keeps int() cheap.
_MAX_LENGTH = 64


def parse_number(text: str) -> int | float | None:
    """Read a number written as text.

    Args:
        text: What was typed or stored, e.g. ``"100"``, ``" -2.5 "``, ``"1e6"``.

    Returns:
        An ``int`` when the text is a whole number without fraction or exponent,
        a finite ``float`` for other numbers, ``None`` when the text is not a number.
    """
    if len(text) > _MAX_LENGTH:
        return None
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    literal = match.group(1)
    if _INTEGER.fullmatch(literal):
        return int(literal)
    value = float(literal)
    return value if math.isfinite(value) else None


def is_plain_number(value: object) -> bool:
    """True for ``int`` and ``float`` values, but not for ``bool`` (which Python counts as an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def plain_number(value: float) -> int | float:
    """A whole number as ``int`` (``24`` rather than ``24.0``), any other number unchanged."""
    return int(value) if float(value).is_integer() else value


def number_text(value: float) -> str:
    """A number as people write it: ``24`` rather than ``24.0``, ``1.5`` as it is."""
    return str(plain_number(value))
