"""User and service tasks: wait states that end when a person or a handler reports back.

A user task resolves its assignment rule against the org snapshot
(:mod:`orgflow.engine.assignment`) and opens work for what it found:

- a candidate group (a department's members, a role's holders): one shared
  work item that any member may claim or complete;
- one person: one personal work item;
- several people (a form field listing them): one work item each, and the
  first to act decides for all (或签); the others' items are withdrawn.

A task with ``countersign`` gives each person found their own item (a
group's members are named one by one): ``any`` (或签) as above, ``all``
(会签) and ``in_turn`` (依次审批) with a :class:`~orgflow.engine.state.Signoff`
recording the votes (see :mod:`orgflow.engine.countersign`). Without an org
chart a group's members cannot be named, so the group shares one item.

When the rule finds nobody, the task's ``on_empty`` (or the definition's
policy) decides: stop the instance with the reason, pass the step by, or give
it to the fallback assignee or to the administrators. A rule that names
something the org does not know always stops the instance: that is a
configuration mistake, and routing around it would hide it.

A multi-instance task runs all this once per instance
(:mod:`orgflow.engine.multi_instance`): the rule is resolved over the
instance's view of the data, so ``loopCounter`` and the element variable can
pick a different person for each instance.

A service task asks the runtime to call its handler; the engine never calls code itself.
"""

from __future__ import annotations

from orgflow.engine.assignment import Resolution, resolve
from orgflow.engine.countersign import decide, next_in_turn
from orgflow.engine.effects import CountersignDecided, ServiceCallRequested, TaskAutoApproved, TaskSkipped
from orgflow.engine.execution import Execution
from orgflow.engine.state import Signoff, Token, TokenStatus, TrailEntry, WorkItem
from orgflow.model.assignment_rules import CountersignMode, EmptyPolicy, RoleRule
from orgflow.model.nodes import Node, ServiceTask, UserTask
from orgflow.org.model import ADMINISTRATOR_ROLE


def enter_user_task(execution: Execution, token: Token, node: Node) -> None:
    """Open work for whoever the assignment rule finds, or apply the empty-result policy."""
    assert isinstance(node, UserTask)
    parked = execution.park(token, TokenStatus.TASK)
    found = _resolve(execution, parked, node)
    if found.error is not None:
        execution.fail(parked, f"节点「{node.label}」的处理人规则（{node.assignee}）无法执行：{found.error}")
        return
    if found.empty is not None:
        _nobody(execution, parked, node, found.empty)
        return
    reason = _approves_itself(execution, node, found)
    if reason is not None:
        user = found.users[0]
        execution.effects.append(
            TaskAutoApproved(node_id=node.id, token_id=parked.id, user=user, reason=reason)
        )
        execution.trail.append(TrailEntry(node.id, user, "approve"))
        leave_task(execution, parked.id, node, "approve", user)
        return
    open_work(execution, parked, node, found)


def _approves_itself(execution: Execution, node: UserTask, found: Resolution) -> str | None:
    """Why a one-person approval passes by itself under the definition's policy, if it does."""
    policy = execution.definition.policy
    if not (policy.skip_initiator or policy.skip_repeat_approver):
        return None
    if len(found.users) != 1 or found.group is not None or found.groups or "approve" not in node.outcomes:
        return None
    if node.countersign.mode is not CountersignMode.SINGLE:
        return None
    user = found.users[0]
    if policy.skip_initiator and user == execution.state.initiator:
        return "审批人即发起人，自动通过"
    if policy.skip_repeat_approver and any(
        entry.actor == user and entry.outcome == "approve" for entry in execution.trail
    ):
        return "审批人已在本流程中审批通过，自动通过（自动去重）"
    return None


def open_work(execution: Execution, token: Token, node: UserTask, found: Resolution) -> None:
    """Open the work items a resolution calls for at a waiting token, as the task's mode asks."""
    mode = node.countersign.mode
    if found.groups:  # several candidates (AnyOfRule): an item for each group and each person
        for group in found.groups:
            execution.open_work_item(token, assignee=None, group=group)
        for user in found.users:
            execution.open_work_item(token, assignee=user, group=None)
        return
    if found.group is not None and (mode is CountersignMode.SINGLE or not found.users):
        execution.open_work_item(token, assignee=None, group=found.group)
        return
    if mode in (CountersignMode.ALL, CountersignMode.IN_TURN):
        signoff = Signoff(token.id, node.id, mode.value, found.users)
        execution.signoffs[token.id] = signoff
        turn = found.users if mode is CountersignMode.ALL else found.users[:1]
        for user in turn:
            execution.open_work_item(token, assignee=user, group=None)
        return
    for user in found.users:
        execution.open_work_item(token, assignee=user, group=None)


def _resolve(execution: Execution, token: Token, node: UserTask) -> Resolution:
    if node.assignee is None:  # refused at deploy; kept total for hand-built definitions
        return Resolution(empty="节点没有处理人规则")
    state = execution.state
    return resolve(node.assignee, execution.org, initiator=state.initiator, data=execution.context_of(token))


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
        found = resolve(stand_in, execution.org, initiator=state.initiator, data=execution.context_of(token))
        if found.found:
            open_work(execution, token, node, found)
            return
        reason = f"{reason}；备用处理人（{stand_in}）也找不到：{found.error or found.empty}"
    execution.fail(token, f"节点「{node.label}」找不到处理人：{reason}")


def complete_task(
    execution: Execution, item: WorkItem, node: UserTask, actor: str | None, outcome: str
) -> None:
    """A work item of the task was completed: count it, and leave the task once the step is decided."""
    execution.trail.append(TrailEntry(node.id, actor, outcome))
    signoff = execution.signoffs.get(item.token_id) if execution.signoffs else None
    if signoff is None:
        # Several people were asked and one has decided (或签): withdraw the others' items.
        for other in execution.work_items.values():
            if other.token_id == item.token_id:
                execution.cancel_work_items(
                    {item.token_id}, f"已由 {execution.org.name_of(actor or '')} 处理"
                )
                break
        leave_task(execution, item.token_id, node, outcome, actor)
        return
    signer = item.on_behalf_of or item.assignee or actor or ""
    votes = (*signoff.votes, (signer, outcome))
    settle(
        execution, node, signoff._replace(votes=votes), actor, "会签" if signoff.mode == "all" else "依次审批"
    )


def settle(execution: Execution, node: UserTask, signoff: Signoff, actor: str | None, what: str) -> None:
    """After a vote or a change of signers: wait for more (opening the next turn), or leave decided."""
    token_id = signoff.token_id
    decided = decide(signoff, node.countersign)
    if decided is None:
        execution.signoffs[token_id] = signoff
        turn = next_in_turn(signoff) if signoff.mode == CountersignMode.IN_TURN else None
        if turn is not None and not any(item.token_id == token_id for item in execution.work_items.values()):
            execution.open_work_item(execution.tokens[token_id], assignee=turn, group=None)
        return
    del execution.signoffs[token_id]
    execution.cancel_work_items({token_id}, f"{what}已有结果")
    execution.effects.append(
        CountersignDecided(
            node_id=node.id, token_id=token_id, outcome=decided, signers=signoff.signers, votes=signoff.votes
        )
    )
    leave_task(execution, token_id, node, decided, actor)


def leave_task(execution: Execution, token_id: str, node: UserTask, outcome: str, actor: str | None) -> None:
    """Leave a decided task with its outcome; after a "direct" return, go straight back to who returned it."""
    token = execution.tokens[token_id]
    moved = Token(
        token.id,
        token.node_id,
        token.status,
        token.scope,
        token.arrived_by,
        outcome,
        node.id,
        None,
        token.loop,
        token.local,
    )
    back = token.return_to
    if back is not None and back in execution.definition.nodes:
        execution.jump(moved, back, actor)
        return
    execution.tokens[token.id] = moved
    execution.leave_by_conditions(moved, actor)


def enter_service_task(execution: Execution, token: Token, node: Node) -> None:
    """Wait for the runtime to run the handler and report its result."""
    assert isinstance(node, ServiceTask)
    parked = execution.park(token, TokenStatus.SERVICE)
    execution.effects.append(ServiceCallRequested(token_id=parked.id, node_id=node.id, handler=node.handler))
