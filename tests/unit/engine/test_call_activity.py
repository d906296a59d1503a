"""Call activities: the engine asks for a child, waits, takes its outputs back and hears its errors."""

from __future__ import annotations

from orgflow.engine.commands import CompleteCall, FailCall, ThrowError, WithdrawInstance
from orgflow.engine.effects import CallCancelled, CallCompleted, CallRequested, ErrorCaught, Rejection
from orgflow.engine.state import InstanceStatus, TokenStatus

CALLER = """
key: caller
name: 调用方
nodes:
  - {id: start, type: start, next: call}
  - id: call
    type: call_activity
    called: child_process
    version: 3
    inputs: [{from: superVariable, to: subVariable}, {expression: "x + 5", to: y}]
    outputs: [{from: subVariable, to: superVariable}, {expression: "y + 5", to: z}]
    boundary:
      - {id: denied, error: {code: DENIED, message_variable: reason}, next: fix}
      - {id: too_long, timer: {duration: P3D}, next: fix}
    next: after
  - {id: after, type: user_task, assignee: {user: li}, next: end}
  - {id: fix, type: user_task, assignee: {user: wang}, next: end}
  - {id: end, type: end}
"""


def of(effects, kind):
    return [effect for effect in effects if type(effect) is kind]


def test_a_call_asks_for_a_child_with_the_inputs_and_waits(walk):
    walker = walk(CALLER)
    state = walker.start({"superVariable": "hello", "x": 5})
    (request,) = of(walker.last.effects, CallRequested)
    assert (request.key, request.version, request.node_id) == ("child_process", 3, "call")
    assert dict(request.data) == {"subVariable": "hello", "y": 10}
    token = next(token for token in state.tokens if token.node_id == "call")
    assert token.status is TokenStatus.CALL and token.called == request.instance_id
    assert len(state.timers) == 1  # the boundary timer watches the call


def test_the_childs_end_brings_the_outputs_back_and_the_caller_goes_on(walk):
    walker = walk(CALLER)
    walker.start({"superVariable": "hello", "x": 5})
    (request,) = of(walker.last.effects, CallRequested)
    state = walker.do(
        CompleteCall(token_id=request.token_id, data={"subVariable": "changed", "y": 10, "q": 1})
    )
    assert state.data["superVariable"] == "changed" and state.data["z"] == 15
    assert "q" not in state.data
    assert of(walker.last.effects, CallCompleted)[0].data == {"superVariable": "changed", "z": 15}
    assert walker.open_nodes() == ["after"] and state.timers == ()
    again = walker.try_do(CompleteCall(token_id=request.token_id, data={}))
    assert isinstance(again, Rejection)


def test_an_error_from_the_child_is_caught_by_the_call_activitys_boundary(walk):
    walker = walk(CALLER)
    walker.start({"x": 1})
    (request,) = of(walker.last.effects, CallRequested)
    state = walker.do(ThrowError(token_id=request.token_id, code="DENIED", message="额度不够"))
    assert of(walker.last.effects, ErrorCaught)[0].node_id == "denied"
    assert of(walker.last.effects, CallCancelled) == []  # the child has ended already
    assert state.data["reason"] == "额度不够" and walker.open_nodes() == ["fix"]


def test_cancelling_the_caller_asks_for_the_child_to_end_too(walk):
    walker = walk(CALLER)
    walker.start({"x": 1})
    (request,) = of(walker.last.effects, CallRequested)
    walker.do(WithdrawInstance(actor=None, reason="超时撤销", by_system=True))
    (cancelled,) = of(walker.last.effects, CallCancelled)
    assert (cancelled.instance_id, cancelled.node_id) == (request.instance_id, "call")


def test_a_child_that_cannot_start_stops_the_caller(walk):
    walker = walk(CALLER)
    walker.start({"x": 1})
    (request,) = of(walker.last.effects, CallRequested)
    state = walker.do(FailCall(token_id=request.token_id, message="流程 child_process 未部署"))
    assert state.status is InstanceStatus.FAILED and state.error.node_id == "call"


def test_all_variables_can_go_across(walk):
    walker = walk(
        CALLER.replace(
            'inputs: [{from: superVariable, to: subVariable}, {expression: "x + 5", to: y}]', "inputs: all"
        )
    )
    walker.start({"a": 1, "x": 2})
    (request,) = of(walker.last.effects, CallRequested)
    assert dict(request.data) == {"a": 1, "x": 2}
