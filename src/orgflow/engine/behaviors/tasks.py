"""User and service tasks: wait states that end when a person or a handler reports back.

A user task opens one work item, for its user or, failing that, its department
(a candidate group whose members share it). A service task asks the runtime to
call its handler; the engine never calls code itself.
"""

from __future__ import annotations

from orgflow.engine.effects import ServiceCallRequested
from orgflow.engine.execution import Execution
from orgflow.engine.state import Token, TokenStatus
from orgflow.model.nodes import Node, ServiceTask, UserTask


def enter_user_task(execution: Execution, token: Token, node: Node) -> None:
    """Wait for a work item to be completed."""
    assert isinstance(node, UserTask)
    parked = execution.park(token, TokenStatus.TASK)
    assignee = node.assignee
    user = assignee.user if assignee is not None else None
    department = assignee.department if assignee is not None else None
    if user is None and department is None:
        department = node.department
    execution.open_work_item(parked, assignee=user, department=department)


def enter_service_task(execution: Execution, token: Token, node: Node) -> None:
    """Wait for the runtime to run the handler and report its result."""
    assert isinstance(node, ServiceTask)
    parked = execution.park(token, TokenStatus.SERVICE)
    execution.effects.append(ServiceCallRequested(token_id=parked.id, node_id=node.id, handler=node.handler))
