"""Call activities (调用子流程): start a child instance of another definition and wait for it to end.

The engine stays pure: arriving at a call activity, the token waits (status
``call``) and the engine asks for a child (``CallRequested``: the definition key,
its version or ``None`` for the newest, the input data and the child's id). The
runtime starts the child in the same transaction, with a link back to this
token; when the child ends, the runtime answers ``CompleteCall`` with the
child's final data, from which the output mappings are taken, and the token
goes on. An error the child does not catch comes back as ``ThrowError`` on the
token, so the call activity's error boundaries catch it. Cancelling the call
activity (terminate, a boundary, an error, a withdrawal) cancels the child:
the engine says so with ``CallCancelled``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orgflow.engine.effects import CallCompleted, CallRequested
from orgflow.engine.execution import Execution
from orgflow.engine.state import Token, TokenStatus
from orgflow.errors import ExpressionError
from orgflow.model.data_mappings import map_data
from orgflow.model.nodes import CallActivity, Node


def enter_call(execution: Execution, token: Token, node: Node) -> None:
    """Work out the child's input data and ask the runtime for the child."""
    assert isinstance(node, CallActivity)
    try:
        data = map_data(node.inputs, execution.context_of(token))
    except ExpressionError as error:
        execution.fail(token, f"调用活动「{node.label}」的输入无法计算：{error}")
        return
    child = execution.ids.new_id()
    execution.park(token._replace(called=child), TokenStatus.CALL)
    execution.effects.append(
        CallRequested(
            token_id=token.id,
            node_id=node.id,
            instance_id=child,
            key=node.called,
            version=node.version,
            data=data,
        )
    )


def complete_call(execution: Execution, token: Token, child_data: Mapping[str, Any]) -> None:
    """The child ended: take its outputs into the data and leave the call activity."""
    node = execution.definition.nodes[token.node_id]
    assert isinstance(node, CallActivity)
    try:
        outputs = map_data(node.outputs, child_data)
    except ExpressionError as error:
        execution.fail(token, f"调用活动「{node.label}」的输出无法计算：{error}")
        return
    execution.effects.append(
        CallCompleted(token_id=token.id, node_id=node.id, instance_id=token.called or "", data=outputs)
    )
    done = token._replace(called=None)
    execution.tokens[token.id] = done
    execution.submit(token.id, outputs)
    execution.leave_by_conditions(execution.tokens[token.id])
