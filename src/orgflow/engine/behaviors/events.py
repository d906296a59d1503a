"""Start, end and timer events.

A start event passes its token on at once. A none end event consumes the token
and, when it was the last one of its scope, finishes the scope. A terminate end
event cancels every token and open work item of its scope (nested subprocesses
included); at process level that ends the instance as ``terminated``, inside a
subprocess the subprocess completes and its parent path goes on (as in Camunda).
An error end event throws its error (:mod:`orgflow.engine.error_events`): the
scope it leaves is cancelled and the nearest matching error boundary outward
takes over.

A timer node parks its token and arms its timer; the runtime's job sends
``FireTimer`` when it is due (:mod:`orgflow.engine.timers`). A boundary timer or
error boundary is entered only by a token that its firing (or a caught error)
put there, which passes straight on.
"""

from __future__ import annotations

from orgflow.engine import error_events
from orgflow.engine.execution import Execution
from orgflow.engine.state import Token, TokenStatus
from orgflow.model.nodes import EndEvent, Node, TimerEvent


def enter_start(execution: Execution, token: Token, node: Node) -> None:
    """Pass straight through."""
    execution.leave_by_conditions(token)


def enter_end(execution: Execution, token: Token, node: Node) -> None:
    """Consume the token; finish the scope if it was the last (or if this is a terminate end).

    An error end throws instead: the scope does not finish, it is cancelled by the error.
    """
    execution.remove(token)
    if isinstance(node, EndEvent) and node.error is not None:
        error_events.throw(execution, token, node.error.code, node.error.message, from_activity=False)
        return
    if isinstance(node, EndEvent) and node.terminate:
        execution.terminate(token.scope, node.id)
        if token.scope is None:
            execution.end_instance_terminated(node.id)
            return
    execution.scope_may_be_done(token.scope, node.id, token.outcome)


def enter_timer(execution: Execution, token: Token, node: Node) -> None:
    """Wait for the node's timer."""
    assert isinstance(node, TimerEvent)
    parked = execution.park(token, TokenStatus.TIMER)
    execution.schedule_timer(node.id, node.timer, parked)
