"""Reading business errors (BPMN errors) of the YAML DSL: error end events and error boundaries.

The shapes::

    - {id: denied, type: end, error: CREDIT_DENIED}                  # an error end event (错误结束)
    - {id: denied, type: end, error: {code: CREDIT_DENIED, message: 信用不足}}

    boundary:                                  # on a user_task, service_task, subprocess or call_activity
      - {id: on_denied, error: CREDIT_DENIED, next: reject}         # catches that code
      - {id: on_any, error: true, next: handle}                     # catches any code
      - {id: on_any2, error: {code_variable: err, message_variable: why}, next: handle}

An error boundary always interrupts: the activity is cancelled and the path
goes on from the boundary. ``code_variable`` / ``message_variable`` store the
caught error's code and message in the instance data.
"""

from __future__ import annotations

from typing import Any, Final

from orgflow.model.nodes import ThrownError
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_values import Reading

_THROWN_KEYS: Final = frozenset({"code", "message"})
_CAUGHT_KEYS: Final = frozenset({"code", "code_variable", "message_variable"})
_END_HINT: Final = "例如 error: CREDIT_DENIED，或 error: {code: CREDIT_DENIED, message: 信用不足}"
_BOUNDARY_HINT: Final = "例如 error: CREDIT_DENIED（捕获该错误码），或 error: true（捕获任何错误）"


def read_thrown(reading: Reading, item: YamlMap, node_id: str) -> ThrownError | None:
    """An end event's ``error``: a code, or ``{code, message}``; ``None`` when absent or wrong."""
    value: Any = item.get("error")
    if value is None:
        return None
    line = item.line_of("error")
    if isinstance(value, str) and value.strip():
        return ThrownError(code=value.strip())
    if not isinstance(value, YamlMap):
        reading.problem(
            f"error 应为错误码或 {{code, message}}，写的是 {value!r}",
            node_id=node_id,
            line=line,
            field="error",
            hint=_END_HINT,
        )
        return None
    reading.check_keys(value, _THROWN_KEYS, node_id=node_id, what="error ", field_prefix="error.")
    code = reading.text(value, "code", node_id=node_id, required=True, field="error.code")
    message = reading.text(value, "message", node_id=node_id, field="error.message")
    return ThrownError(code=code.strip(), message=message or "") if code else None


def read_caught(reading: Reading, item: YamlMap, node_id: str) -> tuple[str | None, str | None, str | None]:
    """An error boundary's ``error``: ``(code or None for any, code variable, message variable)``."""
    value: Any = item.get("error")
    if value is True:
        return None, None, None
    if isinstance(value, str) and value.strip():
        return value.strip(), None, None
    if not isinstance(value, YamlMap):
        reading.problem(
            f"error 应为错误码、true 或映射，写的是 {value!r}",
            node_id=node_id,
            line=item.line_of("error"),
            field="error",
            hint=_BOUNDARY_HINT,
        )
        return None, None, None
    reading.check_keys(value, _CAUGHT_KEYS, node_id=node_id, what="error ", field_prefix="error.")
    code = reading.text(value, "code", node_id=node_id, field="error.code")
    code_variable = reading.text(value, "code_variable", node_id=node_id, field="error.code_variable")
    message_variable = reading.text(
        value, "message_variable", node_id=node_id, field="error.message_variable"
    )
    return (code.strip() if code else None), code_variable, message_variable
