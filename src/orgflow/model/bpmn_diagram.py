"""The BPMNDI part of an exported BPMN file: one pool with a lane per department, shapes and edges.

Coordinates come from :func:`orgflow.diagram.layout.layout` (left to right,
one swimlane per department, boundary events on their host's border). When
the definition names departments, its process is drawn as a pool
(``participant`` of a ``collaboration``) whose lanes are the departments, so
bpmn.io and Camunda Modeler draw swimlanes; the lane of steps without a
department is marked ``orgflow:department=""`` so reading it back gives none.
"""

from __future__ import annotations

from typing import Final

from orgflow.diagram.geometry import Bounds
from orgflow.diagram.layout import layout
from orgflow.model.bpmn_markup import Tag
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import ExclusiveGateway, SubProcess
from orgflow.model.number_text import number_text

#: Width of the pool's name band on its left, as bpmn.io draws it.
POOL_HEADER: Final = 30.0


def write_diagram(root: Tag, process: Tag, definition: ProcessDefinition) -> None:
    """Append the collaboration (if there are lanes), the process (with its lane set) and the diagram."""
    placed = layout(definition)
    key = definition.key
    shift = POOL_HEADER if placed.lanes else 0.0
    plane_element = key
    lane_tags: list[tuple[str, Bounds]] = []
    if placed.lanes:
        collaboration_id = f"Collaboration_{key}"
        collaboration = root.add("bpmn:collaboration", {"id": collaboration_id})
        collaboration.add(
            "bpmn:participant", {"id": f"Participant_{key}", "name": definition.name, "processRef": key}
        )
        plane_element = collaboration_id
        lane_set = process.add("bpmn:laneSet", {"id": f"LaneSet_{key}"})
        for index, lane in enumerate(placed.lanes):
            lane_id = f"Lane_{key}_{index + 1}"
            tag = lane_set.add(
                "bpmn:lane",
                {"id": lane_id, "name": lane.label, "orgflow:department": None if lane.department else ""},
            )
            for node_id, node in definition.nodes.items():
                if node.scope is None and placed.lane_of.get(node_id, 0) == index:
                    tag.add("bpmn:flowNodeRef", text=node_id)
            lane_tags.append((lane_id, lane.bounds))
    root.children.append(process)
    plane = root.add("bpmndi:BPMNDiagram", {"id": f"BPMNDiagram_{key}"}).add(
        "bpmndi:BPMNPlane", {"id": f"BPMNPlane_{key}", "bpmnElement": plane_element}
    )
    if lane_tags:
        pool = _union([bounds for _, bounds in lane_tags])
        pool = Bounds(pool.x - POOL_HEADER, pool.y, pool.width + POOL_HEADER, pool.height)
        _shape(plane, f"Participant_{key}", pool, shift, {"isHorizontal": "true"})
        for lane_id, bounds in lane_tags:
            _shape(plane, lane_id, bounds, shift, {"isHorizontal": "true"})
    for node_id, bounds in placed.shapes.items():
        node = definition.nodes[node_id]
        extra = {}
        if isinstance(node, SubProcess):
            extra["isExpanded"] = "true"
        elif isinstance(node, ExclusiveGateway):
            extra["isMarkerVisible"] = "true"
        _shape(plane, node_id, bounds, shift, extra)
    for flow_id, points in placed.edges.items():
        edge = plane.add("bpmndi:BPMNEdge", {"id": f"{flow_id}_di", "bpmnElement": flow_id})
        for point in points:
            edge.add("di:waypoint", {"x": _number(point.x + shift), "y": _number(point.y)})


def _shape(plane: Tag, element: str, bounds: Bounds, shift: float, extra: dict[str, str]) -> None:
    shape = plane.add("bpmndi:BPMNShape", {"id": f"{element}_di", "bpmnElement": element, **extra})
    shape.add(
        "dc:Bounds",
        {
            "x": _number(bounds.x + shift),
            "y": _number(bounds.y),
            "width": _number(bounds.width),
            "height": _number(bounds.height),
        },
    )


def _union(boxes: list[Bounds]) -> Bounds:
    left = min(box.x for box in boxes)
    top = min(box.y for box in boxes)
    right = max(box.right for box in boxes)
    bottom = max(box.bottom for box in boxes)
    return Bounds(left, top, right - left, bottom - top)


def _number(value: float) -> str:
    return number_text(round(value, 1))
