"""The shape each node is drawn as, and its size, recognised so that unknown kinds still draw.

Known kinds map to their BPMN shapes. A kind added later is recognised by what
it carries (``attached_to``: a boundary event; children: a subprocess; an
``error``: an error end) or by its class name (``…EndEvent``, ``…Event``,
``CallActivity``); anything else is a plain task box,
so a new node kind never breaks the layout or the picture.
"""

from __future__ import annotations

from enum import StrEnum

from orgflow.model.nodes import (
    BoundaryTimer,
    EndEvent,
    ExclusiveGateway,
    Gateway,
    InclusiveGateway,
    Node,
    ParallelGateway,
    ServiceTask,
    StartEvent,
    SubProcess,
    TimerEvent,
    UserTask,
)


class Shape(StrEnum):
    """What a node looks like on the diagram."""

    START = "start"
    END = "end"
    TERMINATE = "terminate"
    ERROR_END = "error_end"
    TIMER = "timer"
    BOUNDARY = "boundary"
    EVENT = "event"
    USER_TASK = "user_task"
    SERVICE_TASK = "service_task"
    CALL = "call"
    TASK = "task"
    EXCLUSIVE = "exclusive"
    PARALLEL = "parallel"
    INCLUSIVE = "inclusive"
    GATEWAY = "gateway"
    SUBPROCESS = "subprocess"


#: Shapes drawn as circles.
EVENTS = frozenset(
    {Shape.START, Shape.END, Shape.TERMINATE, Shape.ERROR_END, Shape.TIMER, Shape.BOUNDARY, Shape.EVENT}
)
#: Shapes drawn as diamonds.
GATEWAYS = frozenset({Shape.EXCLUSIVE, Shape.PARALLEL, Shape.INCLUSIVE, Shape.GATEWAY})

EVENT_SIZE = 36.0
GATEWAY_SIZE = 50.0
TASK_WIDTH = 100.0
TASK_HEIGHT = 80.0

_KNOWN: tuple[tuple[type[Node], Shape], ...] = (
    (BoundaryTimer, Shape.BOUNDARY),
    (StartEvent, Shape.START),
    (TimerEvent, Shape.TIMER),
    (UserTask, Shape.USER_TASK),
    (ServiceTask, Shape.SERVICE_TASK),
    (ExclusiveGateway, Shape.EXCLUSIVE),
    (ParallelGateway, Shape.PARALLEL),
    (InclusiveGateway, Shape.INCLUSIVE),
    (Gateway, Shape.GATEWAY),
    (SubProcess, Shape.SUBPROCESS),
)


def shape_of(node: Node, *, is_container: bool = False, is_boundary: bool = False) -> Shape:
    """The shape of a node; ``is_container``/``is_boundary`` come from the definition's structure."""
    if isinstance(node, EndEvent) or type(node).__name__.endswith("EndEvent"):
        if getattr(node, "error", None) is not None:
            return Shape.ERROR_END
        return Shape.TERMINATE if getattr(node, "terminate", False) else Shape.END
    for kind, shape in _KNOWN:
        if isinstance(node, kind):
            return shape
    if is_boundary:
        return Shape.BOUNDARY
    if is_container:
        return Shape.SUBPROCESS
    name = type(node).__name__
    if name == "CallActivity":
        return Shape.CALL
    if name.endswith("StartEvent"):
        return Shape.START
    if name.endswith("Event"):
        return Shape.EVENT
    return Shape.TASK


def size_of(shape: Shape) -> tuple[float, float]:
    """Width and height of a shape in BPMN's usual sizes (containers are sized by their children)."""
    if shape in EVENTS:
        return EVENT_SIZE, EVENT_SIZE
    if shape in GATEWAYS:
        return GATEWAY_SIZE, GATEWAY_SIZE
    return TASK_WIDTH, TASK_HEIGHT
