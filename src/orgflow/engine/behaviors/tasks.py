"""User and service tasks: wait states that end when a person or a handler reports back.

A user task resolves its assignment rule against the org snapshot
(:mod:`orgflow.engine.assignment`) and opens work for what it found:

- a candidate group (a department's members, a role's holders): one shared
  work item that any member may claim or complete;
- one person: one personal work item;
- several people (a form field listing them): one work item each, and the
  first to act decides for all (或签); the others' items are withdrawn.

When the rule finds nobody, the task's ``on_empty`` (or the definition's
policy) decides: stop the instance with the reason, pass the step by, or give
it to the fallback assignee or to the administrators. A rule that names
something the org does not know always stops the instance: that is a
configuration mistake, and routing around it would hide it.

A service task asks the runtime to call its handler; the engine never calls code itself.
"""

from __future__ import annotations

from orgflow.engine.assignment import Resolution, resolve
from orgflow.engine.effects import ServiceCallRequested, TaskSkipped
from orgflow.engine.execution import Execution
from orgflow.engine.state import Token, TokenStatus
from orgflow.model.assignment_rules import EmptyPolicy, RoleRule
from orgflow.model.nodes import Node, ServiceTask, UserTask
from orgflow.org.model import ADMINISTRATOR_ROLE


def enter_user_task(execution: Execution, token: Token, node: Node) -> None:
    """Open work for whoever the assignment rule finds, or apply the empty-result policy."""
    assert isinstance(node, UserTask)
    parked = execution.park(token, TokenStatus.TASK)
    found = _resolve(execution, node)
    if found.error is not None:
        execution.fail(parked, f"节点「{node.label}」的处理人规则（{node.assignee}）无法执行：{found.error}")
        return
    if found.empty is not None:
        _nobody(execution, parked, node, found.empty)
        return
    open_work(execution, parked, found)


def open_work(execution: Execution, token: Token, found: Resolution) -> None:
    """Open the work items a resolution calls for at a waiting token."""
    if found.group is not None:
        execution.open_work_item(token, assignee=None, group=found.group)
        return
    for user in found.users:
        execution.open_work_item(token, assignee=user, group=None)


def _resolve(execution: Execution, node: UserTask) -> Resolution:
    if node.assignee is None:  # refused at deploy; kept total for hand-built definitions
        return Resolution(empty="节点没有处理人规则")
    state = execution.state
    return resolve(node.assignee, execution.org, initiator=state.initiator, data=execution.data)


def _nobody(execution: Execution, token: Token, node: UserTask, reason: str) -> None:
    """Apply the empty-result policy of the task, else of the definition."""
    policy = execution.definition.policy
    choice = node.on_empty or policy.on_empty
    if choice is EmptyPolicy.SKIP:
        execution.effects.append(TaskSkipped(node_id=node.id, token_id=token.id, reason=reason))
        execution.leave_by_conditions(token)
        return
    stand_in = None
    if choice is EmptyPolicy.FALLBACK and policy.fallback is not None:
        stand_in = policy.fallback
    elif choice is EmptyPolicy.ADMIN:
        stand_in = RoleRule(role=ADMINISTRATOR_ROLE)
    if stand_in is not None:
        state = execution.state
        found = resolve(stand_in, execution.org, initiator=state.initiator, data=execution.data)
        if found.found:
            open_work(execution, token, found)
            return
        reason = f"{reason}；备用处理人（{stand_in}）也找不到：{found.error or found.empty}"
    execution.fail(token, f"节点「{node.label}」找不到处理人：{reason}")


def enter_service_task(execution: Execution, token: Token, node: Node) -> None:
    """Wait for the runtime to run the handler and report its result."""
    assert isinstance(node, ServiceTask)
    parked = execution.park(token, TokenStatus.SERVICE)
    execution.effects.append(ServiceCallRequested(token_id=parked.id, node_id=node.id, handler=node.handler))
