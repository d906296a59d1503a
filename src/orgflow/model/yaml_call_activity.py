"""Reading a ``call_activity`` (调用子流程) of the YAML DSL: what it calls and what data goes across.

The shape::

    - id: check_credit
      type: call_activity
      called: credit_check          # required: the key of the definition to start
      version: 2                    # optional: a fixed version; default the newest at call time
      inputs: all                   # optional: all | a list of mappings (default: nothing goes in)
      outputs:                      # optional: the same, from the child's data when it ends
        - {from: rating, to: credit_rating}      # a variable, under another name
        - {expression: "score + 5", to: total}  # or an expression's value
        - all                                   # all may also stand in the list
      boundary: [{id: failed, error: CREDIT_DENIED, next: reject}]

A mapping without ``to`` stores under the ``from`` name (``{from: amount}``).
"""

from __future__ import annotations

from typing import Any, Final

from orgflow.model.data_mappings import NOTHING, DataMapping, DataMappings
from orgflow.model.yaml_document import YamlList, YamlMap
from orgflow.model.yaml_expressions import read_expression
from orgflow.model.yaml_values import Reading

CALL_KEYS: Final = frozenset({"called", "version", "inputs", "outputs"})
_MAPPING_KEYS: Final = frozenset({"from", "to", "expression"})
_HINT: Final = "例如 inputs: all，或 inputs: [{from: amount, to: loan_amount}, {expression: 'x + 5', to: y}]"


def read_called(reading: Reading, item: YamlMap, node_id: str) -> tuple[str, int | None]:
    """``called`` (required) and ``version`` (a whole number >= 1, optional)."""
    called = reading.text(item, "called", node_id=node_id, required=True)
    version = item.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        reading.problem(
            f"version 应为不小于 1 的整数，写的是 {version!r}",
            node_id=node_id,
            line=item.line_of("version"),
            field="version",
            hint="不写 version 表示调用时最新的版本",
        )
        version = None
    return (called or "").strip(), version


def read_mappings(reading: Reading, item: YamlMap, key: str, node_id: str) -> DataMappings:
    """``inputs`` / ``outputs``: ``all``, or a list of mappings (and ``all``)."""
    value: Any = item.get(key)
    if value is None:
        return NOTHING
    if value == "all":
        return DataMappings(all=True)
    if not isinstance(value, YamlList):
        reading.problem(
            f"{key} 应为 all 或映射列表，写的是 {value!r}",
            node_id=node_id,
            line=item.line_of(key),
            field=key,
            hint=_HINT,
        )
        return NOTHING
    every = False
    each: list[DataMapping] = []
    for index, entry in enumerate(value):
        field = f"{key}[{index}]"
        if entry == "all":
            every = True
            continue
        mapping = _mapping(reading, entry, value.line_of(index), node_id=node_id, field=field)
        if mapping is not None:
            each.append(mapping)
    return DataMappings(all=every, each=tuple(each))


def _mapping(reading: Reading, entry: Any, line: int, *, node_id: str, field: str) -> DataMapping | None:
    if not isinstance(entry, YamlMap):
        reading.problem(
            f"{field} 应为 {{from: 变量, to: 变量}} 或 {{expression: 表达式, to: 变量}}，写的是 {entry!r}",
            node_id=node_id,
            line=line,
            field=field,
            hint=_HINT,
        )
        return None
    reading.check_keys(entry, _MAPPING_KEYS, node_id=node_id, what=f"{field} ", field_prefix=f"{field}.")
    source = reading.text(entry, "from", node_id=node_id, field=f"{field}.from")
    expression = read_expression(
        reading, entry, "expression", node_id=node_id, field=f"{field}.expression", hint=_HINT
    )
    target = reading.text(entry, "to", node_id=node_id, field=f"{field}.to")
    if ("from" in entry) == ("expression" in entry):
        reading.problem(
            f"{field} 要写 from 或 expression 其中一个",
            node_id=node_id,
            line=entry.line,
            field=field,
            hint=_HINT,
        )
        return None
    if target is None and expression is not None:
        reading.problem(f"{field} 写了 expression，还要写 to", node_id=node_id, line=entry.line, field=field)
        return None
    name = (target or source or "").strip()
    if not name:
        return None
    return DataMapping(target=name, source=source.strip() if source else None, expression=expression)
