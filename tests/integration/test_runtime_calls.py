"""Call activities through the runtime: the child starts, runs and reports back in one transaction."""

from __future__ import annotations

from sqlalchemy import select

from orgflow.engine.state import InstanceStatus, TokenStatus
from orgflow.runtime import CompleteWorkItem, StartProcess
from orgflow.runtime.actions import WithdrawInstance
from orgflow.store import instances
from orgflow.store.tables import instances as instances_table

from .conftest import deploy

CHILD = """\
key: credit_check
name: 信用审查
business_key_prefix: CC
nodes:
  - {id: start, type: start, next: check}
  - {id: check, type: user_task, name: 审查, assignee: {user: li}, next: gw}
  - id: gw
    type: exclusive_gateway
    next:
      - {to: denied, when: "ok == False"}
      - {to: end, default: true}
  - {id: denied, type: end, error: {code: DENIED, message: 信用不足}}
  - {id: end, type: end}
"""

PARENT = """\
key: loan
name: 贷款
business_key_prefix: LN
nodes:
  - {id: start, type: start, next: call}
  - id: call
    type: call_activity
    name: 信用审查
    called: credit_check
    inputs: [{from: amount, to: limit}, {expression: "amount * 2", to: doubled}]
    outputs: [{from: ok, to: credit_ok}, {expression: "limit + 1", to: next_limit}]
    boundary: [{id: on_denied, error: DENIED, next: appeal}]
    next: sign
  - {id: sign, type: user_task, name: 签约, assignee: {user: wang}, next: end}
  - {id: appeal, type: user_task, name: 申诉, assignee: {user: zhao}, next: end}
  - {id: end, type: end}
"""


def _child_of(runtime, parent_id):
    (child,) = runtime.queries.instance(parent_id).children
    return runtime.queries.instance(child.id)


def test_a_call_passes_data_in_and_out_and_resumes_the_caller(runtime) -> None:
    deploy(runtime, CHILD)
    deploy(runtime, PARENT)
    parent = runtime.execute(StartProcess("loan", {"amount": 100}, initiator="zhang"))
    assert parent.status is InstanceStatus.RUNNING and parent.work_items == ()

    child = _child_of(runtime, parent.id)
    assert child.caller is not None and child.caller.id == parent.id and child.caller.node_id == "call"
    assert child.instance.business_key.startswith("CC")
    assert child.instance.initiator == "zhang"
    assert dict(child.instance.data) == {"limit": 100, "doubled": 200}
    (item,) = child.instance.work_items

    runtime.execute(CompleteWorkItem(item.id, actor="li", data={"ok": True}))

    after = runtime.queries.instance(parent.id)
    assert after.instance.data["credit_ok"] is True and after.instance.data["next_limit"] == 101
    assert "limit" not in after.instance.data
    assert [w.node_id for w in after.instance.work_items] == ["sign"]
    assert runtime.queries.instance(child.instance.id).instance.status is InstanceStatus.COMPLETED
    (listed,) = after.children
    assert (listed.status, listed.node_name) == (InstanceStatus.COMPLETED, "信用审查")
    assert [h.kind for h in after.history if h.kind.startswith("call_")] == ["call_started", "call_completed"]


def test_the_child_row_names_its_caller_in_columns_and_the_parents_detail_lists_it(runtime) -> None:
    deploy(runtime, CHILD)
    deploy(runtime, PARENT)
    parents = [runtime.execute(StartProcess("loan", {"amount": n}, initiator="zhang")) for n in (100, 7)]
    columns = instances_table.c
    with runtime.database.reading() as connection:
        links = connection.execute(
            select(
                columns.parent_instance_id,
                columns.id,
                columns.parent_token_id,
                columns.parent_node_id,
                columns.signoffs,
            ).where(columns.parent_instance_id.is_not(None))
        ).all()
        waiting = {
            parent.id: [
                t.id
                for t in instances.load(connection, parent.id).state.tokens
                if t.status is TokenStatus.CALL
            ]
            for parent in parents
        }
    by_parent = {row.parent_instance_id: row for row in links}

    assert sorted(by_parent) == sorted(parent.id for parent in parents) and len(links) == 2
    for parent in parents:
        row = by_parent[parent.id]
        assert ([row.parent_token_id], row.parent_node_id, row.signoffs) == (waiting[parent.id], "call", [])
        (child,) = runtime.queries.instance(parent.id).children
        assert (child.id, child.node_id, child.node_name) == (row.id, "call", "信用审查")
        assert child.status is InstanceStatus.RUNNING and child.business_key.startswith("CC")
        caller = runtime.queries.instance(row.id).caller
        assert caller is not None and (caller.id, caller.node_id) == (parent.id, "call")


def test_an_error_in_the_child_is_caught_by_the_callers_boundary(runtime) -> None:
    deploy(runtime, CHILD)
    deploy(runtime, PARENT)
    parent = runtime.execute(StartProcess("loan", {"amount": 5}, initiator="zhang"))
    child = _child_of(runtime, parent.id)
    (item,) = child.instance.work_items

    runtime.execute(CompleteWorkItem(item.id, actor="li", data={"ok": False}))

    after = runtime.queries.instance(parent.id)
    assert [w.node_id for w in after.instance.work_items] == ["appeal"]
    assert after.instance.status is InstanceStatus.RUNNING
    assert runtime.queries.instance(child.instance.id).instance.status is InstanceStatus.TERMINATED
    caught = [h for h in after.history if h.kind == "error_caught"]
    assert [(h.node_id, h.outcome) for h in caught] == [("on_denied", "DENIED")]


def test_an_error_nobody_catches_stops_the_caller_with_the_code(runtime) -> None:
    deploy(runtime, CHILD)
    deploy(runtime, PARENT.replace("error: DENIED", "error: OTHER_CODE"))
    parent = runtime.execute(StartProcess("loan", {"amount": 5}, initiator="zhang"))
    (item,) = _child_of(runtime, parent.id).instance.work_items

    runtime.execute(CompleteWorkItem(item.id, actor="li", data={"ok": False}))

    failed = runtime.queries.instance(parent.id).instance
    assert failed.status is InstanceStatus.FAILED
    assert failed.error is not None and failed.error.node_id == "call" and "DENIED" in failed.error.message


def test_terminating_the_caller_cancels_the_child_and_its_work(runtime) -> None:
    deploy(runtime, CHILD)
    deploy(runtime, PARENT)
    parent = runtime.execute(StartProcess("loan", {"amount": 5}, initiator="zhang"))
    child = _child_of(runtime, parent.id)

    runtime.execute(WithdrawInstance(parent.id, actor=None, reason="超时撤销", by_system=True))

    ended = runtime.queries.instance(child.instance.id).instance
    assert ended.status is InstanceStatus.TERMINATED and ended.work_items == ()
    assert runtime.queries.instance(parent.id).instance.status is InstanceStatus.TERMINATED


def test_calling_a_key_that_is_not_deployed_stops_the_caller(runtime) -> None:
    deploy(runtime, PARENT)
    parent = runtime.execute(StartProcess("loan", {"amount": 5}, initiator="zhang"))
    assert parent.status is InstanceStatus.FAILED
    assert (
        parent.error is not None and parent.error.node_id == "call" and "credit_check" in parent.error.message
    )


def test_a_child_that_ends_at_once_resumes_the_caller_in_the_same_command(runtime) -> None:
    instant = """\
key: instant
name: 即刻
nodes:
  - {id: start, type: start, next: end}
  - {id: end, type: end}
"""
    deploy(runtime, instant)
    deploy(runtime, PARENT.replace("called: credit_check", "called: instant"))
    parent = runtime.execute(StartProcess("loan", {"amount": 5}, initiator="zhang"))
    assert [w.node_id for w in parent.work_items] == ["sign"]
    assert parent.data["next_limit"] == 6 and parent.data["credit_ok"] is None
