"""Walks over a process graph that more than one part of OrgFlow needs.

The engine's inclusive joins and the diagram's layering both cut loops at the
same place: the flows that close a loop, met going back along a depth-first
walk. One walk serves both, over whatever edges each gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)
Edge = TypeVar("Edge")


def loop_closing(
    roots: Iterable[Node], ways_out: Callable[[Node], Iterable[Edge]], target: Callable[[Edge], Node]
) -> list[Edge]:
    """The edges that return to a node on the current depth-first path (self-loops included).

    Args:
        roots: Where walks start, in order; a root already reached from an earlier one is skipped.
        ways_out: A node's outgoing edges, in the order to follow them.
        target: The node an edge enters.

    Returns:
        The loop-closing edges, in the order the walk meets them.
    """
    back: list[Edge] = []
    done: set[Node] = set()
    for root in roots:
        if root in done:
            continue
        on_path = {root}
        stack: list[tuple[Node, Iterator[Edge]]] = [(root, iter(ways_out(root)))]
        while stack:
            node, pending = stack[-1]
            edge = next(pending, None)
            if edge is None:
                stack.pop()
                on_path.discard(node)
                done.add(node)
                continue
            entered = target(edge)
            if entered in on_path:
                back.append(edge)
            elif entered not in done:
                on_path.add(entered)
                stack.append((entered, iter(ways_out(entered))))
    return back
