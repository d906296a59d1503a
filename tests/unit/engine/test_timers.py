from __future__ import annotations

from datetime import timedelta

from orgflow.engine.commands import FireTimer, ReturnWorkItem, WithdrawInstance
from orgflow.engine.effects import (
    InstanceEnded,
    NodePassed,
    Rejection,
    RejectionReason,
    TimerCancelled,
    TimerFired,
    TimerScheduled,
    WorkItemCancelled,
)
from orgflow.engine.state import InstanceStatus, TokenStatus

from .conftest import NOW


def of(effects, kind):
    return [effect for effect in effects if type(effect) is kind]


def pending(state, node_id):
    found = [timer for timer in state.timers if timer.node_id == node_id]
    assert len(found) == 1, f"expected one timer at {node_id}, have {state.timers}"
    return found[0]


WAIT = """
key: wait
name: 等待
nodes:
  - {id: start, type: start, next: wait}
  - {id: wait, type: timer, name: 等待供应商, timer: {duration: {hours: 48}}, next: check}
  - {id: check, type: user_task, assignee: {user: zhang}, next: end}
  - {id: end, type: end}
"""


def test_an_intermediate_timer_holds_the_token_until_it_fires(walk):
    walker = walk(WAIT)
    state = walker.start()
    (token,) = state.tokens
    assert (token.node_id, token.status) == ("wait", TokenStatus.TIMER)
    timer = pending(state, "wait")
    assert (timer.token_id, timer.fired, timer.due_at) == (token.id, 0, NOW + timedelta(hours=48))
    (scheduled,) = of(walker.last.effects, TimerScheduled)
    assert scheduled.timer == timer and scheduled.scheduled_at == NOW
    assert state.work_items == ()

    state = walker.do(FireTimer(timer_id=timer.id))
    assert of(walker.last.effects, TimerFired) == [TimerFired(timer.id, "wait", token.id)]
    assert state.timers == ()
    assert [item.node_id for item in state.work_items] == ["check"]

    stale = walker.try_do(FireTimer(timer_id=timer.id))
    assert isinstance(stale, Rejection) and stale.reason is RejectionReason.TIMER_NOT_PENDING
    assert timer.id in stale.message


REVIEW = """
key: review
name: 审核
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 审核
    assignee: {user_field: reviewers}
    countersign: all
    next: done
    boundary:
      - {id: timeout, name: 超时, timer: {duration: {working_days: 3}}, next: escalate}
      - {id: nudge, name: 提醒, timer: {cycle: "R3/PT24H"}, interrupting: false, next: remind}
  - {id: escalate, type: user_task, assignee: {user: boss}, next: done}
  - {id: remind, type: end}
  - {id: done, type: end}
"""


def start_review(walk):
    walker = walk(REVIEW)
    walker.start({"reviewers": ["zhang", "li"]})
    return walker


def test_entering_an_activity_arms_one_timer_per_boundary(walk):
    walker = start_review(walk)
    state = walker.state
    (token,) = state.tokens
    timeout, nudge = pending(state, "timeout"), pending(state, "nudge")
    assert timeout.token_id == nudge.token_id == token.id
    assert timeout.due_at is None, "business time: the runtime's calendar computes it"
    assert nudge.due_at == NOW + timedelta(hours=24)
    scheduled = of(walker.last.effects, TimerScheduled)
    assert [effect.timer.node_id for effect in scheduled] == ["timeout", "nudge"]
    assert scheduled[0].spec.needs_calendar and scheduled[0].scheduled_at == NOW


def test_an_interrupting_boundary_cancels_the_task_and_takes_the_timeout_path(walk):
    walker = start_review(walk)
    walker.take(walker.try_complete_item(walker.by("review", "zhang"), "zhang"))
    assert walker.state.signoff(walker.state.tokens[0].id) is not None
    timeout, nudge = pending(walker.state, "timeout"), pending(walker.state, "nudge")

    state = walker.do(FireTimer(timer_id=timeout.id))
    effects = walker.last.effects
    assert [e.node_id for e in of(effects, WorkItemCancelled)] == ["review"]
    assert of(effects, TimerCancelled) == [
        TimerCancelled(nudge.id, "nudge", "边界定时器「超时」触发，「审核」已中断")
    ]
    assert NodePassed("timeout", timeout.token_id) in effects
    assert state.signoffs == () and state.timers == ()
    assert [(t.node_id, t.status) for t in state.tokens] == [("escalate", TokenStatus.TASK)]
    assert [item.node_id for item in state.work_items] == ["escalate"]


def test_a_non_interrupting_cycle_reminds_three_times_then_stops(walk):
    walker = start_review(walk)
    items = walker.state.work_items
    dues = []
    for round_ in range(3):
        nudge = pending(walker.state, "nudge")
        assert nudge.fired == round_
        dues.append(nudge.due_at)
        state = walker.do(FireTimer(timer_id=nudge.id))
        assert NodePassed("nudge", f"t{round_ + 2}") in walker.last.effects, "a new token takes the side path"
        assert state.work_items == items, "the activity goes on as it was"
        assert state.status is InstanceStatus.RUNNING
    assert dues == [NOW + timedelta(hours=24 * n) for n in (1, 2, 3)]
    assert [timer.node_id for timer in walker.state.timers] == ["timeout"], "the cycle ran out"
    assert not of(walker.last.effects, TimerScheduled)
    spent = walker.try_do(FireTimer(timer_id=nudge.id))
    assert isinstance(spent, Rejection) and spent.reason is RejectionReason.TIMER_NOT_PENDING


def test_completing_the_activity_cancels_its_boundary_timers(walk):
    walker = start_review(walk)
    timeout, nudge = pending(walker.state, "timeout"), pending(walker.state, "nudge")
    walker.take(walker.try_complete_item(walker.by("review", "zhang"), "zhang"))
    assert len(walker.state.timers) == 2, "still waiting for li"
    state = walker.take(walker.try_complete_item(walker.by("review", "li"), "li"))
    assert state.status is InstanceStatus.COMPLETED and state.timers == ()
    cancelled = of(walker.last.effects, TimerCancelled)
    assert {(c.timer_id, c.reason) for c in cancelled} == {
        (timeout.id, "「审核」已结束"),
        (nudge.id, "「审核」已结束"),
    }
    late = walker.try_do(FireTimer(timer_id=timeout.id))
    assert isinstance(late, Rejection) and late.reason is RejectionReason.INSTANCE_NOT_RUNNING


BLOCK = """
key: block
name: 子流程超时
nodes:
  - {id: start, type: start, next: block}
  - id: block
    type: subprocess
    name: 评审
    nodes:
      - {id: b_start, type: start, next: split}
      - {id: split, type: parallel_gateway, next: [tech, inner]}
      - {id: tech, type: user_task, assignee: {user: zhang}, next: join}
      - id: inner
        type: subprocess
        nodes:
          - {id: i_start, type: start, next: cost}
          - id: cost
            type: user_task
            assignee: {user: li}
            next: i_end
            boundary: [{id: cost_late, timer: {duration: PT4H}, next: i_end}]
          - {id: i_end, type: end}
        next: join
      - {id: join, type: parallel_gateway, next: b_end}
      - {id: b_end, type: end}
    boundary:
      - {id: block_late, timer: {date: "2024-03-08T18:00"}, next: chase}
      - {id: block_ping, timer: {cycle: "R/P1D"}, interrupting: false, next: ping}
    next: end
  - {id: chase, type: user_task, assignee: {user: boss}, next: end}
  - {id: ping, type: end}
  - {id: end, type: end}
"""


def test_an_interrupting_boundary_on_a_subprocess_cancels_everything_inside(walk):
    walker = walk(BLOCK)
    state = walker.start()
    assert sorted(item.node_id for item in state.work_items) == ["cost", "tech"]
    assert sorted(timer.node_id for timer in state.timers) == ["block_late", "block_ping", "cost_late"]
    block_late = pending(state, "block_late")
    assert block_late.due_at is not None and block_late.due_at.isoformat() == "2024-03-08T18:00:00+08:00"

    state = walker.do(FireTimer(timer_id=block_late.id))
    effects = walker.last.effects
    assert sorted(e.node_id for e in of(effects, WorkItemCancelled)) == ["cost", "tech"]
    assert sorted(e.node_id for e in of(effects, TimerCancelled)) == ["block_ping", "cost_late"]
    assert [(t.node_id, t.scope) for t in state.tokens] == [("chase", None)]
    assert [item.node_id for item in state.work_items] == ["chase"] and state.timers == ()


def test_a_non_interrupting_boundary_on_a_subprocess_leaves_it_running(walk):
    walker = walk(BLOCK)
    before = walker.start()
    ping = pending(before, "block_ping")
    state = walker.do(FireTimer(timer_id=ping.id))
    assert state.work_items == before.work_items
    assert len(state.tokens) == len(before.tokens), "the side path ended at once"
    again = pending(state, "block_ping")
    assert (again.fired, again.due_at) == (1, NOW + timedelta(days=2))
    assert again.id != ping.id


def test_a_nested_boundary_fires_inside_its_subprocess(walk):
    walker = walk(BLOCK)
    walker.start()
    cost_late = pending(walker.state, "cost_late")
    state = walker.do(FireTimer(timer_id=cost_late.id))
    assert [item.node_id for item in state.work_items] == ["tech"]
    assert sorted(timer.node_id for timer in state.timers) == ["block_late", "block_ping"]
    state = walker.complete("tech")
    assert [item.node_id for item in state.work_items] == []
    assert state.status is InstanceStatus.COMPLETED and state.timers == ()


RACE = """
key: race
name: 终止
nodes:
  - {id: start, type: start, next: split}
  - {id: split, type: parallel_gateway, next: [slow, fast]}
  - id: slow
    type: user_task
    assignee: {user: zhang}
    next: end
    boundary: [{id: slow_late, timer: {duration: {hours: 8}}, next: end}]
  - {id: fast, type: user_task, assignee: {user: li}, next: stop}
  - {id: stop, type: end, terminate: true}
  - {id: end, type: end}
"""


def test_a_terminate_end_cancels_the_timers_in_its_scope(walk):
    walker = walk(RACE)
    walker.start()
    slow_late = pending(walker.state, "slow_late")
    state = walker.complete("fast")
    assert state.status is InstanceStatus.TERMINATED and state.timers == ()
    assert of(walker.last.effects, TimerCancelled) == [
        TimerCancelled(slow_late.id, "slow_late", "终止结束：stop")
    ]
    assert isinstance(walker.last.effects[-1], InstanceEnded)


def test_withdrawal_cancels_pending_timers(walk):
    walker = walk(WAIT)
    walker.start()
    timer = pending(walker.state, "wait")
    state = walker.do(WithdrawInstance(actor="starter"))
    assert state.status is InstanceStatus.WITHDRAWN and state.timers == ()
    assert of(walker.last.effects, TimerCancelled) == [TimerCancelled(timer.id, "wait", "发起人撤回")]


RETURN = """
key: back
name: 退回
nodes:
  - {id: start, type: start, next: draft}
  - {id: draft, type: user_task, assignee: {user: zhang}, next: check}
  - id: check
    type: user_task
    assignee: {user: li}
    next: end
    boundary: [{id: check_late, timer: {duration: {hours: 4}}, next: end}]
  - id: end
    type: end
"""


def test_a_return_cancels_the_timers_of_the_step_it_leaves_and_re_entry_arms_them_again(walk):
    walker = walk(RETURN)
    walker.start()
    walker.complete("draft")
    first = pending(walker.state, "check_late")
    state = walker.do(ReturnWorkItem(work_item_id=walker.item("check"), actor="li", reason="补充材料"))
    assert state.timers == ()
    assert [c.timer_id for c in of(walker.last.effects, TimerCancelled)] == [first.id]
    state = walker.complete("draft")
    second = pending(state, "check_late")
    assert second.id != first.id
    assert isinstance(walker.try_do(FireTimer(timer_id=first.id)), Rejection)


def test_a_date_expression_that_gives_no_date_stops_the_instance_at_the_timer(walk):
    walker = walk(
        """
key: due
name: 到期
nodes:
  - {id: start, type: start, next: wait}
  - {id: wait, type: timer, timer: {date: contract_end}, next: end}
  - {id: end, type: end}
"""
    )
    state = walker.start({"contract_end": "2024-06-30T18:00"})
    assert pending(state, "wait").due_at.isoformat() == "2024-06-30T18:00:00+08:00"
    walker = walk(WAIT.replace("{duration: {hours: 48}}", "{date: contract_end}"))
    state = walker.start({"contract_end": "下个月"})
    assert state.status is InstanceStatus.FAILED and state.timers == ()
    assert state.error is not None and state.error.node_id == "wait" and "时间无法计算" in state.error.message


LATE_BRANCH = """
key: late_branch
name: 超时分支
nodes:
  - {id: start, type: start, next: split}
  - {id: split, type: inclusive_gateway, next: [a, b]}
  - id: a
    type: user_task
    assignee: {user: zhang}
    next: quiet
    boundary: [{id: a_late, timer: {duration: PT1H}, next: join}]
  - {id: b, type: user_task, assignee: {user: li}, next: join}
  - {id: join, type: inclusive_gateway, next: end}
  - {id: quiet, type: end}
  - {id: end, type: end}
"""


def test_an_inclusive_join_waits_for_a_path_that_only_a_boundary_timer_can_take(walk):
    walker = walk(LATE_BRANCH)
    assert "a" in walker.definition.upstream_of("join")
    walker.start()
    state = walker.complete("b")
    assert state.status is InstanceStatus.RUNNING
    assert sorted((t.node_id, t.status) for t in state.tokens) == [
        ("a", TokenStatus.TASK),
        ("join", TokenStatus.JOIN),
    ]
    state = walker.do(FireTimer(timer_id=pending(state, "a_late").id))
    assert state.status is InstanceStatus.COMPLETED
