"""How a definition's nodes nest and hang on each other, read generically so new node kinds fit.

A node is a container when some node names it as its ``scope``; a node is a
boundary event when its ``attached_to`` names another node. Nothing here
switches on node classes, so kinds added later (error boundaries, call
activities, multi-instance tasks) are drawn like their nearest known shape.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.nodes import StartEvent


@dataclass(frozen=True, kw_only=True)
class Structure:
    """Scopes, boundary events and the flow walk of one definition.

    Attributes:
        scope_of: Each node's enclosing container (``None``: the process level); a boundary
            event is in its host's scope.
        members: Per scope, its nodes in declaration order, boundary events left out.
        host_of: Each boundary event's host activity.
        boundaries: Per host, its boundary events in declaration order.
        flow_order: Every node id in the order met walking the flows breadth-first from the
            start (containers before their children, boundary events after their host),
            then any node not reached, in declaration order.
    """

    scope_of: Mapping[str, str | None]
    members: Mapping[str | None, tuple[str, ...]]
    host_of: Mapping[str, str]
    boundaries: Mapping[str, tuple[str, ...]]
    flow_order: tuple[str, ...]

    def is_container(self, node_id: str) -> bool:
        """Some node lies inside this one."""
        return node_id in self.members

    def ancestors(self, node_id: str) -> tuple[str | None, ...]:
        """The node's enclosing scopes, innermost first, ending with ``None`` (the process)."""
        chain: list[str | None] = []
        scope = self.scope_of.get(node_id)
        while scope is not None:
            chain.append(scope)
            scope = self.scope_of.get(scope)
        chain.append(None)
        return tuple(chain)


def structure_of(definition: ProcessDefinition) -> Structure:
    """Read the nesting, boundary events and flow walk of a definition."""
    nodes = definition.nodes
    host_of: dict[str, str] = {}
    for node in nodes.values():
        host = getattr(node, "attached_to", None)
        if isinstance(host, str) and host in nodes and host != node.id:
            host_of[node.id] = host
    scope_of: dict[str, str | None] = {}
    for node in nodes.values():
        scope_of[node.id] = _valid_scope(definition, host_of.get(node.id, node.id))
    _break_scope_cycles(scope_of)
    members: dict[str | None, list[str]] = {None: []}
    boundaries: dict[str, list[str]] = {}
    for node_id in nodes:
        if node_id in host_of:
            boundaries.setdefault(host_of[node_id], []).append(node_id)
        else:
            members.setdefault(scope_of[node_id], []).append(node_id)
    return Structure(
        scope_of=scope_of,
        members={scope: tuple(ids) for scope, ids in members.items()},
        host_of=host_of,
        boundaries={host: tuple(ids) for host, ids in boundaries.items()},
        flow_order=_flow_order(definition, members, boundaries),
    )


def _valid_scope(definition: ProcessDefinition, node_id: str) -> str | None:
    scope = definition.nodes[node_id].scope
    return scope if scope in definition.nodes and scope != node_id else None


def _break_scope_cycles(scope_of: dict[str, str | None]) -> None:
    """A scope chain that loops (never valid, but drawing must not hang) is cut at the process level."""
    for node_id in scope_of:
        seen = {node_id}
        scope = scope_of[node_id]
        while scope is not None:
            if scope in seen:
                scope_of[node_id] = None
                break
            seen.add(scope)
            scope = scope_of.get(scope)


def _flow_order(
    definition: ProcessDefinition,
    members: Mapping[str | None, list[str]],
    boundaries: Mapping[str, list[str]],
) -> tuple[str, ...]:
    """Breadth-first along the flows in declared order, entering each container at its start."""
    order: list[str] = []
    seen: set[str] = set()

    def starts_of(scope: str | None) -> list[str]:
        inner = members.get(scope, [])
        starts = [node_id for node_id in inner if isinstance(definition.nodes[node_id], StartEvent)]
        sources = [node_id for node_id in inner if not _incoming_within(definition, node_id, inner)]
        return (starts or sources or inner)[:1]

    def walk(first: str) -> None:
        queue = deque([first])
        while queue:
            node_id = queue.popleft()
            if node_id in seen:
                continue
            seen.add(node_id)
            order.append(node_id)
            queue.extend(starts_of(node_id) if node_id in members else [])
            queue.extend(boundaries.get(node_id, []))
            queue.extend(flow.target for flow in _outgoing(definition, node_id))

    for scope_start in starts_of(None):
        walk(scope_start)
    for node_id in definition.nodes:
        walk(node_id)
    return tuple(order)


def _outgoing(definition: ProcessDefinition, node_id: str) -> tuple[Flow, ...]:
    return tuple(flow for flow in definition.outgoing(node_id) if flow.target in definition.nodes)


def _incoming_within(definition: ProcessDefinition, node_id: str, scope_members: list[str]) -> bool:
    return any(flow.source in scope_members for flow in definition.incoming(node_id))
