"""One behaviour per node kind, registered by node class in ``BEHAVIOURS``.

Each behaviour says what happens when a token arrives at a node of its kind.
Where OrgFlow differs from the BPMN 2.0 specification, the module docstring says so.
"""

from __future__ import annotations

from collections.abc import Mapping

from orgflow.engine.behaviors import calls, events, gateways, subprocess, tasks
from orgflow.engine.execution import Behaviour
from orgflow.model.nodes import (
    BoundaryError,
    BoundaryTimer,
    CallActivity,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    Node,
    ParallelGateway,
    ServiceTask,
    StartEvent,
    SubProcess,
    TimerEvent,
    UserTask,
)

BEHAVIOURS: Mapping[type[Node], Behaviour] = {
    StartEvent: events.enter_start,
    EndEvent: events.enter_end,
    UserTask: tasks.enter_user_task,
    ServiceTask: tasks.enter_service_task,
    ExclusiveGateway: gateways.enter_exclusive,
    ParallelGateway: gateways.enter_parallel,
    InclusiveGateway: gateways.enter_inclusive,
    SubProcess: subprocess.enter_subprocess,
    TimerEvent: events.enter_timer,
    BoundaryTimer: events.enter_start,  # its firing put the token there: pass straight on
    BoundaryError: events.enter_start,  # a caught error put the token there: pass straight on
    CallActivity: calls.enter_call,
}

__all__ = ["BEHAVIOURS", "gateways"]
