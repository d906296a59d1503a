"""Firing a timer (``FireTimer``): a timer node moves on, a boundary timer interrupts or starts a side path.

- A timer node: its token leaves along the node's flows.
- An interrupting boundary timer (超时): the activity is cancelled as a whole (its
  work items and multi-person step; for a subprocess every token, work item and
  timer inside, nested subprocesses included), and the token goes on along the
  boundary's flows instead.
- A non-interrupting boundary timer (提醒): a new token goes along the boundary's
  flows and the activity stays as it is; a cycle arms its next round (with a new
  timer id) until its repetitions run out.

A timer that is no longer pending (fired, cancelled, or a spent round) is
refused with ``TIMER_NOT_PENDING``: for the runtime that means nothing to do.
Rounds of a cycle are counted from the previous round's due moment when it is
known, so a late fire does not push later rounds back.
"""

from __future__ import annotations

from datetime import datetime

from orgflow.engine.behaviors import BEHAVIOURS
from orgflow.engine.behaviors.gateways import inclusive_join_check
from orgflow.engine.commands import FireTimer
from orgflow.engine.effects import Rejection, RejectionReason, TimerFired, Transition
from orgflow.engine.execution import Execution
from orgflow.engine.state import InstanceState, PendingTimer, Token, TokenStatus
from orgflow.ids import IdSource
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import BoundaryTimer
from orgflow.org.model import OrgSnapshot


def fire_timer(
    definition: ProcessDefinition,
    state: InstanceState,
    command: FireTimer,
    now: datetime,
    ids: IdSource,
    org: OrgSnapshot,
) -> Transition | Rejection:
    """Act on a due timer, or refuse if it is no longer pending."""
    timer = state.timer(command.timer_id)
    if timer is None:
        return Rejection(
            reason=RejectionReason.TIMER_NOT_PENDING,
            message=f"定时器 {command.timer_id} 已不在等待中（已触发或已取消），无需处理",
        )
    execution = Execution(definition, state, now, ids, BEHAVIOURS, org)
    del execution.timers[timer.id]
    execution.effects.append(TimerFired(timer_id=timer.id, node_id=timer.node_id, token_id=timer.token_id))
    node = definition.nodes[timer.node_id]
    token = execution.tokens[timer.token_id]
    if not isinstance(node, BoundaryTimer):
        execution.leave_by_conditions(token)
    elif node.interrupting:
        _interrupt(execution, node, token)
    else:
        _side_path(execution, node, timer, token)
    execution.run(inclusive_join_check)
    return Transition(state=execution.freeze(), effects=tuple(execution.effects))


def _interrupt(execution: Execution, boundary: BoundaryTimer, token: Token) -> None:
    """Cancel the activity with everything inside it; the token takes the boundary's path."""
    activity = execution.definition.nodes[boundary.attached_to]
    execution.interrupt(token, boundary, f"边界定时器「{boundary.label}」触发，「{activity.label}」已中断")


def _side_path(execution: Execution, boundary: BoundaryTimer, timer: PendingTimer, token: Token) -> None:
    """Start a new token down the boundary's path; arm a cycle's next round."""
    if boundary.timer.cycle is not None:
        after = timer.due_at or execution.now
        execution.schedule_timer(boundary.id, boundary.timer, token, fired=timer.fired + 1, after=after)
    execution.arrive(
        Token(
            execution.new_token_id(),
            boundary.id,
            TokenStatus.MOVING,
            token.scope,
            None,
            token.outcome,
            token.last_task,
        )
    )
