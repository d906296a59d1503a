"""The small pieces a diagram is drawn with: numbers, paths, boxes, text, icons and BPMN markers.

Kept apart from :mod:`orgflow.diagram.svg`, which decides what goes where;
these only know how to write one mark into an ElementTree element.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from orgflow.diagram.geometry import Bounds, Point
from orgflow.diagram.text import shortened, text_width
from orgflow.model.nodes import Node

#: The colour of lines, outlines and icons drawn in no department's colour.
LINE = "#334155"
#: Font size of a lane's name in its header.
LANE_LABEL_SIZE = 13.0


def num(value: float) -> str:
    """A coordinate as short text (``12``, ``12.5``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def path_data(points: Sequence[tuple[float, float]]) -> str:
    """Path data through the points: ``M x,y L x,y …``."""
    return "M" + " L".join(f"{num(x)},{num(y)}" for x, y in points)


def diamond_points(centre: Point, half: float) -> str:
    """Polygon points of a diamond round a centre."""
    x, y = centre.x, centre.y
    return (
        f"{num(x)},{num(y - half)} {num(x + half)},{num(y)} {num(x)},{num(y + half)} {num(x - half)},{num(y)}"
    )


def draw_rect(
    parent: ET.Element, box: Bounds, *, fill: str, stroke: str, extra: dict[str, str] | None = None
) -> ET.Element:
    """A rectangle over ``box``."""
    attributes = {
        "x": num(box.x),
        "y": num(box.y),
        "width": num(box.width),
        "height": num(box.height),
        "fill": fill,
        "stroke": stroke,
    }
    return ET.SubElement(parent, "rect", attributes | (extra or {}))


def draw_text(parent: ET.Element, x: float, y: float, content: str, css: str) -> ET.Element:
    """A text element at ``(x, y)`` with a CSS class."""
    element = ET.SubElement(parent, "text", {"x": num(x), "y": num(y), "class": css})
    element.text = content
    return element


def draw_line(parent: ET.Element, a: Point, b: Point, style: dict[str, str]) -> None:
    """A straight line from ``a`` to ``b``."""
    ET.SubElement(parent, "line", {"x1": num(a.x), "y1": num(a.y), "x2": num(b.x), "y2": num(b.y)} | style)


def draw_vertical_text(parent: ET.Element, label: str, header: Bounds, colour: str) -> None:
    """A lane's name down its header: Chinese one character under the other, Latin turned a quarter."""
    size = LANE_LABEL_SIZE
    if any(text_width(char, size) >= size for char in label):
        fits = max(int((header.height - 16) // (size * 1.2)), 1)
        chars = list(label) if len(label) <= fits else [*label[: fits - 1], "…"]
        top = header.centre.y - (len(chars) - 1) * size * 0.6 + size * 0.35
        text = ET.SubElement(parent, "text", {"class": "lane-label", "fill": colour, "text-anchor": "middle"})
        for index, char in enumerate(chars):
            span = ET.SubElement(
                text, "tspan", {"x": num(header.centre.x), "y": num(top + index * size * 1.2)}
            )
            span.text = char
        return
    shown = shortened(label, header.height - 16, size)
    centre = header.centre
    text = ET.SubElement(
        parent,
        "text",
        {
            "class": "lane-label",
            "fill": colour,
            "text-anchor": "middle",
            "x": num(centre.x + size * 0.35),
            "y": num(centre.y),
            "transform": f"rotate(-90 {num(centre.x + size * 0.35)} {num(centre.y)})",
        },
    )
    text.text = shown


def draw_user_icon(parent: ET.Element, x: float, y: float, colour: str) -> None:
    """A small person: head and shoulders."""
    ET.SubElement(
        parent,
        "circle",
        {
            "cx": num(x + 6),
            "cy": num(y + 4),
            "r": "3.2",
            "fill": "none",
            "stroke": colour,
            "stroke-width": "1.3",
        },
    )
    shoulders = f"M{num(x)},{num(y + 14)} Q{num(x + 6)},{num(y + 5.5)} {num(x + 12)},{num(y + 14)}"
    ET.SubElement(parent, "path", {"d": shoulders, "fill": "none", "stroke": colour, "stroke-width": "1.3"})


def draw_gear_icon(parent: ET.Element, x: float, y: float, colour: str) -> None:
    """A small gear: a toothed ring round a hole."""
    teeth = {
        "cx": num(x),
        "cy": num(y),
        "r": "5.5",
        "fill": "none",
        "stroke": colour,
        "stroke-width": "3",
        "stroke-dasharray": "2.2 2.1",
    }
    ET.SubElement(parent, "circle", teeth)
    ET.SubElement(
        parent,
        "circle",
        {"cx": num(x), "cy": num(y), "r": "3.6", "fill": "none", "stroke": colour, "stroke-width": "1.3"},
    )


def draw_clock(parent: ET.Element, centre: Point, radius: float) -> None:
    """A clock face (timer events)."""
    face = {
        "cx": num(centre.x),
        "cy": num(centre.y),
        "r": num(radius),
        "fill": "#fff",
        "stroke": LINE,
        "stroke-width": "1.2",
    }
    ET.SubElement(parent, "circle", face)
    x, y = centre.x, centre.y
    hands = path_data([(x, y - radius * 0.7), (x, y), (x + radius * 0.55, y)])
    ET.SubElement(parent, "path", {"d": hands, "fill": "none", "stroke": LINE, "stroke-width": "1.2"})


def draw_bolt(parent: ET.Element, centre: Point, colour: str) -> None:
    """BPMN's error marker: a zigzag."""
    x, y = centre.x, centre.y
    zigzag = (
        path_data(
            [(x - 7, y + 7), (x - 3, y - 6), (x + 2, y + 2), (x + 7, y - 8), (x + 3, y + 7), (x - 2, y - 1)]
        )
        + " z"
    )
    ET.SubElement(
        parent,
        "path",
        {"d": zigzag, "fill": "none", "stroke": colour, "stroke-width": "1.5", "stroke-linejoin": "round"},
    )


def draw_default_slash(parent: ET.Element, start: Point, towards: Point) -> None:
    """BPMN's default-flow mark: a short slash across the flow just after its start."""
    horizontal = abs(start.y - towards.y) < 1e-6
    step = 10.0 if (towards.x > start.x if horizontal else towards.y > start.y) else -10.0
    at = Point(start.x + step, start.y) if horizontal else Point(start.x, start.y + step)
    draw_line(
        parent, Point(at.x - 4, at.y + 5), Point(at.x + 4, at.y - 5), {"stroke": LINE, "stroke-width": "1.4"}
    )


def multi_marker(node: Node) -> str:
    """``|||`` for parallel multi-person work (会签/或签), ``≡`` for one after another (依次)."""
    multi = getattr(node, "multi", None)
    if multi is not None:
        return "≡" if getattr(multi, "sequential", False) else "|||"
    mode = getattr(getattr(node, "countersign", None), "mode", None)
    if mode is None or getattr(mode, "value", mode) == "single":
        return ""
    return "≡" if getattr(mode, "value", mode) == "in_turn" else "|||"


def kind_text(node: Node) -> str:
    """A node's kind as text, for unknown kinds too (drawn as a plain task)."""
    try:
        return str(node.kind)
    except NotImplementedError:
        return type(node).__name__
