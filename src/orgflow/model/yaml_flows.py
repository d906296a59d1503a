"""Reading flows from the YAML DSL: ``next`` shorthands, the ``flows`` list, ids, conditions, defaults.

Flows are collected in declared order (each node's ``next`` in node order, then
the ``flows`` list), because an exclusive gateway tries its flows in that order.
Ids are handed out once every flow is known: written ids first, then
``<source>__<target>`` for the rest, with ``__2``, ``__3`` when a pair repeats.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from orgflow.errors import ExpressionError
from orgflow.model.definition import Condition, Flow
from orgflow.model.expressions import compile_expression
from orgflow.model.nodes import Gateway, Node
from orgflow.model.yaml_document import YamlList, YamlMap
from orgflow.model.yaml_values import ID_HINT, ID_PATTERN, Reading

NEXT_KEYS: Final = frozenset({"to", "when", "default", "name", "id"})
FLOW_KEYS: Final = NEXT_KEYS | {"from"}

_CONDITION_HINT: Final = (
    "条件语言支持 == != < <= > >= in、and/or/not、+ - * /、函数 len lower upper contains startswith 等，"
    "例如 amount > 100000 and outcome != 'reject'"
)


class _UnreadableCondition:
    """Stands in for a condition already reported as wrong, so no check reports the flow as unconditional."""

    def __init__(self, source: str) -> None:
        self.source = source

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        raise ExpressionError("条件未能编译", expression=self.source)


@dataclass(kw_only=True, slots=True)
class _FlowDraft:
    source: str
    target: str
    line: int
    id: str | None = None
    condition: Condition | None = None
    name: str = ""
    default: bool = False


class FlowReader:
    """Collects the flows of one document, then builds them and marks the gateways' default flows."""

    def __init__(self, reading: Reading) -> None:
        self._reading = reading
        self._drafts: list[_FlowDraft] = []

    def read_next(self, node_id: str, node: YamlMap) -> None:
        """A node's ``next``: a node id, a mapping, or a list of ids and mappings."""
        value = node.get("next")
        if value is None:
            return
        self._reading.lines[(node_id, "next")] = node.line_of("next")
        items, lines = (
            (value, value.item_lines) if isinstance(value, YamlList) else ([value], [node.line_of("next")])
        )
        for item, line in zip(items, lines, strict=True):
            if isinstance(item, str):
                self._drafts.append(_FlowDraft(source=node_id, target=item, line=line))
            elif isinstance(item, YamlMap):
                self._read_mapping(item, node_id, NEXT_KEYS)
            else:
                self._reading.problem(
                    f"next 的每一项应为节点 id 或 {{to: 节点id, when: 条件}}，写的是 {item!r}",
                    node_id=node_id,
                    line=line,
                    field="next",
                )

    def read_flows(self, items: YamlList, known: Collection[str]) -> None:
        """The ``flows`` list: ``{id, from, to, when, default, name}`` items."""
        for index, item in enumerate(items):
            if not isinstance(item, YamlMap):
                self._reading.problem(
                    f"flows 的每一项应写成映射 {{from: a, to: b}}，写的是 {item!r}",
                    node_id=None,
                    line=items.line_of(index),
                    field="flows",
                )
                continue
            source = self._reading.text(item, "from", node_id=None, required=True)
            if source is None:
                continue
            if source not in known:
                self._reading.problem(
                    f"连线的起点 {source} 不存在", node_id=source, line=item.line_of("from"), field="from"
                )
                continue
            self._read_mapping(item, source, FLOW_KEYS)

    def build(self, nodes: dict[str, Node]) -> dict[str, Flow]:
        """Give every flow its id, build them in declared order, mark gateways' ``default_flow`` in ``nodes``.

        Written ids are reserved first, so a generated id never takes one an author chose.
        """
        taken: set[str] = set()
        for draft in self._drafts:
            if draft.id is None:
                continue
            if draft.id in taken:
                self._reading.problem(
                    f"连线 id {draft.id} 重复", node_id=draft.source, line=draft.line, field="id"
                )
                draft.id = None
            else:
                taken.add(draft.id)
        flows: dict[str, Flow] = {}
        for draft in self._drafts:
            flow_id = draft.id or _fresh_id(f"{draft.source}__{draft.target}", taken)
            taken.add(flow_id)
            flows[flow_id] = Flow(
                id=flow_id,
                source=draft.source,
                target=draft.target,
                condition=draft.condition,
                name=draft.name,
                line=draft.line,
            )
            if draft.default:
                self._mark_default(nodes, draft, flow_id)
        return flows

    def _read_mapping(self, item: YamlMap, source: str, keys: Collection[str]) -> None:
        reading = self._reading
        reading.check_keys(item, keys, node_id=source, what="连线")
        target = reading.text(item, "to", node_id=source, required=True)
        if target is None:
            return
        flow_id = reading.matching(item, "id", ID_PATTERN, node_id=source, hint=ID_HINT)
        self._drafts.append(
            _FlowDraft(
                source=source,
                target=target,
                line=item.line,
                id=flow_id,
                condition=self._condition(item, source),
                name=reading.text(item, "name", node_id=source) or "",
                default=bool(reading.boolean(item, "default", node_id=source)),
            )
        )

    def _condition(self, item: YamlMap, source: str) -> Condition | None:
        if item.get("when") is None:
            return None
        text = self._reading.text(item, "when", node_id=source)
        if text is None:
            return _UnreadableCondition(repr(item["when"]))
        try:
            return compile_expression(text)
        except ExpressionError as error:
            self._reading.problem(
                error.message, node_id=source, line=item.line_of("when"), field="when", hint=_CONDITION_HINT
            )
            return _UnreadableCondition(text)

    def _mark_default(self, nodes: dict[str, Node], draft: _FlowDraft, flow_id: str) -> None:
        gateway = nodes.get(draft.source)
        if isinstance(gateway, Gateway):
            if gateway.default_flow is None:
                nodes[draft.source] = replace(gateway, default_flow=flow_id)
                return
            message = f"网关 {draft.source} 已有默认连线 {gateway.default_flow}，只能有一条"
        elif type(gateway) is Node:  # a node whose type was already reported as unknown
            return
        else:
            message = "只有网关的出口连线可以设为默认连线（default: true）"
        self._reading.problem(message, node_id=draft.source, line=draft.line, field="default")


def _fresh_id(base: str, taken: Collection[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}__{number}" in taken:
        number += 1
    return f"{base}__{number}"
