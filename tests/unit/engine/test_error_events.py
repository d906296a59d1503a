"""Business errors: error end events, error boundaries, propagation outward, uncaught errors."""

from __future__ import annotations

from orgflow.engine.commands import FireTimer, ThrowError
from orgflow.engine.effects import (
    ErrorCaught,
    ErrorEscalated,
    ErrorThrown,
    InstanceEnded,
    InstanceFailed,
    Rejection,
    RejectionReason,
    TimerCancelled,
    WorkItemCancelled,
)
from orgflow.engine.state import Caller, InstanceStatus, TokenStatus


def of(effects, kind):
    return [effect for effect in effects if type(effect) is kind]


#: A subprocess with two parallel branches: one can end in an error, the other is a task that
#: must be withdrawn when the error leaves the subprocess; a timer inside must be cancelled too.
REVIEW = """
key: review
name: 评审
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: subprocess
    nodes:
      - {id: s_start, type: start, next: fork}
      - {id: fork, type: parallel_gateway, next: [check, side]}
      - {id: check, type: user_task, assignee: {user: li}, next: decide}
      - id: side
        type: user_task
        assignee: {user: wang}
        next: s_end
        boundary: [{id: nudge, timer: {duration: PT2H}, interrupting: false, next: s_end2}]
      - id: decide
        type: exclusive_gateway
        next:
          - {to: fail, when: "ok == False"}
          - {to: s_end, default: true}
      - {id: fail, type: end, error: {code: NOT_ENOUGH, message: 资料不全}}
      - {id: s_end, type: end}
      - {id: s_end2, type: end}
    boundary:
      - id: on_missing
        error: {code: NOT_ENOUGH, code_variable: why_code, message_variable: why}
        next: more
    next: done_task
  - {id: more, type: user_task, assignee: {user: zhao}, next: review}
  - {id: done_task, type: user_task, assignee: {user: qian}, next: end}
  - {id: end, type: end}
"""


def test_an_error_caught_on_a_subprocess_boundary_cancels_everything_inside(walk):
    walker = walk(REVIEW)
    state = walker.start()
    assert walker.open_nodes() == ["check", "side"]
    assert len(state.timers) == 1
    side_item = walker.item("side")

    state = walker.complete("check", data={"ok": False})
    effects = walker.last.effects
    assert of(effects, ErrorThrown)[0][2:] == ("NOT_ENOUGH", "资料不全")
    (caught,) = of(effects, ErrorCaught)
    assert (caught.node_id, caught.attached_to, caught.code) == ("on_missing", "review", "NOT_ENOUGH")
    assert side_item in {effect.work_item_id for effect in of(effects, WorkItemCancelled)}
    assert of(effects, TimerCancelled) and state.timers == ()
    assert walker.open_nodes() == ["more"]
    assert [token.node_id for token in state.tokens] == ["more"]
    assert (state.data["why_code"], state.data["why"]) == ("NOT_ENOUGH", "资料不全")
    assert state.status is InstanceStatus.RUNNING

    walker.complete("more")  # loops back and restarts the whole subprocess
    assert walker.open_nodes() == ["check", "side"]
    walker.complete("check", data={"ok": True})
    walker.complete("side")
    walker.complete("done_task")
    assert walker.state.status is InstanceStatus.COMPLETED


NESTED = """
key: nested
name: 嵌套
nodes:
  - {id: start, type: start, next: outer}
  - id: outer
    type: subprocess
    nodes:
      - {id: o_start, type: start, next: inner}
      - id: inner
        type: subprocess
        nodes:
          - {id: i_start, type: start, next: task}
          - {id: task, type: user_task, assignee: {user: li}, next: gw}
          - id: gw
            type: exclusive_gateway
            next:
              - {to: e1, when: "input == 1"}
              - {to: e2, when: "input == 2"}
              - {to: e3, default: true}
          - {id: e1, type: end, error: error1}
          - {id: e2, type: end, error: error2}
          - {id: e3, type: end, error: error3}
        boundary: [{id: catch1, error: error1, next: o_end}]
        next: o_end
      - {id: o_end, type: end}
    boundary:
      - {id: catch2, error: error2, next: after}
      - {id: catch_any, error: true, next: fallback}
    next: end
  - {id: after, type: user_task, assignee: {user: wang}, next: end}
  - {id: fallback, type: user_task, assignee: {user: zhao}, next: end}
  - {id: end, type: end}
"""


def test_an_error_is_caught_by_the_innermost_matching_boundary(walk):
    walker = walk(NESTED)
    walker.start()
    walker.complete("task", data={"input": 1})
    assert walker.state.status is InstanceStatus.COMPLETED
    (caught,) = of(walker.last.effects, ErrorCaught)
    assert caught.node_id == "catch1"


def test_an_error_propagates_past_boundaries_for_other_codes(walk):
    walker = walk(NESTED)
    walker.start()
    state = walker.complete("task", data={"input": 2})
    (caught,) = of(walker.last.effects, ErrorCaught)
    assert (caught.node_id, caught.attached_to) == ("catch2", "outer")
    assert walker.open_nodes() == ["after"]
    assert [token.node_id for token in state.tokens] == ["after"]


def test_a_boundary_for_the_very_code_wins_over_a_catch_all_and_a_catch_all_takes_the_rest(walk):
    walker = walk(NESTED)
    walker.start()
    walker.complete("task", data={"input": 3})
    (caught,) = of(walker.last.effects, ErrorCaught)
    assert caught.node_id == "catch_any"
    assert walker.open_nodes() == ["fallback"]


UNCAUGHT = """
key: uncaught
name: 未捕获
nodes:
  - {id: start, type: start, next: fork}
  - {id: fork, type: parallel_gateway, next: [a, b]}
  - {id: a, type: user_task, assignee: {user: li}, next: boom}
  - {id: boom, type: end, name: 资金不足, error: {code: NO_FUNDS, message: 预算用完}}
  - {id: b, type: user_task, assignee: {user: wang}, next: end}
  - {id: end, type: end}
"""


def test_an_uncaught_error_stops_the_instance_naming_the_node_and_the_code(walk):
    walker = walk(UNCAUGHT)
    walker.start()
    state = walker.complete("a")
    assert state.status is InstanceStatus.FAILED
    assert state.error is not None and state.error.node_id == "boom"
    assert "NO_FUNDS" in state.error.message and "资金不足" in state.error.message
    assert "预算用完" in state.error.message
    (failed,) = of(walker.last.effects, InstanceFailed)
    assert failed.node_id == "boom"
    stuck = [token for token in state.tokens if token.status is TokenStatus.STUCK]
    assert [token.node_id for token in stuck] == ["boom"]
    refused = walker.try_complete("b")
    assert isinstance(refused, Rejection) and refused.reason is RejectionReason.INSTANCE_NOT_RUNNING


def test_an_uncaught_error_in_a_called_child_ends_it_and_goes_to_the_caller(walk):
    walker = walk(UNCAUGHT)
    walker.start()
    walker.state = walker.state.evolve(caller=Caller("parent", "t9", "call"))
    state = walker.complete("a")
    assert state.status is InstanceStatus.TERMINATED
    assert state.tokens == () and state.work_items == ()
    (escalated,) = of(walker.last.effects, ErrorEscalated)
    assert (escalated.node_id, escalated.code, escalated.message) == ("boom", "NO_FUNDS", "预算用完")
    assert of(walker.last.effects, InstanceEnded)[0].status is InstanceStatus.TERMINATED


SERVICE = """
key: service
name: 服务
nodes:
  - {id: start, type: start, next: charge}
  - id: charge
    type: service_task
    handler: charge_card
    next: end
    boundary: [{id: declined, error: DECLINED, next: fix}]
  - {id: fix, type: user_task, assignee: {user: li}, next: end}
  - {id: end, type: end}
"""


def test_a_service_tasks_error_is_caught_by_its_own_boundary(walk):
    walker = walk(SERVICE)
    state = walker.start()
    (token,) = state.tokens
    assert token.status is TokenStatus.SERVICE
    state = walker.do(ThrowError(token_id=token.id, code="DECLINED", message="卡被拒"))
    assert walker.open_nodes() == ["fix"]
    (caught,) = of(walker.last.effects, ErrorCaught)
    assert (caught.node_id, caught.message) == ("declined", "卡被拒")


def test_a_service_error_nobody_catches_stops_the_instance_at_the_service_task(walk):
    walker = walk(SERVICE)
    (token,) = walker.start().tokens
    state = walker.do(ThrowError(token_id=token.id, code="TIMEOUT"))
    assert state.status is InstanceStatus.FAILED
    assert state.error is not None and state.error.node_id == "charge" and "TIMEOUT" in state.error.message


USER_TASK_BOUNDARY = """
key: task_error
name: 任务错误
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    assignee: {user: li}
    next: end
    boundary:
      - {id: late, timer: {duration: PT1H}, next: end}
      - {id: withdrawn, error: WITHDRAWN, next: redo}
  - {id: redo, type: user_task, assignee: {user: wang}, next: end}
  - {id: end, type: end}
"""


def test_an_error_at_a_user_task_cancels_its_work_item_and_its_timers(walk):
    walker = walk(USER_TASK_BOUNDARY)
    state = walker.start()
    (timer,) = state.timers
    item = walker.item("review")
    (token,) = state.tokens
    state = walker.do(ThrowError(token_id=token.id, code="WITHDRAWN"))
    assert [effect.work_item_id for effect in of(walker.last.effects, WorkItemCancelled)] == [item]
    assert state.timers == () and walker.open_nodes() == ["redo"]
    stale = walker.try_do(FireTimer(timer_id=timer.id))
    assert isinstance(stale, Rejection) and stale.reason is RejectionReason.TIMER_NOT_PENDING


def test_throwing_at_a_token_that_does_not_wait_is_refused(walk):
    walker = walk(USER_TASK_BOUNDARY)
    walker.start()
    refused = walker.try_do(ThrowError(token_id="t404", code="X"))
    assert isinstance(refused, Rejection) and refused.reason is RejectionReason.TOKEN_NOT_WAITING
