"""Automatic left-to-right layout of a process definition, shared by the SVG renderer and BPMN export.

``layout(definition)`` places every node and routes every flow:

- columns (layers) by longest path from the start, loop-backs (a rejection going
  back to the submitter) left out of the layering and routed back underneath;
- one horizontal swimlane (泳道) per department, in order of first appearance
  along the flow (:mod:`orgflow.diagram.lanes`); no lanes when no node names one;
- embedded subprocesses laid out recursively inside their container; a
  subprocess whose children belong to several departments spans their lanes;
- boundary events on the bottom border of their host;
- orthogonal flows from the source's border to the target's, bending only in
  the free gaps between columns, with a reserved slot in every column a long
  flow passes, so flows do not cross boxes.

The same definition always gives the same layout, and shapes never overlap,
except a container with what lies inside it and a boundary event with its host.
Coordinates are SVG/BPMNDI-style: origin at the top left, y growing downwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from orgflow.diagram.geometry import Bounds, Point
from orgflow.diagram.lanes import UNASSIGNED_LABEL, LanePlan, plan_lanes
from orgflow.diagram.layering import Edge, Ordering, order_scope
from orgflow.diagram.routing import PlacedScope, Router
from orgflow.diagram.shapes import EVENT_SIZE, GATEWAYS, shape_of, size_of
from orgflow.diagram.structure import Structure, structure_of
from orgflow.model.definition import ProcessDefinition

__all__ = ["Bounds", "Lane", "Layout", "Point", "layout"]

MARGIN = 20.0
LANE_HEADER = 36.0
LANE_PADDING = 24.0
MIN_LANE_HEIGHT = 130.0
LEAD = 30.0
COLUMN_GAP = 64.0
ROW_GAP = 30.0
SLOT_HEIGHT = 14.0
SLOT_WIDTH = 24.0
CONTAINER_TOP = 34.0
CONTAINER_BOTTOM = 16.0
MIN_CONTAINER_WIDTH = 160.0
BOUNDARY_GAP = 8.0
BOUNDARY_RESERVE = EVENT_SIZE / 2 + 26.0
CHANNEL_STEP = 14.0


@dataclass(frozen=True, slots=True)
class Lane:
    """A department's swimlane: a horizontal band across the diagram.

    Attributes:
        department: The department, or ``None`` for steps that name none.
        label: What the lane header shows (the department, or 未指定部门).
        bounds: The band, header included.
    """

    department: str | None
    label: str
    bounds: Bounds


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Where everything of one definition goes.

    Attributes:
        shapes: Node id -> bounds (events 36x36, tasks 100x80, gateways 50x50, expanded
            subprocesses sized to their children), in the definition's node order.
        edges: Flow id -> waypoints from the source's border to the target's, in flow order.
        lanes: The department swimlanes from top to bottom; empty when no node names a department.
        width: Width of the whole drawing.
        height: Height of the whole drawing.
        lane_of: Node id -> index into ``lanes`` of the lane it is drawn in (0 without lanes).
    """

    shapes: Mapping[str, Bounds]
    edges: Mapping[str, tuple[Point, ...]]
    lanes: tuple[Lane, ...]
    width: float
    height: float
    lane_of: Mapping[str, int] = field(default_factory=dict)


def layout(definition: ProcessDefinition) -> Layout:
    """Lay out a definition: shapes, flow waypoints and department lanes."""
    return _Builder(definition).build()


@dataclass(kw_only=True)
class _Grid:
    """One scope measured: its ordering, its columns and the height it needs in each lane."""

    ordering: Ordering
    shared: list[dict[int, list[str]]]
    spanning: list[list[str]]
    layer_widths: list[float]
    need: dict[int, float]
    width: float
    channels: dict[int, list[Edge]]
    channel_lane: dict[str, int]


class _Builder:
    """Measures scopes bottom-up, then places them top-down, then routes the flows."""

    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self.structure: Structure = structure_of(definition)
        self.plan: LanePlan = plan_lanes(definition, self.structure)
        self.rank = {node_id: index for index, node_id in enumerate(self.structure.flow_order)}
        self.sizes: dict[str, tuple[float, float]] = {}
        self.spans: dict[str, tuple[int, int]] = {}
        self.needs: dict[str, dict[int, float]] = {}
        self.grids: dict[str | None, _Grid] = {}
        self.placed: dict[str | None, PlacedScope] = {}
        self.shapes: dict[str, Bounds] = {}
        self.scope_edges: dict[str | None, list[Edge]] = {}
        self.stray: list[tuple[str, str, str]] = []
        self._sort_flows()

    # --- flows per scope -------------------------------------------------------------------

    def _sort_flows(self) -> None:
        """Give each flow to the scope holding both ends (boundary flows start at the host)."""
        structure = self.structure
        for flow in self.definition.flows.values():
            if flow.source not in self.definition.nodes or flow.target not in self.definition.nodes:
                continue
            source = structure.host_of.get(flow.source, flow.source)
            target = structure.host_of.get(flow.target, flow.target)
            scope, left, right = self._common_scope(source, target)
            if left == right:
                self.stray.append((flow.id, flow.source, flow.target))
            else:
                self.scope_edges.setdefault(scope, []).append(
                    Edge(flow_id=flow.id, source=left, target=right)
                )

    def _common_scope(self, source: str, target: str) -> tuple[str | None, str, str]:
        """The innermost scope enclosing both ends, and the members of it that hold them."""
        lifted_target = self._lifted(target)
        for scope, member in self._lifted(source).items():
            if scope in lifted_target:
                return scope, member, lifted_target[scope]
        return None, source, target

    def _lifted(self, node_id: str) -> dict[str | None, str]:
        """For each enclosing scope, the member of it that contains the node."""
        lifted: dict[str | None, str] = {}
        member = node_id
        for scope in self.structure.ancestors(node_id):
            lifted[scope] = member
            if scope is not None:
                member = scope
        return lifted

    # --- measuring -------------------------------------------------------------------------

    def _lane(self, node_id: str) -> int:
        return self.plan.lane_of.get(node_id, 0)

    def _measure(self, scope: str | None) -> _Grid:
        members = list(self.structure.members.get(scope, ()))
        for node_id in members:
            self._measure_node(node_id)
        edges = self.scope_edges.get(scope, [])
        ordering = order_scope(
            members,
            edges,
            rank=self.rank,
            lane_of={node_id: self.spans[node_id][0] for node_id in members} | self._own_lanes(members),
        )
        shared: list[dict[int, list[str]]] = []
        spanning: list[list[str]] = []
        widths: list[float] = []
        need: dict[int, float] = {}
        for layer in ordering.layers:
            cells: dict[int, list[str]] = {}
            wide: list[str] = []
            for slot in layer:
                low, high = self.spans.get(slot) or (self._slot_lane(ordering, slot),) * 2
                if low != high:
                    wide.append(slot)
                else:
                    cells.setdefault(low, []).append(slot)
            shared.append(cells)
            spanning.append(wide)
            for lane, slots in cells.items():
                need[lane] = max(need.get(lane, 0.0), self._cell_need(slots))
            for slot in wide:
                for lane, height in self.needs[slot].items():
                    need[lane] = max(need.get(lane, 0.0), height)
            shared_width = max(
                (self._slot_width(slot) for slots in cells.values() for slot in slots), default=0
            )
            parts = ([shared_width] if cells else []) + [self.sizes[slot][0] for slot in wide]
            widths.append(sum(parts) + COLUMN_GAP * (len(parts) - 1))
        channels: dict[int, list[Edge]] = {}
        channel_lane: dict[str, int] = {}
        for edge in ordering.loop_backs:
            lane = max(self.spans[edge.source][1], self.spans[edge.target][1])
            channels.setdefault(lane, []).append(edge)
            channel_lane[edge.flow_id] = lane
        for lane, loops in channels.items():
            need[lane] = need.get(lane, 0.0) + CHANNEL_STEP * (len(loops) + 0.5)
        width = 2 * LEAD + sum(widths) + COLUMN_GAP * max(len(widths) - 1, 0)
        grid = _Grid(
            ordering=ordering,
            shared=shared,
            spanning=spanning,
            layer_widths=widths,
            need=need,
            width=width,
            channels=channels,
            channel_lane=channel_lane,
        )
        self.grids[scope] = grid
        return grid

    def _own_lanes(self, members: list[str]) -> dict[str, int]:
        """A container is ordered by its own lane when that lies inside its span."""
        own = {}
        for node_id in members:
            low, high = self.spans[node_id]
            if low != high and low <= self._lane(node_id) <= high:
                own[node_id] = self._lane(node_id)
        return own

    def _slot_lane(self, ordering: Ordering, slot: str) -> int:
        """A placeholder runs in the lane of the flow's source."""
        flow_id = slot.rpartition("#")[0]
        return self.spans[ordering.chains[flow_id][0]][0]

    def _measure_node(self, node_id: str) -> None:
        node = self.definition.nodes[node_id]
        boundaries = self.structure.boundaries.get(node_id, ())
        reserve = BOUNDARY_RESERVE if boundaries else 0.0
        row = len(boundaries) * EVENT_SIZE + (len(boundaries) - 1) * BOUNDARY_GAP + 2 * BOUNDARY_GAP
        if not self.structure.is_container(node_id):
            shape = shape_of(node, is_boundary=node_id in self.structure.host_of)
            width, height = size_of(shape)
            self.sizes[node_id] = (max(width, row) if boundaries else width, height + reserve)
            self.spans[node_id] = (self._lane(node_id), self._lane(node_id))
            return
        inner = self._measure(node_id)
        lanes = sorted({*inner.need, self._lane(node_id)})
        low, high = lanes[0], lanes[-1]
        need = {lane: inner.need.get(lane, 0.0) for lane in range(low, high + 1)}
        need[low] += CONTAINER_TOP
        need[high] += CONTAINER_BOTTOM + reserve
        width = max(inner.width, MIN_CONTAINER_WIDTH, row)
        self.sizes[node_id] = (width, need[low] if low == high else 0.0)
        self.spans[node_id] = (low, high)
        self.needs[node_id] = need

    def _cell_need(self, slots: list[str]) -> float:
        """The height a column's slots in one lane need; one alone needs room to centre its shape."""
        stack = sum(self._slot_height(slot) for slot in slots) + ROW_GAP * (len(slots) - 1)
        if len(slots) == 1 and self.structure.boundaries.get(slots[0]):
            return stack + BOUNDARY_RESERVE
        return stack

    def _slot_height(self, slot: str) -> float:
        return self.sizes[slot][1] if slot in self.sizes else SLOT_HEIGHT

    def _slot_width(self, slot: str) -> float:
        return self.sizes[slot][0] if slot in self.sizes else SLOT_WIDTH

    # --- placing ---------------------------------------------------------------------------

    def _place(self, scope: str | None, left: float, frames: Mapping[int, tuple[float, float]]) -> None:
        """Place a measured scope from ``left`` inside per-lane vertical frames ``(top, bottom)``."""
        grid = self.grids[scope]
        channel_y: dict[str, float] = {}
        usable: dict[int, tuple[float, float]] = {}
        for lane, (top, bottom) in frames.items():
            loops = grid.channels.get(lane, [])
            strip = CHANNEL_STEP * (len(loops) + 0.5) if loops else 0.0
            usable[lane] = (top, bottom - strip)
            for index, edge in enumerate(loops):
                channel_y[edge.flow_id] = bottom - strip + CHANNEL_STEP * (index + 1)
        count = len(grid.layer_widths)
        placed = PlacedScope(
            ordering=grid.ordering,
            edges=self.scope_edges.get(scope, []),
            layer_left=[],
            layer_right=[],
            gap_widths=[LEAD, *[COLUMN_GAP] * max(count - 1, 0), LEAD],
            channel_y=channel_y,
            slot_centre={},
        )
        self.placed[scope] = placed
        cursor = left + LEAD
        for cells, wide, width in zip(grid.shared, grid.spanning, grid.layer_widths, strict=True):
            placed.layer_left.append(cursor)
            placed.layer_right.append(cursor + width)
            if cells:
                column = max(self._slot_width(slot) for slots in cells.values() for slot in slots)
                for lane, slots in cells.items():
                    self._place_cell(placed, slots, cursor + column / 2, usable[lane])
                cursor += column + COLUMN_GAP
            for slot in wide:
                self._place_spanning(slot, cursor, usable)
                cursor += self.sizes[slot][0] + COLUMN_GAP
            cursor = placed.layer_right[-1] + COLUMN_GAP

    def _place_cell(
        self, placed: PlacedScope, slots: list[str], centre: float, frame: tuple[float, float]
    ) -> None:
        """Stack one lane's slots of a column, centred in the lane's frame.

        A slot alone in its cell centres its shape (not the room kept under it for
        boundary events), so a chain of steps in one lane lines up straight.
        """
        stack = sum(self._slot_height(slot) for slot in slots) + ROW_GAP * (len(slots) - 1)
        if len(slots) == 1:
            shown = stack - (BOUNDARY_RESERVE if self.structure.boundaries.get(slots[0]) else 0.0)
            y = min((frame[0] + frame[1] - shown) / 2, frame[1] - stack)
            y = max(y, frame[0])
        else:
            y = frame[0] + max(frame[1] - frame[0] - stack, 0.0) / 2
        for slot in slots:
            if slot not in self.sizes:
                placed.slot_centre[slot] = Point(centre, y + SLOT_HEIGHT / 2)
            elif self.structure.is_container(slot):
                self._place_compact(slot, centre, y)
            else:
                self._place_node(slot, centre, y)
            y += self._slot_height(slot) + ROW_GAP

    def _place_node(self, node_id: str, centre: float, top: float) -> None:
        node = self.definition.nodes[node_id]
        width, height = size_of(shape_of(node, is_boundary=node_id in self.structure.host_of))
        if self.structure.boundaries.get(node_id):
            width = self.sizes[node_id][0]
        self._put(node_id, Bounds(centre - width / 2, top, width, height))

    def _place_compact(self, node_id: str, centre: float, top: float) -> None:
        """A container in a single lane: as tall as its children need."""
        width = self.sizes[node_id][0]
        lane = self.spans[node_id][0]
        reserve = BOUNDARY_RESERVE if self.structure.boundaries.get(node_id) else 0.0
        box = Bounds(centre - width / 2, top, width, self.needs[node_id][lane] - reserve)
        self._put(node_id, box)
        inner_left = box.x + (width - self.grids[node_id].width) / 2
        self._place(node_id, inner_left, {lane: (box.y + CONTAINER_TOP, box.bottom - CONTAINER_BOTTOM)})

    def _place_spanning(self, node_id: str, left: float, usable: Mapping[int, tuple[float, float]]) -> None:
        """A container over several lanes: from the top of its first lane to the bottom of its last."""
        low, high = self.spans[node_id]
        reserve = BOUNDARY_RESERVE if self.structure.boundaries.get(node_id) else 0.0
        top, bottom = usable[low][0], usable[high][1] - reserve
        box = Bounds(left, top, self.sizes[node_id][0], bottom - top)
        self._put(node_id, box)
        frames = {lane: usable[lane] for lane in range(low, high + 1)}
        frames[low] = (top + CONTAINER_TOP, frames[low][1])
        frames[high] = (frames[high][0], bottom - CONTAINER_BOTTOM)
        self._place(node_id, box.x + (box.width - self.grids[node_id].width) / 2, frames)

    def _put(self, node_id: str, box: Bounds) -> None:
        self.shapes[node_id] = box
        boundaries = self.structure.boundaries.get(node_id, ())
        row = len(boundaries) * EVENT_SIZE + (len(boundaries) - 1) * BOUNDARY_GAP
        x = box.x + (box.width - row) / 2
        for boundary in boundaries:
            self.shapes[boundary] = Bounds(x, box.bottom - EVENT_SIZE / 2, EVENT_SIZE, EVENT_SIZE)
            x += EVENT_SIZE + BOUNDARY_GAP

    # --- routing ---------------------------------------------------------------------------

    def _route_all(self) -> dict[str, tuple[Point, ...]]:
        sources = {flow.id: flow.source for flow in self.definition.flows.values()}
        diamonds = frozenset(
            node_id
            for node_id, node in self.definition.nodes.items()
            if shape_of(node, is_container=self.structure.is_container(node_id)) in GATEWAYS
        )
        router = Router(shapes=self.shapes, structure=self.structure, sources=sources, diamonds=diamonds)
        scopes = list(self.placed.values())
        for index, placed in enumerate(scopes):
            router.route_scope(index, placed)
        for flow_id, source, target in self.stray:
            router.straight(flow_id, source, target)
        routes = router.finish(scopes)
        return {flow_id: routes[flow_id] for flow_id in self.definition.flows if flow_id in routes}

    # --- the whole ----------------------------------------------------------------------------

    def build(self) -> Layout:
        grid = self._measure(None)
        departments = self.plan.departments
        lane_count = max(len(departments), 1)
        heights = [
            max(MIN_LANE_HEIGHT if departments else 0.0, grid.need.get(lane, 0.0) + 2 * LANE_PADDING)
            for lane in range(lane_count)
        ]
        left = MARGIN + (LANE_HEADER if departments else 0.0)
        width = left + grid.width + MARGIN
        frames: dict[int, tuple[float, float]] = {}
        bands: list[Bounds] = []
        top = MARGIN
        for lane, height in enumerate(heights):
            frames[lane] = (top + LANE_PADDING, top + height - LANE_PADDING)
            bands.append(Bounds(MARGIN, top, width - 2 * MARGIN, height))
            top += height
        self._place(None, left, frames)
        lanes = tuple(
            Lane(department=department, label=department or UNASSIGNED_LABEL, bounds=band)
            for department, band in zip(departments, bands, strict=False)
        )
        ordered = {
            node_id: self.shapes[node_id] for node_id in self.definition.nodes if node_id in self.shapes
        }
        return Layout(
            shapes=MappingProxyType(ordered),
            edges=MappingProxyType(self._route_all()),
            lanes=lanes,
            width=width,
            height=top + MARGIN,
            lane_of=MappingProxyType(dict(self.plan.lane_of)),
        )
