"""Deploy-time rules on the shape of the graph: flow ends, scopes, starts and ends, reachability.

Each scope (the process, and every subprocess) must have exactly one start and
at least one end; every node must be reachable from its scope's start and able
to reach one of its ends; flows stay inside their scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from orgflow.model.definition import ROOT_SCOPE, ProcessDefinition
from orgflow.model.nodes import BoundaryEvent, EndEvent, Gateway, Node, StartEvent, SubProcess
from orgflow.model.problems import DefinitionProblem
from orgflow.model.suggestions import did_you_mean
from orgflow.model.validation_rule import Rule, Where, is_placeholder


def _flow_endpoints(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    nodes = definition.nodes
    for flow in definition.flows.values():
        if flow.source not in nodes:
            yield DefinitionProblem(
                message=f"连线 {flow.id} 的起点 {flow.source} 不存在",
                node_id=flow.source,
                line=flow.line,
                field="from",
            )
        elif flow.target not in nodes:
            yield DefinitionProblem(
                message=f"连线指向的节点 {flow.target} 不存在",
                node_id=flow.source,
                line=flow.line,
                field="to",
                hint=did_you_mean(flow.target, nodes),
            )
        elif nodes[flow.source].scope != nodes[flow.target].scope:
            yield DefinitionProblem(
                message=f"连线不能跨越子流程边界：{flow.source} 与 {flow.target} 不在同一层",
                node_id=flow.source,
                line=flow.line,
                field="to",
                hint="子流程内外的节点之间不能直接连线；连到子流程节点本身，或在子流程内部连线",
            )


def _scopes(definition: ProcessDefinition) -> dict[str | None, list[Node]]:
    """Nodes grouped by scope: the process (``None``) and each subprocess, in definition order."""
    groups: dict[str | None, list[Node]] = {ROOT_SCOPE: []}
    groups.update({node.id: [] for node in definition.nodes.values() if isinstance(node, SubProcess)})
    for node in definition.nodes.values():
        if node.scope in groups:
            groups[node.scope].append(node)
    return groups


def _scope_shape(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for scope, members in _scopes(definition).items():
        owner = "流程" if scope is None else f"子流程 {scope}"
        line = where(scope, "nodes")
        if not members:
            if scope is not None:
                yield DefinitionProblem(
                    message=f"{owner}没有任何节点", node_id=scope, line=line, field="nodes"
                )
            continue
        if any(is_placeholder(node) for node in members):
            continue  # a node of unknown type may be the missing start or end; its type is reported
        starts = [node for node in members if isinstance(node, StartEvent)]
        if not starts:
            yield DefinitionProblem(
                message=f"{owner}缺少开始节点",
                node_id=scope,
                line=line,
                field="nodes",
                hint="加一个 type: start 的节点",
            )
        for extra in starts[1:]:
            yield DefinitionProblem(
                message=f"{owner}只能有一个开始节点，已有 {starts[0].id}",
                node_id=extra.id,
                line=extra.line,
                field="type",
            )
        if not any(isinstance(node, EndEvent) for node in members):
            yield DefinitionProblem(
                message=f"{owner}缺少结束节点",
                node_id=scope,
                line=line,
                field="nodes",
                hint="加一个 type: end 的节点",
            )


def _start_and_end_flows(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if isinstance(node, StartEvent):
            for flow in definition.incoming(node.id):
                yield DefinitionProblem(
                    message=f"开始节点 {node.id} 不能有进入的连线（来自 {flow.source}）",
                    node_id=flow.source,
                    line=flow.line,
                    field="to",
                )
        if isinstance(node, EndEvent) and definition.outgoing(node.id):
            yield DefinitionProblem(
                message=f"结束节点 {node.id} 不能有出去的连线",
                node_id=node.id,
                line=where(node.id, "next") or definition.outgoing(node.id)[0].line,
                field="next",
            )


# -- reachability -------------------------------------------------------------------


def _paths(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    """Unreachable nodes, dead ends, and nodes from which no end of their scope can be reached."""
    nodes = definition.nodes
    forward: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    backward: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    leaves_scope: set[str] = set()  # nodes with a flow to a missing or foreign node: already reported
    for flow in definition.flows.values():
        if flow.source not in nodes:
            continue
        target = nodes.get(flow.target)
        if target is None or target.scope != nodes[flow.source].scope:
            leaves_scope.add(flow.source)
            continue
        forward[flow.source].append(flow.target)
        backward[flow.target].append(flow.source)
    for node in nodes.values():  # a token at an activity may leave by its boundary events
        activity = nodes.get(node.attached_to) if isinstance(node, BoundaryEvent) else None
        if activity is not None and activity.scope == node.scope:
            forward[activity.id].append(node.id)
            backward[node.id].append(activity.id)
    for members in _scopes(definition).values():
        starts = [node.id for node in members if isinstance(node, StartEvent)]
        if not starts:
            continue  # reported by the scope rule; every node would look unreachable
        reached = _walk(starts, forward)
        dead_ends = [
            node
            for node in members
            if not isinstance(node, EndEvent)
            and not is_placeholder(node)
            and not definition.outgoing(node.id)
        ]
        finishing = {
            node.id for node in members if isinstance(node, EndEvent) or is_placeholder(node)
        } | leaves_scope
        finishing |= {node.id for node in dead_ends}
        can_finish = _walk(finishing, backward)
        for node in members:
            if node.id not in reached:
                yield DefinitionProblem(
                    message=f"节点 {node.label} 从开始节点无法到达",
                    node_id=node.id,
                    line=node.line,
                    hint="检查指向它的 next/flows，或删除这个节点",
                )
            elif node in dead_ends:
                yield _dead_end(node)
            elif node.id not in can_finish:
                yield DefinitionProblem(
                    message=f"从节点 {node.label} 出发永远到不了结束节点（流程会在循环里出不来）",
                    node_id=node.id,
                    line=node.line,
                    field="next",
                    hint="给循环加一条通向结束节点的出口",
                )


def _walk(roots: Iterable[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node_id = stack.pop()
        if node_id not in seen:
            seen.add(node_id)
            stack.extend(edges.get(node_id, ()))
    return seen


def _dead_end(node: Node) -> DefinitionProblem:
    what = "网关" if isinstance(node, Gateway) else "节点"
    return DefinitionProblem(
        message=f"{what} {node.label} 没有出口连线，流程会停在这里",
        node_id=node.id,
        line=node.line,
        field="next",
        hint="写 next: 下一个节点id；流程到此结束的话连到 type: end 的节点",
    )


#: The graph rules, in the order their problems are listed.
GRAPH_RULES: Final[tuple[Rule, ...]] = (_flow_endpoints, _scope_shape, _start_and_end_flows, _paths)
