"""Data passed into and out of a called process (Camunda's ``camunda:in`` / ``camunda:out``), as data.

A call activity copies data from the caller into the new child instance when it
starts, and from the child back into the caller when the child ends. Either all
variables go across, or named ones: each :class:`DataMapping` takes a variable
(``source``) or the value of an expression (``expression``) on one side and
stores it under ``target`` on the other. ``all`` and named mappings can be
combined; named ones are applied after ``all``, so they win.

:func:`map_data` is the pure rule both directions use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orgflow.model.expressions import CompiledExpression


@dataclass(frozen=True, kw_only=True, slots=True)
class DataMapping:
    """One value carried across a call: a variable or an expression's value, stored under ``target``.

    Exactly one of ``source`` and ``expression`` is set (checked at deploy).

    Attributes:
        target: The variable it is stored in on the receiving side.
        source: A variable of the giving side; a missing variable is carried as ``None``.
        expression: An expression over the giving side's data (``x + 5``).
    """

    target: str
    source: str | None = None
    expression: CompiledExpression | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DataMappings:
    """What goes across a call in one direction.

    Attributes:
        all: Every variable goes across (``camunda:in variables="all"``).
        each: Named mappings, applied in order after ``all``.
    """

    all: bool = False
    each: tuple[DataMapping, ...] = ()


#: Nothing goes across: Camunda's default when a call activity names no mapping.
NOTHING = DataMappings()


def map_data(mappings: DataMappings, source: Mapping[str, Any]) -> dict[str, Any]:
    """The variables ``mappings`` carry from ``source`` to the other side.

    Raises:
        ExpressionError: An expression could not be evaluated.
    """
    carried: dict[str, Any] = dict(source) if mappings.all else {}
    for mapping in mappings.each:
        if mapping.expression is not None:
            carried[mapping.target] = mapping.expression.evaluate(source)
        else:
            carried[mapping.target] = source.get(mapping.source or mapping.target)
    return carried
