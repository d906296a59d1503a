"""Orthogonal routes for the flows of a placed diagram, bending only in the gaps between columns.

A forward flow leaves its source's right border (a boundary event: its bottom,
then a short stub), runs horizontally through the slot reserved for it in each
column it crosses, and changes height only in the gaps between columns. A
loop-back goes down into a channel kept free at the bottom of a lane, runs
left underneath, and comes up into the target, from below when nothing is in
the way, else through the gap before it. Vertical runs that share a gap get
their own track, so unrelated flows never run on top of each other; flows
that fork from one point or merge into one node share theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from orgflow.diagram.geometry import Bounds, Point
from orgflow.diagram.layering import Edge, Ordering
from orgflow.diagram.structure import Structure

BOUNDARY_STUB = 12.0
STUB_STEP = 6.0
TRACK_STEP = 9.0
#: Vertical runs closer than this count as overlapping.
TRACK_CLEARANCE = 6.0
EPSILON = 1e-6


@dataclass(kw_only=True)
class PlacedScope:
    """What routing needs of one placed scope.

    Attributes:
        ordering: The scope's layers, chains and loop-backs.
        edges: The flows of the scope, in declared order.
        layer_left: Per layer, the x of its left side.
        layer_right: Per layer, the x of its right side.
        gap_widths: Per gap (0: before the first layer, i: before layer i, last: after the last).
        channel_y: Per loop-back flow, the y of the channel it runs back in.
        slot_centre: Per placeholder, the centre of its slot.
    """

    ordering: Ordering
    edges: Sequence[Edge]
    layer_left: list[float]
    layer_right: list[float]
    gap_widths: list[float]
    channel_y: dict[str, float]
    slot_centre: dict[str, Point]

    def gap_centre(self, gap: int) -> float:
        """The middle of a gap between columns."""
        if gap < len(self.layer_left):
            return self.layer_left[gap] - self.gap_widths[gap] / 2
        return self.layer_right[-1] + self.gap_widths[gap] / 2


@dataclass(kw_only=True)
class _Vertical:
    """A vertical run of one flow in one gap: points ``index`` and ``index + 1`` of its route."""

    flow_id: str
    index: int
    low: float
    high: float
    source: str
    target: str


class Router:
    """Routes every flow of a placed diagram."""

    def __init__(
        self,
        *,
        shapes: Mapping[str, Bounds],
        structure: Structure,
        sources: Mapping[str, str],
        diamonds: frozenset[str] = frozenset(),
    ) -> None:
        """Set up routing.

        Args:
            shapes: Every placed node.
            structure: Nesting and boundary events.
            sources: Each flow's real source (a boundary event rather than its host).
            diamonds: The gateways, whose branches may leave by a corner.
        """
        self.shapes = shapes
        self.structure = structure
        self.sources = sources
        self.diamonds = diamonds
        self.routes: dict[str, list[Point]] = {}
        self.looping: set[str] = set()
        self.verticals: dict[tuple[int, int], list[_Vertical]] = {}

    def route_scope(self, scope_index: int, placed: PlacedScope) -> None:
        """Route the flows of one scope (tracks are assigned later, over all of them)."""
        self.looping = {edge.source for edge in placed.ordering.loop_backs}
        for edge in placed.edges:
            if edge.flow_id in placed.ordering.chains:
                self._forward(scope_index, placed, edge)
            else:
                self._loop_back(scope_index, placed, edge)

    def finish(self, scopes: Sequence[PlacedScope]) -> dict[str, tuple[Point, ...]]:
        """Spread the vertical runs over tracks; the routes, simplified."""
        for (scope_index, gap), runs in sorted(self.verticals.items()):
            self._assign_tracks(scopes[scope_index].gap_centre(gap), runs)
        return {flow_id: _simplified(points) for flow_id, points in self.routes.items()}

    def straight(self, flow_id: str, source: str, target: str) -> None:
        """A flow the layering could not place (its ends in one container): a plain line."""
        start, end = self.shapes[source], self.shapes[target]
        self.routes[flow_id] = [Point(start.right, start.centre.y), Point(end.x, end.centre.y)]

    def _departure(self, flow_id: str, member: str) -> list[Point]:
        """Where a flow leaves: the right border, or below a boundary event under its host."""
        source = self.sources[flow_id]
        box = self.shapes[source]
        if source == member:
            return [Point(box.right, box.centre.y)]
        siblings = self.structure.boundaries.get(member, ())
        later = len(siblings) - 1 - siblings.index(source) if source in siblings else 0
        stub = BOUNDARY_STUB + STUB_STEP * min(later, 2)
        return [Point(box.centre.x, box.bottom), Point(box.centre.x, box.bottom + stub)]

    def _vertical(
        self,
        key: tuple[int, int],
        flow_id: str,
        points: list[Point],
        x: float,
        y: float,
        ends: tuple[str, str],
    ) -> None:
        """Append a run down/up to ``y`` in a gap, remembered for track assignment."""
        before = points[-1].y
        points += [Point(x, before), Point(x, y)]
        run = _Vertical(
            flow_id=flow_id,
            index=len(points) - 2,
            low=min(before, y),
            high=max(before, y),
            source=ends[0],
            target=ends[1],
        )
        self.verticals.setdefault(key, []).append(run)

    def _forward(self, scope_index: int, placed: PlacedScope, edge: Edge) -> None:
        chain = placed.ordering.chains[edge.flow_id]
        layer_of = placed.ordering.layer_of
        points = self._departure(edge.flow_id, edge.source)
        first = chain[1]
        first_y = placed.slot_centre[first].y if first in placed.slot_centre else self.shapes[first].centre.y
        if self.sources[edge.flow_id] in self.diamonds:
            gap_x = placed.gap_centre(layer_of[edge.source] + 1)
            points = self._from_vertex(edge, first_y, gap_x) or points
        for left, right in pairwise(chain):
            gap = layer_of[left] + 1
            y = placed.slot_centre[right].y if right in placed.slot_centre else self.shapes[right].centre.y
            departing = self.sources[edge.flow_id] if left == edge.source else left
            self._vertical(
                (scope_index, gap), edge.flow_id, points, placed.gap_centre(gap), y, (departing, right)
            )
        target = self.shapes[edge.target]
        points.append(Point(target.x, target.centre.y))
        self.routes[edge.flow_id] = points

    def _from_vertex(self, edge: Edge, y: float, gap_x: float) -> list[Point] | None:
        """A gateway's branch above or below it leaves by the top or bottom corner when the way is free."""
        box = self.shapes[edge.source]
        if abs(y - box.centre.y) < EPSILON or (y > box.centre.y and edge.source in self.looping):
            return None  # level, or the bottom corner is where the loop-back leaves
        corner = Point(box.centre.x, box.y if y < box.centre.y else box.bottom)
        bend = Point(box.centre.x, y)
        ends = {edge.source, edge.target}
        if self._clear(corner, bend, ends) and self._clear(bend, Point(gap_x, y), ends):
            return [corner, bend]
        return None

    def _loop_back(self, scope_index: int, placed: PlacedScope, edge: Edge) -> None:
        """Back underneath: down to the loop's channel, left, and up into the target."""
        layer_of = placed.ordering.layer_of
        channel = placed.channel_y[edge.flow_id]
        source = self.sources[edge.flow_id]
        start, target = self.shapes[source], self.shapes[edge.target]
        down = Point(start.centre.x, start.bottom), Point(start.centre.x, channel)
        if source == edge.source and self._clear(*down, {source}):
            points = [Point(start.centre.x, start.bottom), Point(start.centre.x, channel)]
        else:
            points = self._departure(edge.flow_id, edge.source)
            gap = layer_of[edge.source] + 1
            ends = (f"loop:{edge.flow_id}", f"loop:{edge.flow_id}")
            self._vertical((scope_index, gap), edge.flow_id, points, placed.gap_centre(gap), channel, ends)
        if self._clear(Point(target.centre.x, channel), Point(target.centre.x, target.bottom), {edge.target}):
            points += [Point(target.centre.x, channel), Point(target.centre.x, target.bottom)]
        else:
            gap = layer_of[edge.target]
            ends = (f"loop:{edge.flow_id}", edge.target)
            self._vertical(
                (scope_index, gap), edge.flow_id, points, placed.gap_centre(gap), target.centre.y, ends
            )
            points.append(Point(target.x, target.centre.y))
        self.routes[edge.flow_id] = points

    def _clear(self, a: Point, b: Point, ends: set[str]) -> bool:
        """An axis-aligned run meets no shape but the flow's ends and their containers.

        An end with boundary events never counts as clear below it.
        """
        if any(self.structure.boundaries.get(end) for end in ends):
            return False
        skip = set(ends)
        for end in ends:
            skip.update(scope for scope in self.structure.ancestors(end) if scope is not None)
        return not any(_meets(a, b, box) for node_id, box in self.shapes.items() if node_id not in skip)

    def _assign_tracks(self, centre: float, runs: list[_Vertical]) -> None:
        """Greedy interval colouring: a run takes the first track where nothing unrelated overlaps it."""
        tracks: list[list[_Vertical]] = []
        for run in sorted(runs, key=lambda run: (run.low, run.high, run.flow_id)):
            for track in tracks:
                if all(_compatible(run, other) for other in track):
                    track.append(run)
                    break
            else:
                tracks.append([run])
        for number, track in enumerate(tracks):
            x = centre + (number - (len(tracks) - 1) / 2) * TRACK_STEP
            for run in track:
                points = self.routes[run.flow_id]
                for index in (run.index, run.index + 1):
                    points[index] = Point(x, points[index].y)


def _meets(a: Point, b: Point, box: Bounds) -> bool:
    """An axis-aligned run passes through (or along the inside of) a box, with a little room to spare."""
    low_x, high_x = sorted((a.x, b.x))
    low_y, high_y = sorted((a.y, b.y))
    room = 4.0
    return (
        box.x - room < high_x
        and low_x < box.right + room
        and box.y - room < high_y
        and low_y < box.bottom + room
    )


def _compatible(run: _Vertical, other: _Vertical) -> bool:
    """Two runs may share a track: one fork, one merge, or far enough apart."""
    if run.source == other.source or run.target == other.target:
        return True
    return run.high + TRACK_CLEARANCE < other.low or other.high + TRACK_CLEARANCE < run.low


def _simplified(points: list[Point]) -> tuple[Point, ...]:
    """Drop repeated points and the middle of three on one straight line."""
    kept: list[Point] = []
    for point in points:
        if kept and abs(kept[-1].x - point.x) < 1e-9 and abs(kept[-1].y - point.y) < 1e-9:
            continue
        if len(kept) >= 2 and _collinear(kept[-2], kept[-1], point):
            kept[-1] = point
        else:
            kept.append(point)
    return tuple(kept)


def _collinear(a: Point, b: Point, c: Point) -> bool:
    same_x = abs(a.x - b.x) < 1e-9 and abs(b.x - c.x) < 1e-9
    same_y = abs(a.y - b.y) < 1e-9 and abs(b.y - c.y) < 1e-9
    return same_x or same_y
