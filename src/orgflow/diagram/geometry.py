"""Points and boxes of the diagram: SVG/BPMNDI coordinates, origin top left, y growing downwards."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Point:
    """A waypoint."""

    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Bounds:
    """An axis-aligned box: top-left corner and size."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """The x of the right border."""
        return self.x + self.width

    @property
    def bottom(self) -> float:
        """The y of the bottom border."""
        return self.y + self.height

    @property
    def centre(self) -> Point:
        """The middle of the box."""
        return Point(self.x + self.width / 2, self.y + self.height / 2)

    def overlaps(self, other: Bounds) -> bool:
        """The two boxes share some area (touching borders do not count)."""
        return (
            self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom
        )

    def contains(self, other: Bounds) -> bool:
        """The other box lies wholly inside this one (borders included)."""
        return (
            self.x <= other.x
            and other.right <= self.right
            and self.y <= other.y
            and other.bottom <= self.bottom
        )
