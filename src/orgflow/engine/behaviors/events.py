"""Start and end events.

A start event passes its token on at once. A none end event consumes the token
and, when it was the last one of its scope, finishes the scope. A terminate end
event cancels every token and open work item of its scope (nested subprocesses
included); at process level that ends the instance as ``terminated``, inside a
subprocess the subprocess completes and its parent path goes on (as in Camunda).
"""

from __future__ import annotations

from orgflow.engine.execution import Execution
from orgflow.engine.state import Token
from orgflow.model.nodes import EndEvent, Node


def enter_start(execution: Execution, token: Token, node: Node) -> None:
    """Pass straight through."""
    execution.leave_by_conditions(token)


def enter_end(execution: Execution, token: Token, node: Node) -> None:
    """Consume the token; finish the scope if it was the last (or if this is a terminate end)."""
    execution.remove(token)
    if isinstance(node, EndEvent) and node.terminate:
        execution.terminate(token.scope, node.id)
        if token.scope is None:
            execution.end_instance_terminated(node.id)
            return
    execution.scope_may_be_done(token.scope, node.id, token.outcome)
