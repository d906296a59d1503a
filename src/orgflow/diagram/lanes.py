"""Which department's swimlane (泳道) each node is drawn in, and the lanes in flow order.

A node that can name a department (tasks, subprocesses: anything with a
``department`` attribute) is drawn in that department's lane; without one it
takes its enclosing subprocess's department, else the lane 未指定部门.
Events and gateways carry no department: they follow the step before them
(a start event, the step after it), so a department's part of the flow reads
as one band and no lane holds only connectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orgflow.diagram.structure import Structure
from orgflow.model.definition import ProcessDefinition

#: The label of the lane of steps that name no department.
UNASSIGNED_LABEL = "未指定部门"


@dataclass(frozen=True, kw_only=True)
class LanePlan:
    """The lanes of a diagram and each node's lane.

    Attributes:
        departments: The lanes' departments in order of first appearance along the flow;
            ``None`` is the lane of steps without a department. Empty: draw no lanes.
        lane_of: Each node's lane, as an index into ``departments`` (0 when there are no lanes).
    """

    departments: tuple[str | None, ...]
    lane_of: Mapping[str, int]


def lane_departments(definition: ProcessDefinition, structure: Structure) -> dict[str, str | None]:
    """Each node's department as drawn: its own, inherited, or that of a neighbouring step."""
    nodes = definition.nodes
    chosen: dict[str, str | None] = {}
    position = {node_id: index for index, node_id in enumerate(structure.flow_order)}
    for node_id in structure.flow_order:
        if hasattr(nodes[node_id], "department"):
            chosen[node_id] = _own_or_inherited(definition, structure, node_id)
    for node_id in structure.flow_order:
        if node_id in chosen:
            continue
        host = structure.host_of.get(node_id)
        if host is not None:
            neighbours = [host]
        else:
            earlier = [flow.source for flow in definition.incoming(node_id) if flow.source in position]
            neighbours = [source for source in earlier if position[source] < position[node_id]]
        known = [chosen[other] for other in neighbours if other in chosen]
        if known:
            chosen[node_id] = known[0]
    for node_id in reversed(structure.flow_order):
        if node_id not in chosen:
            known = [chosen[flow.target] for flow in definition.outgoing(node_id) if flow.target in chosen]
            if known:
                chosen[node_id] = known[0]
    for node_id in structure.flow_order:
        if node_id not in chosen:
            chosen[node_id] = _enclosing_department(definition, structure, node_id)
    for node_id, host in structure.host_of.items():
        chosen[node_id] = chosen[host]
    return chosen


def plan_lanes(definition: ProcessDefinition, structure: Structure) -> LanePlan:
    """The lanes in order of first appearance along the flow; none when no node names a department."""
    chosen = lane_departments(definition, structure)
    if all(department is None for department in chosen.values()):
        return LanePlan(departments=(), lane_of=dict.fromkeys(chosen, 0))
    order: list[str | None] = []
    for node_id in structure.flow_order:
        if chosen[node_id] not in order:
            order.append(chosen[node_id])
    return LanePlan(
        departments=tuple(order),
        lane_of={node_id: order.index(department) for node_id, department in chosen.items()},
    )


def _own_or_inherited(definition: ProcessDefinition, structure: Structure, node_id: str) -> str | None:
    own = getattr(definition.nodes[node_id], "department", None)
    if isinstance(own, str) and own:
        return own
    return _enclosing_department(definition, structure, node_id)


def _enclosing_department(definition: ProcessDefinition, structure: Structure, node_id: str) -> str | None:
    for scope in structure.ancestors(node_id):
        if scope is None:
            return None
        department = getattr(definition.nodes[scope], "department", None)
        if isinstance(department, str) and department:
            return department
    return None
