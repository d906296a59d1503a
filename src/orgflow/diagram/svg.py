"""A process definition as a standalone SVG: BPMN-like shapes in department swimlanes, with a legend.

Seed 002 asks for flowcharts whose colours tell the departments apart: each
lane gets a colour from :mod:`orgflow.diagram.palette` in lane order, its steps
are filled with it, and the legend lists every department with that colour.
Every task shows its time limit (时限). With an :class:`~orgflow.diagram.overlay.Overlay`
the steps of one instance are ringed and badged by state (done, active,
overdue, returned), the flows it went along are drawn strong and the rest
faded, and the legend lists the states.

The document is built with ElementTree (so every name is escaped) and carries
its own ``<style>``; each node's group has ``id="node-<id>"`` and
``data-node-id``, each flow's ``data-flow-id``, for tests and the web UI.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import pairwise

from orgflow.diagram.geometry import Bounds, Point
from orgflow.diagram.layout import Layout
from orgflow.diagram.layout import layout as layout_of
from orgflow.diagram.overlay import URGENCY, Overlay
from orgflow.diagram.palette import NEUTRAL, STATE_COLOURS, STATE_SYMBOLS, Colour, department_colours
from orgflow.diagram.shapes import EVENT_SIZE, EVENTS, GATEWAYS, Shape, shape_of
from orgflow.diagram.structure import Structure, structure_of
from orgflow.diagram.svg_marks import (
    LINE,
    diamond_points,
    draw_bolt,
    draw_clock,
    draw_default_slash,
    draw_gear_icon,
    draw_line,
    draw_rect,
    draw_text,
    draw_user_icon,
    draw_vertical_text,
    kind_text,
    multi_marker,
    num,
    path_data,
)
from orgflow.diagram.text import shortened, text_width, wrapped
from orgflow.diagram.wording import Wording, wording
from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.nodes import Node

TITLE_HEIGHT = 44.0
LEGEND_GAP = 16.0
LEGEND_ROW = 24.0
NAME_SIZE = 12.0
SMALL_SIZE = 10.0
LABEL_SIZE = 11.0
NOTE_SIZE = 9.5
FLOW_LABEL_WIDTH = 96.0
FADED = "#94a3b8"

STYLE = """
svg { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
      "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; }
.title { font-size: 18px; font-weight: 600; fill: #0f172a; }
.lane-label { font-size: 13px; font-weight: 600; }
.name { font-size: 12px; fill: #0f172a; }
.limit { font-size: 10px; }
.label { font-size: 11px; fill: #1e293b; }
.flow-label { font-size: 11px; fill: #334155; paint-order: stroke; stroke: #ffffff; stroke-width: 3px;
              stroke-linejoin: round; }
.note { font-size: 9.5px; }
.flow path.line { fill: none; stroke: #334155; stroke-width: 1.4; }
.flow.taken path.line { stroke: #15803d; stroke-width: 2.4; }
.flow.untaken { opacity: 0.45; }
.node.untouched { opacity: 0.5; }
.legend-heading { font-size: 12px; font-weight: 600; fill: #0f172a; }
.legend-text { font-size: 12px; fill: #1e293b; }
.badge { font-size: 11px; font-weight: 700; fill: #ffffff; }
"""


def render_svg(
    definition: ProcessDefinition,
    *,
    layout: Layout | None = None,
    overlay: Overlay | None = None,
    locale: str = "zh-CN",
) -> str:
    """Draw a definition (and optionally one instance's states) as an SVG document.

    Args:
        definition: What to draw.
        layout: Where things go; laid out automatically when not given.
        overlay: One instance's node states and taken flows, drawn over the definition.
        locale: ``zh-CN`` (default) or ``en`` for the words the diagram adds.

    Raises:
        ConfigurationError: An unknown locale.
    """
    words = wording(locale)
    drawn = layout if layout is not None else layout_of(definition)
    return _Renderer(definition, drawn, overlay, words).render()


class _Renderer:
    """Builds the SVG tree: lanes, containers, flows, nodes, then title and legend."""

    def __init__(
        self, definition: ProcessDefinition, drawn: Layout, overlay: Overlay | None, words: Wording
    ) -> None:
        self.definition = definition
        self.drawn = drawn
        self.overlay = overlay
        self.words = words
        self.structure: Structure = structure_of(definition)
        self.colours = department_colours([lane.department for lane in drawn.lanes])

    # --- the document ------------------------------------------------------------------------

    def render(self) -> str:
        legend_items = self._legend_entries()
        width = max(self.drawn.width, text_width(self.definition.name, 18) + 40, 320.0)
        legend_height = self._legend_height(legend_items, width)
        height = TITLE_HEIGHT + self.drawn.height + legend_height
        root = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "version": "1.1",
                "width": num(width),
                "height": num(height),
                "viewBox": f"0 0 {num(width)} {num(height)}",
                "data-definition-key": self.definition.key,
            },
        )
        ET.SubElement(root, "title").text = self.definition.name
        ET.SubElement(root, "style").text = STYLE
        self._markers(ET.SubElement(root, "defs"))
        ET.SubElement(
            root, "rect", {"x": "0", "y": "0", "width": num(width), "height": num(height), "fill": "#fff"}
        )
        title = ET.SubElement(root, "text", {"class": "title", "x": "20", "y": "30"})
        title.text = self.definition.name
        diagram = ET.SubElement(
            root, "g", {"class": "diagram", "transform": f"translate(0 {num(TITLE_HEIGHT)})"}
        )
        self._lanes(ET.SubElement(diagram, "g", {"class": "lanes"}))
        containers = ET.SubElement(diagram, "g", {"class": "containers"})
        flows = ET.SubElement(diagram, "g", {"class": "flows"})
        nodes = ET.SubElement(diagram, "g", {"class": "nodes"})
        for node_id in self._by_depth():
            node = self.definition.nodes[node_id]
            parent = containers if self.structure.is_container(node_id) else nodes
            self._node(parent, node)
        for flow in self.definition.flows.values():
            if flow.id in self.drawn.edges:
                self._flow(flows, flow)
        self._legend(root, legend_items, TITLE_HEIGHT + self.drawn.height + LEGEND_GAP, width)
        ET.indent(root, space=" ")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    def _by_depth(self) -> list[str]:
        """Outer containers first, so what lies inside is drawn over them."""
        placed = [node_id for node_id in self.definition.nodes if node_id in self.drawn.shapes]
        return sorted(placed, key=lambda node_id: len(self.structure.ancestors(node_id)))

    def _markers(self, defs: ET.Element) -> None:
        for name, colour in (("arrow", LINE), ("arrow-taken", STATE_COLOURS["done"].stroke)):
            marker = ET.SubElement(
                defs,
                "marker",
                {
                    "id": name,
                    "viewBox": "0 0 10 10",
                    "refX": "10",
                    "refY": "5",
                    "markerWidth": "7",
                    "markerHeight": "7",
                    "orient": "auto-start-reverse",
                    "markerUnits": "userSpaceOnUse",
                },
            )
            ET.SubElement(marker, "path", {"d": "M0,0 L10,5 L0,10 z", "fill": colour})

    # --- lanes -------------------------------------------------------------------------------

    def _lanes(self, parent: ET.Element) -> None:
        for lane in self.drawn.lanes:
            colour = self.colours[lane.department]
            group = ET.SubElement(parent, "g", {"class": "lane", "data-department": lane.department or ""})
            box = lane.bounds
            draw_rect(group, box, fill=colour.fill, stroke="#cbd5e1", extra={"fill-opacity": "0.28"})
            header = Bounds(box.x, box.y, 36.0, box.height)
            draw_rect(group, header, fill=colour.fill, stroke="#cbd5e1")
            label = lane.label if lane.department is not None else self.words.unassigned
            draw_vertical_text(group, label, header, colour.stroke)

    # --- nodes -------------------------------------------------------------------------------

    def _colour_of(self, node_id: str) -> Colour:
        if not self.drawn.lanes:
            return NEUTRAL
        lane = self.drawn.lanes[self.drawn.lane_of.get(node_id, 0)]
        return self.colours[lane.department]

    def _node(self, parent: ET.Element, node: Node) -> None:
        box = self.drawn.shapes[node.id]
        shape = shape_of(
            node,
            is_container=self.structure.is_container(node.id),
            is_boundary=node.id in self.structure.host_of,
        )
        colour = self._colour_of(node.id)
        department = (
            self.drawn.lanes[self.drawn.lane_of.get(node.id, 0)].department if self.drawn.lanes else None
        )
        attributes = {
            "id": f"node-{node.id}",
            "class": f"node {shape.value}",
            "data-node-id": node.id,
            "data-kind": kind_text(node),
            "data-department": department or "",
        }
        state = self.overlay.state_of(node.id) if self.overlay is not None else None
        if self.overlay is not None:
            attributes["class"] += f" state-{state.value}" if state is not None else " untouched"
            if state is not None:
                attributes["data-state"] = state.value
        group = ET.SubElement(parent, "g", attributes)
        note = self.overlay.notes.get(node.id, "") if self.overlay is not None else ""
        ET.SubElement(group, "title").text = node.label + (f"\n{note}" if note else "")
        if shape in EVENTS:
            self._event(group, node, shape, box)
        elif shape in GATEWAYS:
            self._gateway(group, node, shape, box)
        elif shape is Shape.SUBPROCESS:
            self._container(group, node, box, colour)
        else:
            self._task(group, node, shape, box, colour)
        if state is not None:
            self._state_mark(group, shape, box, state.value)
            if note and shape not in EVENTS and shape not in GATEWAYS:
                # above the box: flows come in from the left or (loop-backs) from below
                shown = shortened(note, box.width - 6, NOTE_SIZE)
                text = draw_text(group, box.x - 3, box.y - 9, shown, "note")
                text.set("fill", STATE_COLOURS[state.value].stroke)

    def _task(self, group: ET.Element, node: Node, shape: Shape, box: Bounds, colour: Colour) -> None:
        width = "3.5" if shape is Shape.CALL else "1.6"
        draw_rect(
            group, box, fill=colour.fill, stroke=colour.stroke, extra={"rx": "10", "stroke-width": width}
        )
        if shape is Shape.USER_TASK:
            draw_user_icon(group, box.x + 8, box.y + 7, colour.stroke)
        elif shape is Shape.SERVICE_TASK:
            draw_gear_icon(group, box.x + 13, box.y + 13, colour.stroke)
        marker = multi_marker(node)
        if marker:
            draw_text(group, box.right - 8, box.y + 15, marker, "limit").set("text-anchor", "end")
        limit = getattr(node, "time_limit", None)
        limit_text = self.words.limit(limit) if limit is not None else ""
        # boundary events sit on the bottom border: keep the text above them
        bottom = box.bottom - (EVENT_SIZE / 2 if self.structure.boundaries.get(node.id) else 0.0)
        limit_y = bottom - 8
        name_bottom = limit_y - 12 if limit_text else bottom - 4
        room = max(int((name_bottom - box.y - 12) // 14), 1)
        lines = wrapped(node.label, box.width - 14, NAME_SIZE, min(2 if limit_text else 3, room))
        middle = (box.y + 16 + name_bottom) / 2
        first = middle - (len(lines) - 1) * 7 + 4
        for index, line in enumerate(lines):
            draw_text(group, box.centre.x, first + index * 14, line, "name").set("text-anchor", "middle")
        if limit_text:
            shown = shortened(limit_text, box.width - 4, SMALL_SIZE)
            text = draw_text(group, box.centre.x, limit_y, shown, "limit")
            text.set("text-anchor", "middle")
            text.set("fill", colour.stroke)
            text.set("data-time-limit", "")

    def _event(self, group: ET.Element, node: Node, shape: Shape, box: Bounds) -> None:
        centre, radius = box.centre, box.width / 2
        stroke_width = {Shape.END: "4", Shape.TERMINATE: "4", Shape.ERROR_END: "4"}.get(shape, "1.6")
        outline = {"cx": num(centre.x), "cy": num(centre.y), "r": num(radius), "fill": "#fff", "stroke": LINE}
        outline["stroke-width"] = stroke_width
        if shape is Shape.BOUNDARY and getattr(node, "interrupting", True) is False:
            outline["stroke-dasharray"] = "4 3"
        ET.SubElement(group, "circle", outline)
        if shape in (Shape.TIMER, Shape.BOUNDARY, Shape.EVENT):
            inner = dict(outline, r=num(radius - 3.5), fill="none")
            ET.SubElement(group, "circle", inner)
        if shape is Shape.TERMINATE:
            ET.SubElement(group, "circle", {"cx": num(centre.x), "cy": num(centre.y), "r": "9", "fill": LINE})
        if shape is Shape.ERROR_END or (shape is Shape.BOUNDARY and "Error" in type(node).__name__):
            draw_bolt(group, centre, LINE)
        elif shape in (Shape.TIMER, Shape.BOUNDARY) and getattr(node, "timer", None) is not None:
            draw_clock(group, centre, radius - 7)
        elif shape is Shape.BOUNDARY:
            draw_bolt(group, centre, LINE)
        if shape is not Shape.BOUNDARY and node.name:
            lines = wrapped(node.name, 84, LABEL_SIZE, 2)
            for index, line in enumerate(lines):
                draw_text(group, centre.x, box.bottom + 14 + index * 13, line, "label").set(
                    "text-anchor", "middle"
                )

    def _gateway(self, group: ET.Element, node: Node, shape: Shape, box: Bounds) -> None:
        c = box.centre
        half = box.width / 2
        corners = diamond_points(c, half)
        ET.SubElement(
            group, "polygon", {"points": corners, "fill": "#fff", "stroke": LINE, "stroke-width": "1.6"}
        )
        mark = {"stroke": LINE, "stroke-width": "3", "stroke-linecap": "round"}
        size = half * 0.36
        if shape is Shape.EXCLUSIVE:
            draw_line(group, Point(c.x - size, c.y - size), Point(c.x + size, c.y + size), mark)
            draw_line(group, Point(c.x - size, c.y + size), Point(c.x + size, c.y - size), mark)
        elif shape is Shape.PARALLEL:
            draw_line(group, Point(c.x, c.y - size * 1.3), Point(c.x, c.y + size * 1.3), mark)
            draw_line(group, Point(c.x - size * 1.3, c.y), Point(c.x + size * 1.3, c.y), mark)
        elif shape is Shape.INCLUSIVE:
            ring = {"cx": num(c.x), "cy": num(c.y), "r": num(size * 1.2), "fill": "none"}
            ET.SubElement(group, "circle", ring | {"stroke": LINE, "stroke-width": "2.5"})
        if node.name:
            label = shortened(node.name, 120, LABEL_SIZE)
            top, bottom = self._corners_in_use(node.id, box)
            if not top:
                draw_text(group, c.x, box.y - 7, label, "label").set("text-anchor", "middle")
            elif not bottom:
                draw_text(group, c.x, box.bottom + 15, label, "label").set("text-anchor", "middle")
            else:
                draw_text(group, c.x + 14, box.y - 4, label, "label")

    def _corners_in_use(self, node_id: str, box: Bounds) -> tuple[bool, bool]:
        """Whether a flow leaves or enters by the top corner, and by the bottom one."""
        ends = [
            point
            for flow in self.definition.flows.values()
            if node_id in (flow.source, flow.target) and flow.id in self.drawn.edges
            for point in (self.drawn.edges[flow.id][0], self.drawn.edges[flow.id][-1])
        ]
        centre = box.centre.x
        top = any(abs(point.x - centre) < 1e-6 and abs(point.y - box.y) < 1e-6 for point in ends)
        bottom = any(abs(point.x - centre) < 1e-6 and abs(point.y - box.bottom) < 1e-6 for point in ends)
        return top, bottom

    def _container(self, group: ET.Element, node: Node, box: Bounds, colour: Colour) -> None:
        extra = {"rx": "12", "stroke-width": "1.6", "stroke-dasharray": "7 4", "fill-opacity": "0.35"}
        draw_rect(group, box, fill=colour.fill, stroke=colour.stroke, extra=extra)
        label = shortened(node.label, box.width - 24, NAME_SIZE)
        name = draw_text(group, box.x + 12, box.y + 21, label, "name")
        name.set("font-weight", "600")
        marker = multi_marker(node)
        if marker:
            draw_text(group, box.right - 10, box.y + 21, marker, "limit").set("text-anchor", "end")

    def _state_mark(self, group: ET.Element, shape: Shape, box: Bounds, state: str) -> None:
        """A ring round the node and a badge with the state's symbol."""
        colour = STATE_COLOURS[state]
        ring = {"fill": "none", "stroke": colour.stroke, "stroke-width": "3", "class": "state-ring"}
        if shape in EVENTS:
            centre = box.centre
            ET.SubElement(
                group,
                "circle",
                ring | {"cx": num(centre.x), "cy": num(centre.y), "r": num(box.width / 2 + 4)},
            )
            badge = Point(box.right, box.y)
        elif shape in GATEWAYS:
            c, half = box.centre, box.width / 2 + 6
            corners = diamond_points(c, half)
            ET.SubElement(group, "polygon", ring | {"points": corners})
            badge = Point(c.x + half / 2 + 4, c.y - half / 2 - 4)
        else:
            outer = Bounds(box.x - 4, box.y - 4, box.width + 8, box.height + 8)
            draw_rect(group, outer, fill="none", stroke=colour.stroke, extra=ring | {"rx": "13"})
            badge = Point(box.right, box.y)
        ET.SubElement(
            group,
            "circle",
            {"cx": num(badge.x), "cy": num(badge.y), "r": "9", "fill": colour.stroke, "class": "badge-dot"},
        )
        draw_text(group, badge.x, badge.y + 4, STATE_SYMBOLS[state], "badge").set("text-anchor", "middle")

    # --- flows -------------------------------------------------------------------------------

    def _flow(self, parent: ET.Element, flow: Flow) -> None:
        points = self.drawn.edges[flow.id]
        attributes = {"class": "flow", "data-flow-id": flow.id, "id": f"flow-{flow.id}"}
        taken = self.overlay is not None and flow.id in self.overlay.taken
        if self.overlay is not None:
            attributes["class"] += " taken" if taken else " untaken"
        group = ET.SubElement(parent, "g", attributes)
        path = path_data([(point.x, point.y) for point in points])
        marker = "url(#arrow-taken)" if taken else "url(#arrow)"
        ET.SubElement(group, "path", {"class": "line", "d": path, "marker-end": marker})
        if self._is_default(flow) and len(points) >= 2:
            draw_default_slash(group, points[0], points[1])
        label = self._flow_label(flow)
        if label:
            self._place_flow_label(group, label, points)

    def _is_default(self, flow: Flow) -> bool:
        return getattr(self.definition.nodes.get(flow.source), "default_flow", None) == flow.id

    def _flow_label(self, flow: Flow) -> str:
        if flow.name:
            return shortened(flow.name, FLOW_LABEL_WIDTH, LABEL_SIZE)
        if flow.condition is not None:
            return shortened(flow.condition.source, FLOW_LABEL_WIDTH, LABEL_SIZE)
        return ""

    def _place_flow_label(self, group: ET.Element, label: str, points: Sequence[Point]) -> None:
        """On the first horizontal run long enough for it (else the longest), near its start, above it."""
        needed = text_width(label, LABEL_SIZE) + 10
        runs = [(a, b) for a, b in pairwise(points) if abs(a.y - b.y) < 1e-6 and abs(a.x - b.x) > 1e-6]
        if not runs:
            start, end = points[0], points[1]
            draw_text(group, start.x + 5, (start.y + end.y) / 2, label, "flow-label")
            return
        fitting = [run for run in runs if abs(run[1].x - run[0].x) >= needed]
        start, end = fitting[0] if fitting else max(runs, key=lambda run: abs(run[1].x - run[0].x))
        text = draw_text(group, start.x + (6 if end.x > start.x else -6), start.y - 5, label, "flow-label")
        text.set("text-anchor", "start" if end.x > start.x else "end")

    # --- legend ------------------------------------------------------------------------------

    def _legend_entries(self) -> list[tuple[str, str, Colour, str]]:
        """``(kind, key, colour, text)`` per legend entry: departments, then (with an overlay) states."""
        entries = [
            ("department", lane.department or "", self.colours[lane.department], lane.label)
            for lane in self.drawn.lanes
            if lane.department is not None
        ]
        if self.overlay is not None:
            for state in reversed(URGENCY):
                entries.append(
                    ("state", state.value, STATE_COLOURS[state.value], self.words.state_names[state])
                )
        return entries

    def _legend_rows(self, entries: list[tuple[str, str, Colour, str]], width: float) -> list[list[int]]:
        """Entry indexes per row: a heading starts each kind, entries wrap at the width."""
        rows: list[list[int]] = []
        used: float = width
        previous = ""
        for index, (kind, _, _, text) in enumerate(entries):
            item = 30 + text_width(text, 12)
            if kind != previous or used + item > width - 20:
                rows.append([])
                used = 20 + self._heading_width()
                previous = kind
            rows[-1].append(index)
            used += item
        return rows

    def _heading_width(self) -> float:
        """Room for the legend's headings, in either language."""
        return max(text_width(self.words.departments, 12), text_width(self.words.states, 12)) + 18

    def _legend_height(self, entries: list[tuple[str, str, Colour, str]], width: float) -> float:
        rows = self._legend_rows(entries, width)
        return LEGEND_GAP + len(rows) * LEGEND_ROW + (LEGEND_GAP if rows else 0)

    def _legend(
        self, root: ET.Element, entries: list[tuple[str, str, Colour, str]], top: float, width: float
    ) -> None:
        if not entries:
            return
        legend = ET.SubElement(root, "g", {"class": "legend"})
        headings = {"department": self.words.departments, "state": self.words.states}
        y = top
        for row in self._legend_rows(entries, width):
            kind = entries[row[0]][0]
            draw_text(legend, 20, y + 12, headings[kind], "legend-heading")
            x = 20 + self._heading_width()
            for index in row:
                _, key, colour, text = entries[index]
                item = ET.SubElement(
                    legend, "g", {"class": f"legend-item legend-{kind}", f"data-{kind}": key}
                )
                if kind == "state":
                    swatch = {
                        "cx": num(x + 7),
                        "cy": num(y + 8),
                        "r": "8",
                        "fill": colour.stroke,
                        "class": "swatch",
                    }
                    ET.SubElement(item, "circle", swatch)
                    draw_text(item, x + 7, y + 12, STATE_SYMBOLS[key], "badge").set("text-anchor", "middle")
                else:
                    draw_rect(
                        item,
                        Bounds(x, y, 16, 16),
                        fill=colour.fill,
                        stroke=colour.stroke,
                        extra={"rx": "3", "class": "swatch"},
                    )
                draw_text(item, x + 22, y + 12, text, "legend-text")
                x += 30 + text_width(text, 12)
            y += LEGEND_ROW


# --- drawing primitives ------------------------------------------------------------------------
