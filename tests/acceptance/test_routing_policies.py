"""Routing rules and policies on a real database, in the demo company (examples/org).

Each case reads like the seed manuals: a complaint routed by a mapping table,
an approver the initiator picks (发起人自选), amount tiers, 或签, steps whose
rule finds nobody, automatic approval, and a shared item claimed and given back.
"""

from __future__ import annotations

import pytest

from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected
from orgflow.runtime import Runtime
from orgflow.runtime.actions import ClaimWorkItem, CompleteWorkItem, DeployDefinition, UnclaimWorkItem

from .conftest import Walk


def deploy(runtime: Runtime, nodes: str, *, policies: str = "") -> None:
    head = f"key: routing\nname: 路由\nbusiness_key_prefix: RT\n{policies}nodes:\n"
    text = head + "  - {id: start, type: start, next: a}\n" + nodes + "  - {id: end, type: end}\n"
    runtime.execute(DeployDefinition(text, source_name="routing.yaml", actor="admin"))


@pytest.mark.parametrize(
    ("complaint_type", "head"),
    [("质量", "wang_shengchan"), ("物流延迟", "zhou_wuliu"), ("其他", "li_kefu")],
)
def test_a_mapping_table_sends_each_complaint_type_to_its_departments_head(
    runtime: Runtime, complaint_type: str, head: str
) -> None:
    deploy(
        runtime,
        "  - id: a\n    type: user_task\n    name: 原因分析\n"
        "    assignee: {department_map: {field: complaint_type, map: {质量: 生产部, 物流延迟: 物流部},"
        " default: 客服部}, pick: head}\n    next: end\n",
    )
    walk = Walk(runtime, "routing", initiator="li_kefu", data={"complaint_type": complaint_type})
    assert walk.waiting() == {"a": head}


def test_the_initiator_picks_the_approvers_and_the_first_to_act_decides(runtime: Runtime) -> None:
    deploy(
        runtime,
        "  - {id: a, type: user_task, name: 自选审批, assignee: {user_field: reviewers}, next: end}\n",
    )
    walk = Walk(
        runtime, "routing", initiator="zhang_shichang", data={"reviewers": ["li_yanfa", "chen_yanfa"]}
    )
    assert sorted(walk.people("a")) == ["chen_yanfa", "li_yanfa"]
    walk.handle("a", by="chen_yanfa")
    assert walk.view.status is InstanceStatus.COMPLETED
    cancelled = walk.history("work_item_cancelled")
    assert [entry.comment for entry in cancelled] == [
        f"已由 {runtime.queries.org().name_of('chen_yanfa')} 处理"
    ]


@pytest.mark.parametrize(
    ("amount", "approver"), [(100_000, "li_yanfa"), (100_001, "wu_fenguan"), (500_001, "总经理")]
)
def test_amount_tiers_pick_head_then_supervisor_then_the_general_manager(
    runtime: Runtime, amount: int, approver: str
) -> None:
    deploy(
        runtime,
        "  - id: a\n    type: user_task\n    name: 分级审批\n    assignee:\n      tiers:\n"
        "        field: amount\n        levels:\n"
        "          - {max: 100000, assignee: {department_field: dept, pick: head}}\n"
        "          - {max: 500000, assignee: {department_field: dept, pick: supervisor}}\n"
        "          - {assignee: {role: 总经理}}\n    next: end\n",
    )
    walk = Walk(runtime, "routing", initiator="chen_yanfa", data={"amount": amount, "dept": "研发部"})
    assert walk.waiting() == {"a": approver}


def test_any_one_of_a_departments_members_decides_or_sign(runtime: Runtime) -> None:
    deploy(
        runtime, "  - {id: a, type: user_task, assignee: {department: 法务部}, countersign: any, next: end}\n"
    )
    walk = Walk(runtime, "routing", initiator="zhang_shichang")
    assert sorted(walk.people("a")) == ["chen_fawu", "jiang_fawu", "yang_fawu"]
    walk.handle("a", by="jiang_fawu", outcome="reject")
    assert walk.view.status is InstanceStatus.COMPLETED
    assert len(walk.history("work_item_cancelled")) == 2


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        ("", None),
        ("policies: {on_empty: skip}\n", {"b": "zhang_shichang"}),
        ("policies: {on_empty: fallback, fallback: {user: lin_mishu}}\n", {"a": "lin_mishu"}),
        ("policies: {on_empty: admin}\n", {"a": "系统管理员"}),
    ],
    ids=["error", "skip", "fallback", "admin"],
)
def test_a_step_whose_rule_finds_nobody_follows_the_policy(runtime: Runtime, policies: str, expected) -> None:
    # 设计部 has no 财务审核员: the rule is sound but finds nobody today
    deploy(
        runtime,
        "  - {id: a, type: user_task, name: 设计部财务审核,"
        " assignee: {department: 设计部, role: 财务审核员}, next: b}\n"
        "  - {id: b, type: user_task, name: 确认, assignee: zhang_shichang, next: end}\n",
        policies=policies,
    )
    walk = Walk(runtime, "routing", initiator="zhang_shichang")
    if expected is None:
        assert walk.view.status is InstanceStatus.FAILED
        assert walk.view.error is not None and "设计部没有在职的财务审核员" in walk.view.error.message
    else:
        assert walk.view.status is InstanceStatus.RUNNING
        assert walk.waiting() == expected
    if "skip" in policies:
        (skipped,) = walk.history("task_skipped")
        assert skipped.node_name == "设计部财务审核"


def test_an_approver_who_already_approved_is_not_asked_twice(runtime: Runtime) -> None:
    deploy(
        runtime,
        "  - {id: a, type: user_task, name: 部门审批, assignee: {initiator_head: 1}, next: b}\n"
        "  - {id: b, type: user_task, name: 预算审批,"
        " assignee: {department: 研发部, pick: head}, next: end}\n",
        policies="policies: {skip_repeat_approver: true}\n",
    )
    walk = Walk(runtime, "routing", initiator="chen_yanfa")
    walk.handle("a", by="li_yanfa")
    assert walk.view.status is InstanceStatus.COMPLETED
    (auto,) = walk.history("task_auto_approved")
    assert (auto.node_name, auto.actor) == ("预算审批", "li_yanfa")


def test_a_shared_item_is_claimed_given_back_and_refused_to_outsiders(runtime: Runtime) -> None:
    deploy(
        runtime, "  - {id: a, type: user_task, name: 客服受理, assignee: {department: 客服部}, next: end}\n"
    )
    walk = Walk(runtime, "routing", initiator="li_kefu")
    (item,) = walk.view.work_items
    with pytest.raises(CommandRejected, match="不属于部门：客服部"):
        runtime.execute(ClaimWorkItem(item.id, "zhao_xiaoshou"))
    runtime.execute(ClaimWorkItem(item.id, "zhang_kefu"))
    assert [w.id for w in walk.inbox("zhao_kefu")] == []
    with pytest.raises(CommandRejected, match="已被"):
        runtime.execute(ClaimWorkItem(item.id, "zhao_kefu"))
    runtime.execute(UnclaimWorkItem(item.id, "zhang_kefu"))
    assert [w.id for w in walk.inbox("zhao_kefu")] == [item.id]
    runtime.execute(CompleteWorkItem(item.id, actor="zhao_kefu"))
    kinds = [entry.kind for entry in walk.detail.history if entry.kind.startswith("work_item_")]
    assert kinds == ["work_item_opened", "work_item_claimed", "work_item_unclaimed", "work_item_completed"]
