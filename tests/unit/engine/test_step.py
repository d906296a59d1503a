from __future__ import annotations

from orgflow.engine.commands import CompleteServiceCall, CompleteWorkItem, FailServiceCall
from orgflow.engine.effects import (
    InstanceEnded,
    InstanceFailed,
    InstanceStarted,
    NodeEntered,
    NodePassed,
    Rejection,
    RejectionReason,
    ServiceCallRequested,
    Transition,
    WorkItemCancelled,
    WorkItemCompleted,
    WorkItemOpened,
)
from orgflow.engine.state import InstanceStatus, TokenStatus
from orgflow.engine.step import apply

from .conftest import NOW

SEQUENCE = """
key: seq
name: 顺序
nodes:
  - {id: start, type: start, next: submit}
  - id: submit
    type: user_task
    name: 提交
    assignee: {user: zhang}
    form:
      - {name: title, type: string, label: 标题, required: true}
      - {name: amount, type: number, label: 金额, min: 0, max: 1000}
    next: end
  - {id: end, type: end}
"""


def test_sequence_opens_a_work_item_and_ends_when_it_is_done(walk):
    walker = walk(SEQUENCE)
    state = walker.start({"origin": "api"})
    assert state.status is InstanceStatus.RUNNING
    (item,) = state.work_items
    assert (item.node_id, item.assignee, item.group, item.name) == ("submit", "zhang", None, "提交")
    assert [type(e) for e in walker.last.effects] == [
        InstanceStarted,
        NodePassed,
        NodeEntered,
        WorkItemOpened,
    ]
    assert walker.last.effects[1].node_id == "start", "automatic nodes record one event, not entered + left"

    state = walker.complete("submit", data={"title": "新品", "amount": "12.5"}, actor="zhang")
    assert state.status is InstanceStatus.COMPLETED
    assert state.tokens == () and state.work_items == ()
    assert state.data == {"origin": "api", "title": "新品", "amount": 12.5}
    completed = walker.last.effects[0]
    assert isinstance(completed, WorkItemCompleted)
    assert (completed.actor, completed.outcome, completed.data["amount"]) == ("zhang", "approve", 12.5)
    assert isinstance(walker.last.effects[-1], InstanceEnded)
    assert walker.last.effects[-1].node_id == "end"


def test_bad_form_data_is_rejected_naming_the_field_and_changes_nothing(walk):
    walker = walk(SEQUENCE)
    before = walker.start()
    missing = walker.try_complete("submit", data={"amount": 5})
    assert isinstance(missing, Rejection)
    assert (missing.reason, missing.field, missing.node_id) == (
        RejectionReason.FIELD_REQUIRED,
        "title",
        "submit",
    )
    assert "标题" in missing.message
    too_big = walker.try_complete("submit", data={"title": "x", "amount": 5000})
    assert isinstance(too_big, Rejection)
    assert (too_big.reason, too_big.field) == (RejectionReason.FIELD_INVALID, "amount")
    assert walker.state is before


def test_unknown_outcome_and_closed_items_are_rejected(walk):
    walker = walk(SEQUENCE)
    walker.start()
    wrong = walker.try_complete("submit", outcome="maybe", data={"title": "x"})
    assert isinstance(wrong, Rejection) and wrong.reason is RejectionReason.UNKNOWN_OUTCOME
    assert "approve" in wrong.message
    done_item = walker.item("submit")
    walker.complete("submit", data={"title": "x"})
    again = apply(walker.definition, walker.state, CompleteWorkItem(work_item_id=done_item), NOW, walker.ids)
    assert isinstance(again, Rejection) and again.reason is RejectionReason.INSTANCE_NOT_RUNNING


def test_apply_does_not_change_the_state_it_was_given(walk):
    walker = walk(SEQUENCE)
    state = walker.start()
    command = CompleteWorkItem(work_item_id=walker.item("submit"), data={"title": "x"})
    first = apply(walker.definition, state, command, NOW, walker.ids)
    assert state.status is InstanceStatus.RUNNING and len(state.work_items) == 1 and "title" not in state.data
    second = apply(walker.definition, state, command, NOW, walker.ids)
    assert isinstance(first, Transition) and isinstance(second, Transition)
    assert first.state == second.state


EXCLUSIVE = """
key: xor
name: 排他
nodes:
  - {id: start, type: start, next: route}
  - id: route
    type: exclusive_gateway
    next:
      - {to: big, when: "amount > 100"}
      - {to: bigger, when: "amount > 10"}
      - {to: small, default: true}
  - {id: big, type: user_task, assignee: {user: a}, next: end}
  - {id: bigger, type: user_task, assignee: {user: a}, next: end}
  - {id: small, type: user_task, assignee: {department: 财务部}, next: end}
  - {id: end, type: end}
"""


def test_exclusive_takes_the_first_holding_condition_in_declared_order(walk):
    walker = walk(EXCLUSIVE)
    walker.start({"amount": 500})
    assert walker.open_nodes() == ["big"]
    walker = walk(EXCLUSIVE)
    walker.start({"amount": 50})
    assert walker.open_nodes() == ["bigger"]


def test_exclusive_default_flow_and_department_work_item(walk):
    walker = walk(EXCLUSIVE)
    state = walker.start({"amount": 1})
    (item,) = state.work_items
    assert (item.node_id, item.assignee, item.group) == ("small", None, "dept:财务部")


NO_DEFAULT = """
key: nodefault
name: 无默认
nodes:
  - {id: start, type: start, next: route}
  - id: route
    type: exclusive_gateway
    next:
      - {to: a, when: "kind == 'x'"}
      - {to: b, when: "kind == 'y'"}
  - {id: a, type: user_task, assignee: {user: a}, next: end}
  - {id: b, type: user_task, assignee: {user: a}, next: end}
  - {id: end, type: end}
"""


def test_no_matching_flow_stops_the_instance_with_an_error_naming_the_gateway(walk):
    walker = walk(NO_DEFAULT)
    state = walker.start({"kind": "z"})
    assert state.status is InstanceStatus.FAILED
    assert state.error is not None and state.error.node_id == "route"
    assert "route" in state.error.message or "没有满足条件" in state.error.message
    assert [t.status for t in state.tokens] == [TokenStatus.STUCK]
    assert isinstance(walker.last.effects[-1], InstanceFailed)


def test_a_condition_that_cannot_be_evaluated_fails_the_instance(walk):
    walker = walk(EXCLUSIVE)
    state = walker.start({"amount": [1, 2]})
    assert state.status is InstanceStatus.FAILED
    assert state.error.node_id == "route"


PARALLEL = """
key: review
name: 并行评审
nodes:
  - {id: start, type: start, next: submit}
  - {id: submit, type: user_task, assignee: {user: market}, next: split}
  - {id: split, type: parallel_gateway, next: [tech, legal]}
  - {id: tech, type: user_task, department: 技术部, next: join}
  - {id: legal, type: user_task, department: 法务部, next: join}
  - {id: join, type: parallel_gateway, next: finance}
  - {id: finance, type: user_task, department: 财务部, next: end}
  - {id: end, type: end}
"""


def test_parallel_join_waits_for_every_branch(walk):
    walker = walk(PARALLEL)
    walker.start()
    walker.complete("submit")
    assert walker.open_nodes() == ["legal", "tech"]
    state = walker.complete("legal")
    assert walker.open_nodes() == ["tech"]
    assert any(t.node_id == "join" and t.status is TokenStatus.JOIN for t in state.tokens)
    state = walker.complete("tech")
    assert walker.open_nodes() == ["finance"]
    assert len(state.tokens) == 1
    assert walker.complete("finance").status is InstanceStatus.COMPLETED


INCLUSIVE = """
key: campaign
name: 包容
nodes:
  - {id: start, type: start, next: split}
  - id: split
    type: inclusive_gateway
    next:
      - {to: design, when: need_design}
      - {to: media, when: need_media}
      - {to: legal, default: true}
  - {id: design, type: user_task, assignee: {user: d}, next: join}
  - {id: media, type: user_task, assignee: {user: m}, next: slow}
  - {id: slow, type: user_task, assignee: {user: m}, next: join}
  - {id: legal, type: user_task, assignee: {user: l}, next: join}
  - {id: join, type: inclusive_gateway, next: launch}
  - {id: launch, type: user_task, assignee: {user: x}, next: end}
  - {id: end, type: end}
"""


def test_inclusive_split_takes_every_holding_flow_and_join_waits_only_for_those(walk):
    walker = walk(INCLUSIVE)
    walker.start({"need_design": True, "need_media": True})
    assert walker.open_nodes() == ["design", "media"]
    walker.complete("design")
    assert walker.open_nodes() == ["media"]
    walker.complete("media")
    assert walker.open_nodes() == ["slow"], "a branch that can still arrive holds the join"
    walker.complete("slow")
    assert walker.open_nodes() == ["launch"]


def test_inclusive_default_when_nothing_holds(walk):
    walker = walk(INCLUSIVE)
    walker.start({"need_design": False})
    assert walker.open_nodes() == ["legal"]
    walker.complete("legal")
    assert walker.open_nodes() == ["launch"]


def test_inclusive_single_branch_passes_the_join_at_once(walk):
    walker = walk(INCLUSIVE)
    walker.start({"need_design": True})
    walker.complete("design")
    assert walker.open_nodes() == ["launch"]


NESTED = """
key: nested
name: 嵌套子流程
nodes:
  - {id: start, type: start, next: outer}
  - id: outer
    type: subprocess
    name: 外层
    next: after
    nodes:
      - {id: o_start, type: start, next: o_split}
      - {id: o_split, type: parallel_gateway, next: [o_task, inner]}
      - {id: o_task, type: user_task, assignee: {user: a}, next: o_join}
      - id: inner
        type: subprocess
        next: o_join
        nodes:
          - {id: i_start, type: start, next: i_task}
          - {id: i_task, type: user_task, assignee: {user: b}, next: i_end}
          - {id: i_end, type: end}
      - {id: o_join, type: parallel_gateway, next: o_end}
      - {id: o_end, type: end}
  - {id: after, type: user_task, assignee: {user: c}, next: end}
  - {id: end, type: end}
"""


def test_nested_subprocesses_finish_inside_out(walk):
    walker = walk(NESTED)
    state = walker.start()
    assert walker.open_nodes() == ["i_task", "o_task"]
    scopes = {t.node_id: t for t in state.tokens}
    assert scopes["outer"].status is TokenStatus.SCOPE and scopes["inner"].status is TokenStatus.SCOPE
    assert scopes["i_task"].scope == scopes["inner"].id
    assert scopes["inner"].scope == scopes["outer"].id
    walker.complete("i_task")
    assert walker.open_nodes() == ["o_task"]
    assert "inner" not in {t.node_id for t in walker.state.tokens}
    walker.complete("o_task")
    assert walker.open_nodes() == ["after"]
    assert len(walker.state.tokens) == 1


TERMINATE = """
key: term
name: 终止
nodes:
  - {id: start, type: start, next: split}
  - {id: split, type: parallel_gateway, next: [fast, slow, sub]}
  - {id: fast, type: user_task, assignee: {user: a}, next: stop}
  - {id: slow, type: user_task, assignee: {user: b}, next: end}
  - id: sub
    type: subprocess
    next: end
    nodes:
      - {id: s_start, type: start, next: s_task}
      - {id: s_task, type: user_task, assignee: {user: c}, next: s_end}
      - {id: s_end, type: end}
  - {id: stop, type: end, terminate: true}
  - {id: end, type: end}
"""


def test_terminate_end_cancels_everything_in_its_scope(walk):
    walker = walk(TERMINATE)
    walker.start()
    assert walker.open_nodes() == ["fast", "s_task", "slow"]
    state = walker.complete("fast")
    assert state.status is InstanceStatus.TERMINATED
    assert state.tokens == () and state.work_items == ()
    cancelled = {e.node_id for e in walker.last.effects if isinstance(e, WorkItemCancelled)}
    assert cancelled == {"slow", "s_task"}
    ended = walker.last.effects[-1]
    assert isinstance(ended, InstanceEnded) and ended.status is InstanceStatus.TERMINATED


TERMINATE_IN_SUB = """
key: termsub
name: 子流程内终止
nodes:
  - {id: start, type: start, next: sub}
  - id: sub
    type: subprocess
    next: after
    nodes:
      - {id: s_start, type: start, next: s_split}
      - {id: s_split, type: parallel_gateway, next: [a, b]}
      - {id: a, type: user_task, assignee: {user: a}, next: s_stop}
      - {id: b, type: user_task, assignee: {user: b}, next: s_end}
      - {id: s_stop, type: end, terminate: true}
      - {id: s_end, type: end}
  - {id: after, type: user_task, assignee: {user: c}, next: end}
  - {id: end, type: end}
"""


def test_terminate_inside_a_subprocess_ends_only_the_subprocess(walk):
    walker = walk(TERMINATE_IN_SUB)
    walker.start()
    walker.complete("a")
    assert walker.state.status is InstanceStatus.RUNNING
    assert walker.open_nodes() == ["after"]


REWORK = """
key: rework
name: 退回修改
nodes:
  - {id: start, type: start, next: submit}
  - {id: submit, type: user_task, assignee: {user: zhang}, form: [{name: plan, type: string, required: true}],
     next: review}
  - {id: review, type: user_task, assignee: {user: li}, next: decide}
  - id: decide
    type: exclusive_gateway
    next:
      - {to: submit, when: "outcome == 'reject'", name: 驳回}
      - {to: end, default: true}
  - {id: end, type: end}
"""


def test_a_rejected_request_goes_back_to_the_submitter_and_comes_round_again(walk):
    walker = walk(REWORK)
    walker.start()
    walker.complete("submit", data={"plan": "v1"})
    walker.complete("review", outcome="reject")
    assert walker.open_nodes() == ["submit"]
    resubmitted = walker.try_complete("submit")
    assert isinstance(resubmitted, Transition), "values filled earlier satisfy required fields"
    walker.complete("submit", data={"plan": "v2"})
    assert walker.state.data["plan"] == "v2"
    assert walker.complete("review").status is InstanceStatus.COMPLETED


SERVICE = """
key: svc
name: 服务任务
nodes:
  - {id: start, type: start, next: score}
  - {id: score, type: service_task, handler: risk_score, next: route}
  - id: route
    type: exclusive_gateway
    next:
      - {to: high, when: "risk >= 5"}
      - {to: end, default: true}
  - {id: high, type: user_task, assignee: {user: boss}, next: end}
  - {id: end, type: end}
"""


def test_service_task_asks_for_its_handler_and_merges_the_result(walk):
    walker = walk(SERVICE)
    state = walker.start({"amount": 9})
    request = walker.last.effects[-1]
    assert isinstance(request, ServiceCallRequested) and request.handler == "risk_score"
    assert state.tokens[0].status is TokenStatus.SERVICE and state.work_items == ()
    result = apply(
        walker.definition,
        state,
        CompleteServiceCall(token_id=request.token_id, result={"risk": 7}),
        NOW,
        walker.ids,
    )
    assert isinstance(result, Transition)
    assert result.state.data == {"amount": 9, "risk": 7}
    assert [i.node_id for i in result.state.work_items] == ["high"]


def test_service_task_failure_stops_the_instance(walk):
    walker = walk(SERVICE)
    state = walker.start()
    token_id = state.tokens[0].id
    result = apply(
        walker.definition, state, FailServiceCall(token_id=token_id, message="接口超时"), NOW, walker.ids
    )
    assert isinstance(result, Transition)
    assert result.state.status is InstanceStatus.FAILED
    assert result.state.error.message == "接口超时" and result.state.error.node_id == "score"
    stray = apply(walker.definition, state, CompleteServiceCall(token_id="t99"), NOW, walker.ids)
    assert isinstance(stray, Rejection) and stray.reason is RejectionReason.TOKEN_NOT_WAITING


NESTED_INCLUSIVE_IN_A_LOOP = """
key: nested_or
name: 嵌套包容网关
nodes:
  - {id: start, type: start, next: again}
  - {id: again, type: exclusive_gateway, next: outer}
  - id: outer
    type: inclusive_gateway
    next:
      - {to: a, when: "true"}
      - {to: inner, when: need_inner}
  - {id: a, type: user_task, assignee: {user: u}, next: outer_join}
  - id: inner
    type: inclusive_gateway
    next:
      - {to: b, when: "true"}
      - {to: c, when: need_c}
  - {id: b, type: user_task, assignee: {user: u}, next: inner_join}
  - {id: c, type: user_task, assignee: {user: u}, next: inner_join}
  - {id: inner_join, type: inclusive_gateway, next: outer_join}
  - {id: outer_join, type: inclusive_gateway, next: review}
  - {id: review, type: user_task, assignee: {user: boss}, next: decide}
  - id: decide
    type: exclusive_gateway
    next:
      - {to: again, when: "outcome == 'reject'"}
      - {to: end, default: true}
  - {id: end, type: end}
"""


def test_nested_inclusive_joins_inside_a_loop_fire_inside_out_every_round(walk):
    walker = walk(NESTED_INCLUSIVE_IN_A_LOOP)
    walker.start({"need_inner": True, "need_c": True})
    for _round in range(2):
        assert walker.open_nodes() == ["a", "b", "c"]
        walker.complete("a")
        walker.complete("c")
        assert walker.open_nodes() == ["b"], "the outer join waits for what the inner join will send"
        walker.complete("b")
        assert walker.open_nodes() == ["review"]
        assert len(walker.state.tokens) == 1
        if _round == 0:
            walker.complete("review", outcome="reject")
    assert walker.complete("review").status is InstanceStatus.COMPLETED


SUBPROCESS_DECIDES = """
key: sub_outcome
name: 子流程的结论
nodes:
  - {id: start, type: start, next: draft}
  - {id: draft, type: user_task, assignee: {user: u}, next: check}
  - id: check
    type: subprocess
    next: decide
    nodes:
      - {id: s_start, type: start, next: s_review}
      - {id: s_review, type: user_task, assignee: {user: v}, next: s_end}
      - {id: s_end, type: end}
  - id: decide
    type: exclusive_gateway
    next:
      - {to: draft, when: "outcome == 'reject'"}
      - {to: end, default: true}
  - {id: end, type: end}
"""


def test_a_subprocess_passes_on_the_outcome_decided_inside_it(walk):
    walker = walk(SUBPROCESS_DECIDES)
    walker.start()
    walker.complete("draft")
    walker.complete("s_review", outcome="reject")
    assert walker.open_nodes() == ["draft"]
    walker.complete("draft", outcome="reject")  # the drafter's own outcome must not decide after the review
    assert walker.open_nodes() == ["s_review"]
    assert walker.complete("s_review").status is InstanceStatus.COMPLETED
