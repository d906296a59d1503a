"""Reading an expression written under a key of the YAML DSL (``cardinality: nrOfLoops``).

A number or a boolean is taken as the expression that gives it (``cardinality: 3``).
A problem is recorded with the node, the field and the line; reading goes on.
"""

from __future__ import annotations

from orgflow.errors import ExpressionError
from orgflow.model.expressions import CompiledExpression, compile_expression
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_values import Reading


def read_expression(
    reading: Reading, mapping: YamlMap, key: str, *, node_id: str | None, field: str, hint: str
) -> CompiledExpression | None:
    """The compiled expression under ``key``; ``None`` when absent or wrong (wrong: reported)."""
    value = mapping.get(key)
    if value is None:
        return None
    line = mapping.line_of(key)
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = repr(value)
    if not isinstance(value, str) or not value.strip():
        reading.problem(
            f"{key} 应为表达式文本，写的是 {value!r}", node_id=node_id, line=line, field=field, hint=hint
        )
        return None
    try:
        return compile_expression(value)
    except ExpressionError as error:
        reading.problem(error.message, node_id=node_id, line=line, field=field, hint=hint)
        return None
