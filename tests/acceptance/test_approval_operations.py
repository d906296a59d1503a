"""需求评审会签流程 (seed 000): countersign, in-turn approval and task operations, on a real database.

市场部 submits the requirement template; 技术部 countersigns (two thirds must
approve) while 法务部's head reviews; then the two 财务审核员 of 财务部 approve
one after the other, and the initiating department's 分管领导 confirms.
"""

from __future__ import annotations

import pytest

from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected
from orgflow.runtime import Runtime
from orgflow.runtime.actions import (
    AddSigner,
    RemoveSigner,
    ReturnWorkItem,
    TransferWorkItem,
    WithdrawInstance,
)

from .conftest import Walk, deploy_example

KEY = "requirement_review_countersign"
TEMPLATE = {"title": "新产品A上市需求", "description": "目标市场、竞品分析、技术实现可行性"}
TECH = ["liu_jishu", "gao_jishu", "admin"]


def submitted(runtime: Runtime) -> Walk:
    """张市场 (市场部) submits; 技术部 and 法务部 review side by side."""
    deploy_example(runtime, KEY)
    walk = Walk(runtime, KEY, initiator="zhang_shichang")
    assert walk.waiting() == {"submit": "市场部"}
    walk.handle("submit", by="wang_shichang", outcome="submit", data=TEMPLATE, comment="需求模板已填写")
    assert sorted(walk.people("tech_review")) == sorted(TECH)
    assert walk.people("legal_review") == ["yang_fawu"]
    return walk


def test_two_thirds_of_tech_pass_the_countersign_and_finance_approves_in_turn(runtime: Runtime) -> None:
    walk = submitted(runtime)
    walk.handle("tech_review", by="liu_jishu", comment="可行")
    assert len(walk.people("tech_review")) == 2
    walk.handle("tech_review", by="gao_jishu", comment="可行")
    assert walk.people("tech_review") == []  # 2 of 3 ≥ 66 %: admin no longer needs to vote
    walk.handle("legal_review", by="yang_fawu", comment="无合规风险")
    assert walk.people("finance_review") == ["sun_caiwu"]
    walk.handle("finance_review", by="sun_caiwu")
    assert walk.people("finance_review") == ["qian_caiwu"]
    walk.handle("finance_review", by="qian_caiwu")
    assert walk.people("leader_approval") == ["wu_fenguan"]
    walk.handle("leader_approval", by="wu_fenguan", comment="同意上线")
    assert walk.view.status is InstanceStatus.COMPLETED

    (tech, finance) = walk.history("countersign_decided")
    assert (tech.node_name, tech.outcome, [v["user"] for v in tech.data["votes"]]) == (
        "技术评审（会签）",
        "approve",
        ["liu_jishu", "gao_jishu"],
    )
    assert finance.data["signers"] == ["sun_caiwu", "qian_caiwu"]
    cancelled = walk.history("work_item_cancelled")
    assert [entry.comment for entry in cancelled] == ["会签已有结果"]
    names = {entry.actor: entry.actor_name for entry in walk.history("work_item_completed")}
    assert names["wu_fenguan"] == walk.runtime.queries.org().name_of("wu_fenguan")


def test_legal_returns_to_the_initiator_across_the_branches_and_everything_reopens(runtime: Runtime) -> None:
    walk = submitted(runtime)
    walk.handle("tech_review", by="liu_jishu")
    legal = walk.item("legal_review", "yang_fawu")
    walk.act(ReturnWorkItem(legal.id, "yang_fawu", to_initiator=True, reason="请补充合规说明"))

    assert walk.waiting() == {"submit": "zhang_shichang"}  # to the initiator personally
    assert walk.people("tech_review") == []  # the countersign in progress is withdrawn too
    (returned,) = walk.history("work_item_returned")
    assert (returned.actor, returned.comment, returned.data["target"]) == (
        "yang_fawu",
        "请补充合规说明",
        "submit",
    )

    walk.handle("submit", by="zhang_shichang", outcome="submit", data=TEMPLATE, comment="已补充")
    # the return withdrew another branch, so it reruns both reviews despite resubmit: direct
    assert sorted(walk.people("tech_review")) == sorted(TECH)
    assert walk.people("legal_review") == ["yang_fawu"]


def test_finance_returns_to_the_initiator_and_the_revision_comes_straight_back(runtime: Runtime) -> None:
    walk = submitted(runtime)
    for person in ("liu_jishu", "gao_jishu"):
        walk.handle("tech_review", by=person)
    walk.handle("legal_review", by="yang_fawu")
    item = walk.item("finance_review", "sun_caiwu")
    walk.act(ReturnWorkItem(item.id, "sun_caiwu", target="submit", reason="预算口径不一致"))
    assert walk.people("submit") == ["wang_shichang"]  # back to whoever did the step
    walk.handle("submit", by="wang_shichang", outcome="submit", data=TEMPLATE)
    assert walk.people("finance_review") == ["sun_caiwu"]  # direct: no second round of reviews
    assert walk.people("tech_review") == []


def test_transfer_and_add_and_remove_signers_on_a_running_step(runtime: Runtime) -> None:
    walk = submitted(runtime)
    legal = walk.item("legal_review", "yang_fawu")
    walk.act(TransferWorkItem(legal.id, "yang_fawu", "chen_fawu", reason="出差，请陈律师代审"))
    assert walk.people("legal_review") == ["chen_fawu"]
    (transferred,) = walk.history("work_item_transferred")
    assert (transferred.data, transferred.comment) == (
        {"from": "yang_fawu", "to": "chen_fawu"},
        "出差，请陈律师代审",
    )
    for person in ("liu_jishu", "gao_jishu"):
        walk.handle("tech_review", by=person)
    walk.handle("legal_review", by="chen_fawu")

    first = walk.item("finance_review", "sun_caiwu")
    walk.act(AddSigner(first.id, "sun_caiwu", ("zhu_caiwu",), "after", reason="请出纳核对"))
    walk.handle("finance_review", by="sun_caiwu")
    assert walk.people("finance_review") == ["zhu_caiwu"]
    walk.act(
        RemoveSigner(walk.item("finance_review", "zhu_caiwu").id, "sun_caiwu", "qian_caiwu", reason="休假")
    )
    walk.handle("finance_review", by="zhu_caiwu")
    assert walk.people("leader_approval") == ["wu_fenguan"]
    changes = [(e.outcome, e.data["users"]) for e in walk.history("signers_changed")]
    assert changes == [("after", ["zhu_caiwu"]), ("removed", ["qian_caiwu"])]


def test_withdraw_before_anyone_else_acts_and_not_after(runtime: Runtime) -> None:
    deploy_example(runtime, KEY)
    early = Walk(runtime, KEY, initiator="zhang_shichang")
    early.handle("submit", by="zhang_shichang", outcome="submit", data=TEMPLATE)
    early.act(WithdrawInstance(early.view.business_key, "zhang_shichang", reason="需求有变"))
    assert early.view.status is InstanceStatus.WITHDRAWN
    assert early.view.work_items == ()
    assert runtime.queries.work_items(assignee="liu_jishu", instance_id=early.view.id) == ()

    late = submitted(runtime)
    late.handle("legal_review", by="yang_fawu")
    before = late.detail.history
    with pytest.raises(CommandRejected, match="不能再撤回"):
        runtime.execute(WithdrawInstance(late.view.id, "zhang_shichang"))
    assert late.detail.history == before


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda item: TransferWorkItem(item.id, "yang_fawu", "nobody"), "没有用户 nobody"),
        (lambda item: TransferWorkItem(item.id, "yang_fawu", "ma_shengchan"), "已停用"),
        (lambda item: TransferWorkItem(item.id, "liu_jishu", "chen_fawu"), "不能办理"),
        (lambda item: ReturnWorkItem(item.id, "yang_fawu", target="finance_review"), "还没有办理过"),
        (lambda item: AddSigner(item.id, "yang_fawu", ("liu_jishu",), "before"), "已经在审批"),
    ],
    ids=["unknown-user", "inactive-user", "not-yours", "not-visited", "already-signing"],
)
def test_bad_operations_are_refused_with_the_reason_and_change_nothing(
    runtime: Runtime, action, message
) -> None:
    walk = submitted(runtime)
    legal = walk.item("legal_review", "yang_fawu")
    before = walk.detail
    command = action(legal)
    if isinstance(command, AddSigner):
        # liu_jishu signs in 技术评审, not here: adding them to legal review is allowed,
        # so make them busy on this very step first
        walk.act(AddSigner(legal.id, "yang_fawu", ("liu_jishu",), "parallel"))
        before = walk.detail
    with pytest.raises(CommandRejected, match=message):
        runtime.execute(command)
    assert walk.detail == before
