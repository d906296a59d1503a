"""Reading ``multi:`` (多实例) on a user task or subprocess of the YAML DSL.

The shape::

    multi:
      mode: all                    # optional shortcut in countersign words: all (parallel, everyone
                                   #   completes) | any (parallel, the first completion decides)
                                   #   | in_turn (sequential); or write sequential/completion
      sequential: false            # optional; default false (all instances at once)
      cardinality: nrOfLoops       # how many instances: a number or an expression, or ...
      collection: reviewers        # ... one instance per element of a list (a variable or an expression)
      element: reviewer            # optional with collection: each instance's local variable
      completion: "nrOfCompletedInstances / nrOfInstances >= 0.5"   # optional, after each completion
      output: {collection: opinions, element: opinion}   # optional: gather each instance's result

Each instance sees ``loopCounter`` (0-based) and the element variable; its
assignee rule may use them (``assignee: {expression: "'reviewer_' + str(loopCounter)"}``
or ``assignee: {user_field: reviewer}``). The completion condition also sees
``nrOfInstances``, ``nrOfCompletedInstances``, ``nrOfActiveInstances`` and the
completed instance's ``outcome``. Without ``output``, what an instance submits
stays local to it; ``output.element`` is an expression over the instance's
variables (default: what its work item submitted).
"""

from __future__ import annotations

from typing import Final

from orgflow.model.expressions import CompiledExpression, compile_expression
from orgflow.model.multi_instance import FIRST_COMPLETION, MultiInstance
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_expressions import read_expression
from orgflow.model.yaml_values import Reading

MULTI_KEYS: Final = frozenset(
    {"mode", "sequential", "cardinality", "collection", "element", "completion", "output"}
)
_OUTPUT_KEYS: Final = frozenset({"collection", "element"})
_MODES: Final = ("all", "any", "in_turn")
#: Stands in for an expression written but unreadable, so later checks do not call it missing.
_UNREADABLE: Final = compile_expression("None")
_HINT: Final = "例如 multi: {collection: reviewers, element: reviewer, mode: all}，或 {cardinality: 3}"


def read_multi(reading: Reading, node: YamlMap, node_id: str) -> MultiInstance | None:
    """The node's ``multi`` block; ``None`` when absent (or written so wrongly it cannot be used)."""
    value = node.get("multi")
    if value is None:
        return None
    if not isinstance(value, YamlMap):
        reading.problem(
            f"multi 应为映射，写的是 {value!r}",
            node_id=node_id,
            line=node.line_of("multi"),
            field="multi",
            hint=_HINT,
        )
        return None
    reading.check_keys(value, MULTI_KEYS, node_id=node_id, what="multi ", field_prefix="multi.")
    for key in MULTI_KEYS:
        if key in value:
            reading.lines[(node_id, f"multi.{key}")] = value.line_of(key)
    sequential = reading.boolean(value, "sequential", node_id=node_id, field="multi.sequential")
    completion = _expression(reading, value, "completion", node_id)
    mode = reading.text(value, "mode", node_id=node_id, field="multi.mode")
    if mode is not None:
        if mode not in _MODES:
            reading.problem(
                f"multi.mode {mode!r} 不存在",
                node_id=node_id,
                line=value.line_of("mode"),
                field="multi.mode",
                hint="可选：all（并行，全部完成）、any（并行，一人完成即可）、in_turn（依次）",
            )
        elif sequential is not None or (completion is not None and mode != "all"):
            reading.problem(
                "multi.mode 已说明了并行/依次和完成条件，不能再写 sequential 或 completion",
                node_id=node_id,
                line=value.line_of("mode"),
                field="multi.mode",
            )
        elif mode == "in_turn":
            sequential = True
        elif mode == "any":
            completion = FIRST_COMPLETION
    output_collection, output_element = _output(reading, value, node_id)
    element = reading.text(value, "element", node_id=node_id, field="multi.element")
    return MultiInstance(
        sequential=bool(sequential),
        cardinality=_expression(reading, value, "cardinality", node_id),
        collection=_expression(reading, value, "collection", node_id),
        element_variable=element.strip() if element else None,
        completion=completion,
        output_collection=output_collection,
        output_element=output_element,
    )


def _expression(reading: Reading, value: YamlMap, key: str, node_id: str) -> CompiledExpression | None:
    """The expression under ``key``; a stand-in when it is written but wrong (already reported)."""
    found = read_expression(reading, value, key, node_id=node_id, field=f"multi.{key}", hint=_HINT)
    return _UNREADABLE if found is None and value.get(key) is not None else found


def _output(reading: Reading, value: YamlMap, node_id: str) -> tuple[str | None, CompiledExpression | None]:
    output = value.get("output")
    if output is None:
        return None, None
    if not isinstance(output, YamlMap):
        reading.problem(
            f"multi.output 应为映射 {{collection: 变量名, element: 表达式}}，写的是 {output!r}",
            node_id=node_id,
            line=value.line_of("output"),
            field="multi.output",
        )
        return None, None
    reading.check_keys(
        output, _OUTPUT_KEYS, node_id=node_id, what="multi.output ", field_prefix="multi.output."
    )
    collection = reading.text(
        output, "collection", node_id=node_id, required=True, field="multi.output.collection"
    )
    element = read_expression(
        reading, output, "element", node_id=node_id, field="multi.output.element", hint=_HINT
    )
    return (collection.strip() if collection else None), element
