"""Layered ordering of one scope: loop-backs found, layers by longest path, crossings reduced.

The classic Sugiyama steps, kept small: a depth-first walk from the scope's
start marks the flows that go back to a node still on the walk (a rejection
returning to the submitter) as loop-backs; the rest form an acyclic graph whose
longest path from the start gives each node its layer (column). A flow that
spans several layers gets a placeholder in each layer between, so it has a
free slot to pass through, and a few barycentre sweeps order each layer's
nodes (inside their swimlane) to reduce crossings. Every tie is broken by the
order nodes are met along the flow, so the result never varies between runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from orgflow.model.graph_walk import loop_closing

#: Down-and-up barycentre sweeps; two settle the small graphs processes are.
SWEEPS = 2


@dataclass(frozen=True, kw_only=True)
class Edge:
    """A flow between two members of the scope (boundary flows start at the host)."""

    flow_id: str
    source: str
    target: str


@dataclass(frozen=True, kw_only=True)
class Ordering:
    """The result for one scope.

    Attributes:
        layers: Per layer, its members and placeholders from top to bottom.
        layer_of: The layer of every member and placeholder.
        loop_backs: The flows excluded from layering, in declared order.
        chains: Per forward flow, the slots it passes: source, placeholders, target.
    """

    layers: tuple[tuple[str, ...], ...]
    layer_of: Mapping[str, int]
    loop_backs: tuple[Edge, ...]
    chains: Mapping[str, tuple[str, ...]]


def placeholder_id(flow_id: str, step: int) -> str:
    """The slot a long flow passes in an intermediate layer (never a valid node id)."""
    return f"{flow_id}#{step}"


def order_scope(
    members: Sequence[str],
    edges: Sequence[Edge],
    *,
    rank: Mapping[str, int],
    lane_of: Mapping[str, int],
) -> Ordering:
    """Layer and order the members of one scope.

    Args:
        members: The scope's nodes; the first is where the walk starts.
        edges: Flows between members, in declared order.
        rank: Each member's position along the flow (ties and first order).
        lane_of: Each member's swimlane index; nodes stay grouped by lane in a layer.
    """
    ordered = sorted(members, key=lambda node_id: rank[node_id])
    loop_backs = _loop_backs(ordered, edges)
    forward = [edge for edge in edges if edge not in loop_backs]
    layer_of = _longest_path_layers(ordered, forward)
    chains: dict[str, tuple[str, ...]] = {}
    slot_lane = dict(lane_of)
    slot_rank = {node_id: float(rank[node_id]) for node_id in members}
    for edge in forward:
        span = range(layer_of[edge.source] + 1, layer_of[edge.target])
        slots = [placeholder_id(edge.flow_id, step) for step, _ in enumerate(span, start=1)]
        for slot, layer in zip(slots, span, strict=True):
            layer_of[slot] = layer
            slot_lane[slot] = lane_of[edge.source]
            slot_rank[slot] = rank[edge.source] + 0.5
        chains[edge.flow_id] = (edge.source, *slots, edge.target)
    layers = _sweep(layer_of, chains, slot_lane, slot_rank)
    return Ordering(
        layers=layers,
        layer_of=layer_of,
        loop_backs=tuple(edge for edge in edges if edge in loop_backs),
        chains=chains,
    )


def _loop_backs(ordered: Sequence[str], edges: Sequence[Edge]) -> list[Edge]:
    """Flows that return to a node on the current depth-first path (self-loops included)."""
    out: dict[str, list[Edge]] = {node_id: [] for node_id in ordered}
    for each in edges:
        out[each.source].append(each)
    return loop_closing(ordered, out.__getitem__, lambda edge: edge.target)


def _longest_path_layers(ordered: Sequence[str], forward: Sequence[Edge]) -> dict[str, int]:
    """Each node one layer right of its furthest predecessor (Kahn's order, ties by flow order)."""
    waiting = dict.fromkeys(ordered, 0)
    out: dict[str, list[str]] = {node_id: [] for node_id in ordered}
    for edge in forward:
        waiting[edge.target] += 1
        out[edge.source].append(edge.target)
    layer = dict.fromkeys(ordered, 0)
    ready = [node_id for node_id in ordered if waiting[node_id] == 0]
    position = {node_id: index for index, node_id in enumerate(ordered)}
    while ready:
        node_id = ready.pop(0)
        for target in out[node_id]:
            layer[target] = max(layer[target], layer[node_id] + 1)
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
                ready.sort(key=position.__getitem__)
    return layer


def _sweep(
    layer_of: Mapping[str, int],
    chains: Mapping[str, tuple[str, ...]],
    lane_of: Mapping[str, int],
    rank: Mapping[str, float],
) -> tuple[tuple[str, ...], ...]:
    """Order each layer by lane, then by the mean position of its neighbours in the layer before/after."""
    count = max(layer_of.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(count)]
    for slot in sorted(layer_of, key=lambda slot: (rank[slot], slot)):
        layers[layer_of[slot]].append(slot)
    before: dict[str, list[str]] = {slot: [] for slot in layer_of}
    after: dict[str, list[str]] = {slot: [] for slot in layer_of}
    for chain in chains.values():
        for left, right in pairwise(chain):
            after[left].append(right)
            before[right].append(left)
    for layer in layers:
        layer.sort(key=lambda slot: lane_of[slot])
    for _ in range(SWEEPS):
        for index in range(1, count):
            _reorder(layers[index], layers[index - 1], before, lane_of)
        for index in range(count - 2, -1, -1):
            _reorder(layers[index], layers[index + 1], after, lane_of)
    return tuple(tuple(layer) for layer in layers)


def _reorder(
    layer: list[str], fixed: Sequence[str], neighbours: Mapping[str, list[str]], lane_of: Mapping[str, int]
) -> None:
    """Stable sort of one layer by (lane, barycentre); a slot without neighbours keeps its place."""
    where = {slot: index for index, slot in enumerate(fixed)}
    current = {slot: index for index, slot in enumerate(layer)}

    def barycentre(slot: str) -> float:
        seen = [where[other] for other in neighbours[slot] if other in where]
        if not seen:
            return current[slot] * len(fixed) / max(len(layer), 1)
        return sum(seen) / len(seen)

    layer.sort(key=lambda slot: (lane_of[slot], barycentre(slot)))
