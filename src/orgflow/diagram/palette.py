"""The colours of a diagram: one per department lane, in lane order, and one per runtime state.

A fixed palette of light fills with dark strokes of the same hue: readable text
on every fill, distinguishable side by side, and stable (a department keeps its
colour as long as the lane order stays). Steps without a department are grey.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Colour:
    """A fill and the stroke/text colour that goes with it."""

    fill: str
    stroke: str


#: Department colours, assigned in lane order (the 11th department starts again at blue).
DEPARTMENT_COLOURS: tuple[Colour, ...] = (
    Colour("#dbeafe", "#1d4ed8"),  # blue
    Colour("#dcfce7", "#15803d"),  # green
    Colour("#fef3c7", "#b45309"),  # amber
    Colour("#ede9fe", "#6d28d9"),  # violet
    Colour("#ffe4e6", "#be123c"),  # rose
    Colour("#ccfbf1", "#0f766e"),  # teal
    Colour("#fae8ff", "#a21caf"),  # fuchsia
    Colour("#ecfccb", "#4d7c0f"),  # lime
    Colour("#e0e7ff", "#4338ca"),  # indigo
    Colour("#ffedd5", "#c2410c"),  # orange
)

#: Steps that name no department, and diagrams without lanes.
NEUTRAL = Colour("#f1f5f9", "#475569")

#: Runtime states (overlay), drawn as a ring and a badge on the node.
STATE_COLOURS = {
    "done": Colour("#dcfce7", "#15803d"),
    "active": Colour("#dbeafe", "#1d4ed8"),
    "overdue": Colour("#fee2e2", "#dc2626"),
    "returned": Colour("#ffedd5", "#ea580c"),
}

#: The symbol in each state's badge.
STATE_SYMBOLS = {"done": "✓", "active": "▶", "overdue": "!", "returned": "↩"}


def department_colours(departments: Sequence[str | None]) -> dict[str | None, Colour]:
    """Each lane's department's colour, in lane order; ``None`` (no department) is neutral."""
    colours: dict[str | None, Colour] = {None: NEUTRAL}
    named = [department for department in departments if department is not None]
    for index, department in enumerate(named):
        colours[department] = DEPARTMENT_COLOURS[index % len(DEPARTMENT_COLOURS)]
    return colours
