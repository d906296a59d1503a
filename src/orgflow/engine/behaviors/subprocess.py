"""Embedded subprocesses: a scope of its own, finished when its last token ends.

The token that enters the subprocess waits at the subprocess node (status
``scope``); a child token whose ``scope`` is the waiting token's id starts at
the subprocess's start event. When no token is left in that scope, the waiting
token leaves the subprocess node along its outgoing flows.
"""

from __future__ import annotations

from orgflow.engine.execution import Execution
from orgflow.engine.state import Token, TokenStatus
from orgflow.model.nodes import Node


def enter_subprocess(execution: Execution, token: Token, node: Node) -> None:
    """Open the scope and start its start event."""
    parked = execution.park(token, TokenStatus.SCOPE)
    start = execution.definition.start_of(node.id)
    execution.arrive(
        Token(
            id=execution.new_token_id(),
            node_id=start,
            status=TokenStatus.MOVING,
            scope=parked.id,
            last_task=parked.last_task,
        )
    )
