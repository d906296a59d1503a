"""Business errors (BPMN errors): thrown, propagated outward through scopes, caught by error boundaries.

An error is thrown by an error end event, by a service task's handler (the
runtime reports it with ``ThrowError``), by a called child that did not catch
it, or at a user task (``ThrowError`` on its token). The search for a catcher
starts at the activity that threw (a service task, call activity or user task;
for an error end event, the subprocess around it) and goes outward scope by
scope, as in Camunda: at each activity an error boundary naming the code wins
over one that catches any code. The activity that catches it is cancelled as a
whole, like an interrupting timer: its tokens, open work items, timers and
called children, nested subprocesses and multi-instance instances included;
its token then takes the boundary's path. An instance of a multi-instance
activity has no boundaries of its own: the activity as a whole has them.

Uncaught, a child instance ends (``terminated``) and the error goes on to its
caller's call activity (``ErrorEscalated``); a top-level instance stops as
``failed`` with the node and the code recorded, like an exclusive gateway with
no way out, and its other paths stay where they are. (Camunda 7 ends the path
silently when an error end event's error is not caught; OrgFlow stops instead,
so a lost error is seen.)
"""

from __future__ import annotations

from orgflow.engine.effects import ErrorCaught, ErrorEscalated, ErrorThrown, InstanceEnded
from orgflow.engine.execution import Execution
from orgflow.engine.state import InstanceStatus, Token


def throw(execution: Execution, token: Token, code: str, message: str, *, from_activity: bool) -> None:
    """Throw an error at ``token``'s node and let the nearest matching error boundary outward catch it.

    Args:
        execution: The command in progress.
        token: The token at the throwing node (already removed for an error end event).
        code: The error code.
        message: Its text, may be empty.
        from_activity: The token's own activity threw (its boundaries are tried first); else an
            end event inside a scope did, and the search starts at the scope.
    """
    definition = execution.definition
    execution.effects.append(
        ErrorThrown(node_id=token.node_id, token_id=token.id, code=code, message=message)
    )
    candidate = token if from_activity else _outer(execution, token)
    while candidate is not None:
        boundary = definition.catcher(candidate.node_id, code) if candidate.loop is None else None
        if boundary is not None:
            activity = definition.nodes[candidate.node_id]
            reason = f"错误 {code} 由「{boundary.label}」捕获，「{activity.label}」已取消"
            execution.interrupt(candidate, boundary, reason)
            execution.effects.append(
                ErrorCaught(
                    node_id=boundary.id,
                    attached_to=activity.id,
                    token_id=candidate.id,
                    code=code,
                    message=message,
                )
            )
            caught = {}
            if boundary.code_variable is not None:
                caught[boundary.code_variable] = code
            if boundary.message_variable is not None:
                caught[boundary.message_variable] = message
            execution.merge_data(caught)
            return
        candidate = _outer(execution, candidate)
    _uncaught(execution, token, code, message)


def _outer(execution: Execution, token: Token) -> Token | None:
    """The token of the scope (subprocess, multi-instance activity) a token runs in."""
    return execution.tokens.get(token.scope) if token.scope is not None else None


def _uncaught(execution: Execution, token: Token, code: str, message: str) -> None:
    """Nothing caught it: hand it to the caller, or stop the instance with the node and code recorded."""
    label = execution.definition.nodes[token.node_id].label
    detail = f"：{message}" if message else ""
    if execution.state.caller is not None:
        execution.discard(list(execution.tokens.values()), f"错误 {code} 未被捕获，交给调用方")
        execution.effects.append(ErrorEscalated(node_id=token.node_id, code=code, message=message))
        if execution.status is InstanceStatus.RUNNING:
            execution.status = InstanceStatus.TERMINATED
            execution.effects.append(InstanceEnded(status=InstanceStatus.TERMINATED, node_id=token.node_id))
        return
    execution.fail(token, f"节点「{label}」抛出错误 {code}{detail}，没有边界事件捕获它")
