"""Every process in ``examples/`` walked end to end as the seed manuals describe it, on SQLite and PostgreSQL.

The people are those of ``examples/README.md``; the clock is frozen at
2026-11-22 09:00 UTC, so business keys read ``CMP20261122001`` and version
labels ``V1.0-202611-…``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from orgflow.clock import FrozenClock
from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected
from orgflow.runtime import DeployDefinition, Runtime, StartProcess

from .conftest import Walk, deploy_example, example_source

COMPLAINT = {
    "customer_name": "华东某经销商",
    "contact_phone": "13812345678",
    "order_no": "SO20261101",
    "severity": "高",
    "description": "收到的 200 台电热水壶中有 12 台外壳开裂，且到货比约定晚了 5 天",
}
ANALYSIS = {"cause": "原因已查明", "solution": "为客户换货并补偿运费"}
REPLY = {"reply_content": "已为您安排换货并补偿运费", "customer_satisfied": "是"}
REQUIREMENT = {
    "title": "会员积分商城",
    "background": "老会员复购率下降，需要积分激励",
    "requirements": "会员可用积分兑换商品；积分有效期 12 个月",
    "tech_feasibility": "复用现有会员系统，新增兑换服务",
    "expected_launch": "2027-03-01",
    "document_link": "https://wiki.example.com/req/points-mall",
}


# 客户投诉处理流程（003 场景二）：客服部接收 → 按投诉类型分派 → 责任部门分析 → 客服部回复客户


@pytest.mark.parametrize(
    ("complaint_type", "analysis", "analyst"),
    [
        ("质量", "质量原因分析", "wang_shengchan"),
        ("物流延迟", "物流原因分析", "zhou_wuliu"),
        ("服务态度", "服务原因分析", "li_kefu"),
    ],
)
def test_customer_complaint_goes_to_the_responsible_department_and_back(
    runtime: Runtime, complaint_type: str, analysis: str, analyst: str
) -> None:
    deploy_example(runtime, "customer_complaint")
    walk = Walk(runtime, "customer_complaint", initiator="li_kefu")
    assert walk.view.business_key == "CMP20261122001"
    assert walk.waiting() == {"receive": "客服部"}

    walk.handle(
        "receive",
        by="li_kefu",
        outcome="done",
        data={**COMPLAINT, "complaint_type": complaint_type},
        comment="已受理",
    )
    (analysis_item,) = walk.view.work_items
    assert (analysis_item.name, analysis_item.assignee, analysis_item.candidate_group) == (
        analysis,
        analyst,
        None,
    )

    walk.handle(analysis_item.node_id, by=analyst, outcome="done", data=ANALYSIS, comment="分析完成")
    assert walk.waiting() == {"reply": "客服部"}
    walk.handle("reply", by="li_kefu", outcome="done", data=REPLY, comment="客户满意")

    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.view.work_items == () and walk.view.active_nodes == ()
    assert walk.opened() == [("接收投诉", "客服部"), (analysis, analyst), ("回复客户", "客服部")]
    assert walk.completed() == [
        ("接收投诉", "li_kefu", "done", "已受理"),
        (analysis, analyst, "done", "分析完成"),
        ("回复客户", "li_kefu", "done", "客户满意"),
    ]
    # 表单把“是”读成布尔值 True
    assert walk.view.data == {
        **COMPLAINT,
        "complaint_type": complaint_type,
        **ANALYSIS,
        **REPLY,
        "customer_satisfied": True,
    }
    assert walk.history("instance_ended")[0].node_name == "投诉闭环"


# 年度预算协同审批（003 场景三）：按金额分级审批，服务任务 budget_check 给出级次


def start_budget(runtime: Runtime, amount: float) -> Walk:
    """财务部发起年度预算编制，研发部的预算联络人 li_yanfa 提交预算；审批人由组织架构按金额级次得出。"""
    deploy_example(runtime, "annual_budget")
    walk = Walk(runtime, "annual_budget", initiator="sun_caiwu")
    walk.handle(
        "kickoff",
        by="sun_caiwu",
        outcome="submit",
        data={"fiscal_year": 2027, "submit_deadline": "2026-12-15"},
        comment="请各部门按时提交 2027 年度预算",
    )
    assert walk.waiting() == {"department_submit": "预算联络人"}
    walk.handle(
        "department_submit",
        by="li_yanfa",
        outcome="submit",
        data={
            "budget_department": "研发部",
            "amount": amount,
            "budget_items": "样机试制、测试设备、外包设计",
        },
        comment="研发部预算",
    )
    return walk


@pytest.mark.parametrize(
    ("amount", "amount_wan", "tier", "node", "name", "approver", "approval"),
    [
        (100_000, 10.0, "部门负责人", "head_approval", "部门负责人审批", "li_yanfa", "li_yanfa"),
        (500_000, 50.0, "分管领导", "leader_approval", "分管领导审批", "wu_fenguan", "wu_fenguan"),
        (1_280_000, 128.0, "总经理", "ceo_approval", "总经理审批", "总经理", "zheng_zongjingli"),
    ],
    ids=["10万以内-部门负责人", "50万以内-分管领导", "50万以上-总经理"],
)
def test_annual_budget_is_approved_at_the_tier_its_amount_needs(
    runtime: Runtime,
    amount: int,
    amount_wan: float,
    tier: str,
    node: str,
    name: str,
    approver: str,
    approval: str,
) -> None:
    walk = start_budget(runtime, amount)

    assert walk.waiting() == {node: approver}
    assert walk.view.data["approval_tier"] == tier
    assert walk.view.data["amount_wan"] == amount_wan
    assert walk.view.data["budget_checked"] is True
    (service,) = walk.history("service_call_completed")
    assert service.node_name == "预算校验汇总"
    assert service.data == {
        "amount_wan": amount_wan,
        "approval_tier": tier,
        "budget_checked": True,
    }

    walk.handle(node, by=approval, data={"approval_comment": "同意"}, comment="同意")
    assert walk.waiting() == {"sync_ledger": "qian_caiwu"}
    walk.handle("sync_ledger", by="qian_caiwu", outcome="done", data={"ledger_reference": "LED20270001"})

    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.opened() == [
        ("预算编制启动", "sun_caiwu"),
        ("部门提交预算", "预算联络人"),
        (name, approver),
        ("同步台账", "qian_caiwu"),
    ]
    assert walk.completed() == [
        ("预算编制启动", "sun_caiwu", "submit", "请各部门按时提交 2027 年度预算"),
        ("部门提交预算", "li_yanfa", "submit", "研发部预算"),
        (name, approval, "approve", "同意"),
        ("同步台账", "qian_caiwu", "done", None),
    ]
    assert walk.view.data["ledger_reference"] == "LED20270001"
    assert walk.view.data["amount"] == amount


def test_a_rejected_budget_is_revised_and_checked_again(runtime: Runtime) -> None:
    walk = start_budget(runtime, 300_000)
    walk.handle(
        "leader_approval", by="wu_fenguan", outcome="reject", comment="超出年度目标，请压缩到 10 万以内"
    )

    assert walk.waiting() == {"department_submit": "预算联络人"}
    walk.handle(
        "department_submit", by="li_yanfa", outcome="submit", data={"amount": 95_000}, comment="已压缩"
    )

    assert walk.waiting() == {"head_approval": "li_yanfa"}
    assert (walk.view.data["approval_tier"], walk.view.data["amount_wan"]) == ("部门负责人", 9.5)
    assert [h.data["approval_tier"] for h in walk.history("service_call_completed")] == [
        "分管领导",
        "部门负责人",
    ]
    walk.handle("head_approval", by="li_yanfa", comment="同意")
    walk.handle("sync_ledger", by="qian_caiwu", outcome="done", data={"ledger_reference": "LED20270002"})
    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.completed()[2] == ("分管领导审批", "wu_fenguan", "reject", "超出年度目标，请压缩到 10 万以内")


# 新产品上市流程（003 模板 2）：需求审核驳回后退回需求提交，修改后再走完


def test_new_product_launch_goes_back_for_revision_once_then_to_the_end(runtime: Runtime) -> None:
    deploy_example(runtime, "new_product_launch")
    walk = Walk(
        runtime, "new_product_launch", initiator="zhang_shichang", data={"project": "新产品A上市推进"}
    )
    assert walk.view.business_key == "PROJ20261122001"
    walk.handle(
        "submit",
        by="zhang_shichang",
        outcome="submit",
        data={
            "task_name": "新产品A上市推进",
            "goal": "3个月内完成新产品上市推广",
            "partner_departments": "研发部、生产部、销售部",
            "deadline": "2027-03-31",
            "priority": "高",
        },
        comment="提交上市需求",
    )
    walk.handle(
        "review", by="wu_fenguan", outcome="reject", data={"review_comment": "缺少竞品分析"}, comment="请补充"
    )

    assert walk.waiting() == {"submit": "市场部"}
    walk.handle(
        "submit",
        by="wang_shichang",
        outcome="submit",
        data={"goal": "3个月内完成新产品上市推广，首月销售额500万元；附5家竞品分析"},
        comment="已补充",
    )
    walk.handle("review", by="wu_fenguan", data={"review_comment": "同意"}, comment="同意立项")
    walk.handle(
        "rd_plan",
        by="li_yanfa",
        outcome="done",
        data={"plan_document": "https://wiki.example.com/products/a/plan", "plan_schedule": "4月1日前定型"},
    )
    walk.handle(
        "capacity",
        by="wang_shengchan",
        outcome="done",
        data={"capacity_confirmed": True, "monthly_capacity": 5000},
    )
    walk.handle(
        "sales_training",
        by="zhao_xiaoshou",
        outcome="done",
        data={"training_date": "2027-04-20", "attendees": 32},
    )

    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.opened() == [
        ("需求提交", "市场部"),
        ("需求审核", "wu_fenguan"),
        ("需求提交", "市场部"),
        ("需求审核", "wu_fenguan"),
        ("研发方案输出", "li_yanfa"),
        ("生产产能确认", "wang_shengchan"),
        ("销售培训", "zhao_xiaoshou"),
    ]
    assert walk.completed()[:4] == [
        ("需求提交", "zhang_shichang", "submit", "提交上市需求"),
        ("需求审核", "wu_fenguan", "reject", "请补充"),
        ("需求提交", "wang_shichang", "submit", "已补充"),
        ("需求审核", "wu_fenguan", "approve", "同意立项"),
    ]
    assert walk.view.data["goal"].endswith("附5家竞品分析")
    assert walk.view.data["review_comment"] == "同意"
    assert walk.view.data["project"] == "新产品A上市推进"
    assert walk.view.data["attendees"] == 32


# 新品上市审批流程（001 要素表）：五级审批，任一级驳回都退回方案提交

PROPOSAL = {
    "product_name": "智能恒温电热水壶",
    "target_market": "华东地区中高端家庭",
    "launch_date": "2027-05-01",
    "estimated_cost": 1_800_000,
    "expected_sales": 6_000_000,
    "proposal": "三档控温，APP 互联，首批 2 万台",
}
#: 四级评审：节点, 名称, 评审人, 意见字段。
REVIEWS = [
    ("rd_review", "研发评审", "li_yanfa", "rd_opinion"),
    ("market_review", "市场评估", "zhang_shichang", "market_opinion"),
    ("finance_review", "财务审核", "sun_caiwu", "finance_opinion"),
    ("management_approval", "管理层审批", "zheng_zongjingli", "approval_opinion"),
]


@pytest.mark.parametrize("rejected_at", range(len(REVIEWS)), ids=[name for _, name, *_ in REVIEWS])
def test_new_product_approval_rejected_at_any_review_starts_over_at_the_proposal(
    runtime: Runtime, rejected_at: int
) -> None:
    deploy_example(runtime, "new_product_approval")
    walk = Walk(runtime, "new_product_approval", initiator="chen_yanfa")
    walk.handle("submit", by="chen_yanfa", outcome="submit", data=PROPOSAL, comment="提交申请表")
    for node, _, reviewer, opinion in REVIEWS[:rejected_at]:
        walk.handle(node, by=reviewer, data={opinion: "同意"}, comment="通过")
    rejecting_node, rejecting_name, rejecter, rejecting_opinion = REVIEWS[rejected_at]
    walk.handle(
        rejecting_node,
        by=rejecter,
        outcome="reject",
        data={rejecting_opinion: "投入产出比不足"},
        comment="驳回",
    )

    assert walk.waiting() == {"submit": "chen_yanfa"}
    walk.handle(
        "submit", by="chen_yanfa", outcome="submit", data={"estimated_cost": 1_200_000}, comment="已降本"
    )
    for node, _, reviewer, opinion in REVIEWS:
        walk.handle(node, by=reviewer, data={opinion: "同意"}, comment="通过")

    assert walk.view.status is InstanceStatus.COMPLETED
    reviewers = [reviewer for _, _, reviewer, _ in REVIEWS]
    assert [who for _, who in walk.opened()] == [
        "chen_yanfa",
        *reviewers[: rejected_at + 1],
        "chen_yanfa",
        *reviewers,
    ]
    assert walk.completed()[rejected_at + 1] == (rejecting_name, rejecter, "reject", "驳回")
    assert walk.completed()[rejected_at + 2] == ("方案提交", "chen_yanfa", "submit", "已降本")
    assert walk.completed()[-1] == ("管理层审批", "zheng_zongjingli", "approve", "通过")
    assert walk.view.data["estimated_cost"] == 1_200_000
    assert walk.view.data[rejecting_opinion] == "同意"
    assert walk.history("instance_ended")[0].node_name == "审批通过"


# 需求文档审批（000）：优化前串行，优化后技术与法务并行


def test_serial_requirement_review_goes_tech_then_legal_then_finance(runtime: Runtime) -> None:
    deploy_example(runtime, "requirement_review_serial")
    walk = Walk(runtime, "requirement_review_serial", initiator="zhang_shichang")
    walk.handle("submit", by="zhang_shichang", outcome="submit", data=REQUIREMENT, comment="提交需求文档")

    seen = []
    for node, reviewer, opinion in [
        ("tech_review", "liu_jishu", "tech_opinion"),
        ("legal_review", "chen_fawu", "legal_opinion"),
        ("finance_review", "sun_caiwu", "finance_opinion"),
    ]:
        seen.append(walk.waiting())
        walk.handle(node, by=reviewer, data={opinion: "同意"}, comment="通过")

    assert seen == [
        {"tech_review": "liu_jishu"},
        {"legal_review": "chen_fawu"},
        {"finance_review": "sun_caiwu"},
    ]
    assert walk.view.status is InstanceStatus.COMPLETED
    assert [name for name, *_ in walk.completed()] == [
        "提交需求文档",
        "技术部审核",
        "法务部审核",
        "财务部审核",
    ]
    assert {k: walk.view.data[k] for k in ("tech_opinion", "legal_opinion", "finance_opinion")} == {
        "tech_opinion": "同意",
        "legal_opinion": "同意",
        "finance_opinion": "同意",
    }


def test_parallel_requirement_review_opens_tech_and_legal_together_and_finance_after_both(
    runtime: Runtime,
) -> None:
    deploy_example(runtime, "requirement_review_parallel")
    walk = Walk(runtime, "requirement_review_parallel", initiator="zhang_shichang")
    walk.handle("submit", by="zhang_shichang", outcome="submit", data=REQUIREMENT, comment="提交需求文档")

    assert walk.waiting() == {"tech_review": "liu_jishu", "legal_review": "chen_fawu"}
    walk.handle(
        "legal_review", by="chen_fawu", outcome="submit", data={"legal_result": "通过"}, comment="合规"
    )
    assert walk.waiting() == {"tech_review": "liu_jishu"}
    walk.handle("tech_review", by="liu_jishu", outcome="submit", data={"tech_result": "通过"}, comment="可行")
    assert walk.waiting() == {"finance_review": "sun_caiwu"}
    walk.handle("finance_review", by="sun_caiwu", data={"finance_opinion": "预算可控"}, comment="同意")

    assert walk.view.status is InstanceStatus.COMPLETED
    opened = walk.opened()
    assert opened[0] == ("提交需求文档", "zhang_shichang")
    assert set(opened[1:3]) == {("技术部审核", "liu_jishu"), ("法务部审核", "chen_fawu")}
    assert opened[3:] == [("财务部审核", "sun_caiwu")]
    assert walk.completed()[1:] == [
        ("法务部审核", "chen_fawu", "submit", "合规"),
        ("技术部审核", "liu_jishu", "submit", "可行"),
        ("财务部审核", "sun_caiwu", "approve", "同意"),
    ]
    assert (walk.view.data["tech_result"], walk.view.data["legal_result"]) == ("通过", "通过")


def test_parallel_review_with_one_veto_goes_back_to_marketing(runtime: Runtime) -> None:
    deploy_example(runtime, "requirement_review_parallel")
    walk = Walk(runtime, "requirement_review_parallel", initiator="zhang_shichang")
    walk.handle("submit", by="zhang_shichang", outcome="submit", data=REQUIREMENT)
    walk.handle("tech_review", by="liu_jishu", outcome="submit", data={"tech_result": "通过"})
    walk.handle(
        "legal_review",
        by="chen_fawu",
        outcome="submit",
        data={"legal_result": "不通过", "legal_opinion": "积分规则需公示"},
    )

    assert walk.waiting() == {"submit": "zhang_shichang"}
    walk.handle("submit", by="zhang_shichang", outcome="submit", data={"requirements": "增加积分规则公示页"})
    assert walk.waiting() == {"tech_review": "liu_jishu", "legal_review": "chen_fawu"}
    walk.handle("tech_review", by="liu_jishu", outcome="submit", data={"tech_result": "通过"})
    walk.handle("legal_review", by="chen_fawu", outcome="submit", data={"legal_result": "通过"})
    walk.handle("finance_review", by="sun_caiwu", data={"finance_opinion": "同意"})

    assert walk.view.status is InstanceStatus.COMPLETED
    assert [name for name, _ in walk.opened()].count("提交需求文档") == 2
    assert [name for name, _ in walk.opened()].count("财务部审核") == 1


# 市场推广活动（002）：包容网关只开被选中的分支，汇合只等这些分支；上线执行是嵌入子流程

#: 包容网关的分支：节点 → (节点名称, 处理人, 表单)。法务审查没有条件，总是走。
BRANCHES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "design": ("设计物料", "huang_sheji", {"design_assets": "https://cdn.example.com/campaign/kv.zip"}),
    "media": ("媒体投放准备", "wang_shichang", {"channels": "抖音、微信朋友圈", "media_budget": 200_000}),
    "legal": ("法务审查", "chen_fawu", {"legal_opinion": "广告用语合规"}),
}


@pytest.mark.parametrize(
    ("need_design", "need_media"), [(True, False), (False, True), (True, True), (False, False)]
)
def test_marketing_campaign_opens_only_the_chosen_branches_and_waits_for_exactly_those(
    runtime: Runtime, need_design: bool, need_media: bool
) -> None:
    deploy_example(runtime, "marketing_campaign")
    walk = Walk(runtime, "marketing_campaign", initiator="zhang_shichang")
    walk.handle(
        "plan",
        by="zhang_shichang",
        outcome="submit",
        data={
            "campaign_name": "双十二会员日",
            "budget": 500_000,
            "launch_date": "2026-12-12",
            "need_design": need_design,
            "need_media": need_media,
        },
        comment="活动方案",
    )
    chosen = [node for node, wanted in (("design", need_design), ("media", need_media)) if wanted] + ["legal"]

    assert walk.waiting() == {node: BRANCHES[node][1] for node in chosen}
    for done, node in enumerate(chosen):
        assert "go_live" not in walk.waiting(), f"汇合在 {done}/{len(chosen)} 个分支完成时就放行了"
        _, person, form = BRANCHES[node]
        walk.handle(node, by=person, outcome="done", data=form)

    assert walk.waiting() == {"go_live": "wang_shichang"}
    walk.handle(
        "go_live", by="wang_shichang", outcome="done", data={"live_url": "https://m.example.com/1212"}
    )
    assert walk.waiting() == {"retrospective": "zhang_shichang"}
    walk.handle(
        "retrospective", by="zhang_shichang", outcome="done", data={"leads": 1300, "summary": "线索超预期"}
    )

    assert walk.view.status is InstanceStatus.COMPLETED
    assert walk.view.active_nodes == ()
    assert walk.opened() == [
        ("活动策划", "zhang_shichang"),
        *[BRANCHES[node][:2] for node in chosen],
        ("活动上线", "wang_shichang"),
        ("效果复盘", "zhang_shichang"),
    ]
    entered = [h.node_name for h in walk.history("node_entered", "node_passed")]
    assert (
        entered.index("上线执行")
        < entered.index("开始执行")
        < entered.index("执行完成")
        < entered.index("活动结束")
    )
    assert walk.view.data["leads"] == 1300
    assert walk.view.data["need_design"] is need_design


# 表单校验：不合格的提交被拒绝，指出字段，流程原样不动


@pytest.mark.parametrize(
    ("bad", "field", "label"),
    [
        ({"severity": ""}, "severity", "严重程度"),
        ({"contact_phone": "021-1234"}, "contact_phone", "联系电话"),
        ({"complaint_type": "价格"}, "complaint_type", "投诉类型"),
    ],
    ids=["missing", "pattern", "not-an-option"],
)
def test_a_form_error_is_refused_naming_the_field_and_changes_nothing(
    runtime: Runtime, bad: dict[str, Any], field: str, label: str
) -> None:
    deploy_example(runtime, "customer_complaint")
    walk = Walk(runtime, "customer_complaint", initiator="li_kefu")
    before = walk.detail
    form = {**COMPLAINT, "complaint_type": "质量", **bad}

    with pytest.raises(CommandRejected) as refused:
        walk.handle("receive", by="li_kefu", outcome="done", data=form)

    assert refused.value.field == field
    assert refused.value.node_id == "receive"
    assert label in str(refused.value) and field in str(refused.value)
    after = walk.detail
    assert after == before
    assert len(after.history) == len(before.history)
    assert [w.id for w in after.instance.work_items] == [w.id for w in before.instance.work_items]
    assert runtime.queries.work_items(status="completed") == ()


# 版本：同一 key 再次部署生成新版本，运行中的实例留在原版本


def test_redeploying_a_changed_process_makes_version_2_and_running_instances_stay_on_1(
    runtime: Runtime, clock: FrozenClock
) -> None:
    v1 = deploy_example(runtime, "customer_complaint")
    assert (v1.id, v1.version, v1.label, v1.created) == (
        "customer_complaint:1",
        1,
        "V1.0-202611-客户投诉处理流程",
        True,
    )
    old = Walk(runtime, "customer_complaint", initiator="li_kefu")

    clock.advance(timedelta(days=10))
    changed = example_source("customer_complaint").replace("name: 回复客户", "name: 回复客户并回访")
    v2 = runtime.execute(DeployDefinition(changed, source_name="customer_complaint.yaml", actor="admin"))
    again = runtime.execute(DeployDefinition(changed, source_name="customer_complaint.yaml", actor="admin"))

    assert (v2.id, v2.version, v2.label, v2.created) == (
        "customer_complaint:2",
        2,
        "V1.1-202612-客户投诉处理流程",
        True,
    )
    assert (again.id, again.created) == ("customer_complaint:2", False)
    versions = runtime.queries.definitions(key="customer_complaint", latest_only=False)
    assert sorted((d.version, d.label) for d in versions) == [
        (1, "V1.0-202611-客户投诉处理流程"),
        (2, "V1.1-202612-客户投诉处理流程"),
    ]
    assert [d.id for d in runtime.queries.definitions(key="customer_complaint")] == ["customer_complaint:2"]

    new = Walk(runtime, "customer_complaint", initiator="li_kefu")
    assert (new.view.definition_id, new.view.definition_label) == ("customer_complaint:2", v2.label)
    for walk in (old, new):
        walk.handle("receive", by="li_kefu", outcome="done", data={**COMPLAINT, "complaint_type": "服务态度"})
        walk.handle("service_analysis", by="li_kefu", outcome="done", data=ANALYSIS)

    assert old.view.definition_id == "customer_complaint:1"
    assert old.view.definition_label == "V1.0-202611-客户投诉处理流程"
    assert [w.name for w in old.view.work_items] == ["回复客户"]
    assert [w.name for w in new.view.work_items] == ["回复客户并回访"]
    pinned = runtime.execute(StartProcess("customer_complaint", {}, initiator="li_kefu", version=1))
    assert pinned.definition_id == "customer_complaint:1"
    old.handle("reply", by="li_kefu", outcome="done", data=REPLY)
    assert old.view.status is InstanceStatus.COMPLETED
    assert old.detail.instance.definition_id == "customer_complaint:1"
