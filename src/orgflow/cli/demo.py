"""``orgflow demo``: walk an example process end to end, as its people would, printing each step.

The walk is scripted per example (who acts, with what outcome and form data),
including a rejection that sends the request back for revision, so the demo
shows loops as well as the straight path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orgflow.cli.output import status_label, who
from orgflow.errors import NotFound
from orgflow.labels import OUTCOME_LABELS
from orgflow.runtime.actions import CompleteWorkItem, StartProcess
from orgflow.runtime.facade import Runtime
from orgflow.runtime.views import InstanceDetail

Say = Callable[[str], None] | None


@dataclass(frozen=True, kw_only=True)
class Step:
    """One person's action on one work item."""

    actor: str
    outcome: str
    comment: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Who starts the demo instance, and the steps per node in the order they are taken."""

    initiator: str
    data: Mapping[str, Any]
    steps: Mapping[str, tuple[Step, ...]]


PLANS: Mapping[str, Plan] = {
    "new_product_launch": Plan(
        initiator="zhang_shichang",
        data={"project": "新产品A上市推进"},
        steps={
            "submit": (
                Step(
                    actor="zhang_shichang",
                    outcome="submit",
                    comment="提交上市需求",
                    data={
                        "task_name": "新产品A上市推进",
                        "goal": "3个月内完成新产品上市推广，首月销售额500万元",
                        "partner_departments": "研发部、生产部、销售部",
                        "deadline": "2027-03-31",
                        "priority": "高",
                    },
                ),
                Step(
                    actor="zhang_shichang",
                    outcome="submit",
                    comment="已补充目标市场与竞品分析",
                    data={"goal": "3个月内完成新产品上市推广，首月销售额500万元；附目标市场与5家竞品分析"},
                ),
            ),
            "review": (
                Step(
                    actor="wu_fenguan",
                    outcome="reject",
                    comment="请补充目标市场和竞品分析",
                    data={"review_comment": "需求描述不清晰，缺少目标市场与竞品分析"},
                ),
                Step(
                    actor="wu_fenguan", outcome="approve", comment="同意立项", data={"review_comment": "同意"}
                ),
            ),
            "rd_plan": (
                Step(
                    actor="li_yanfa",
                    outcome="done",
                    comment="研发方案已输出",
                    data={
                        "plan_document": "https://wiki.example.com/products/a/plan",
                        "plan_schedule": "3月15日前完成原型，4月1日前定型",
                    },
                ),
            ),
            "capacity": (
                Step(
                    actor="wang_shengchan",
                    outcome="done",
                    comment="产能确认通过",
                    data={"capacity_confirmed": True, "monthly_capacity": 5000},
                ),
            ),
            "sales_training": (
                Step(
                    actor="zhao_xiaoshou",
                    outcome="done",
                    comment="销售培训完成",
                    data={"training_date": "2027-04-20", "attendees": 32},
                ),
            ),
        },
    ),
    "customer_complaint": Plan(
        initiator="li_kefu",
        data={},
        steps={
            "receive": (
                Step(
                    actor="li_kefu",
                    outcome="done",
                    comment="已受理",
                    data={
                        "customer_name": "华东某经销商",
                        "complaint_type": "质量",
                        "severity": "高",
                        "description": "批次 B0312 外壳开裂",
                    },
                ),
            ),
            "production_analysis": (
                Step(
                    actor="wang_shengchan",
                    outcome="done",
                    comment="原因已查明",
                    data={"cause": "注塑温度偏低", "solution": "调整工艺参数并为客户换货"},
                ),
            ),
            "reply": (
                Step(
                    actor="li_kefu",
                    outcome="done",
                    comment="已回复客户",
                    data={"reply_content": "已为您安排换货，并改进了生产工艺", "customer_satisfied": True},
                ),
            ),
        },
    ),
}


def walk(runtime: Runtime, key: str, say: Say) -> InstanceDetail:
    """Start one instance of ``key`` and complete its work items by the demo script."""
    plan = PLANS.get(key)
    if plan is None:
        raise NotFound(f"没有流程 {key} 的演示脚本；可演示：{'、'.join(PLANS)}")
    if not runtime.queries.definitions(key=key):
        raise NotFound(f"流程 {key} 尚未部署，请先运行 orgflow deploy examples/{key}.yaml")
    echo = say or (lambda _text: None)
    view = runtime.execute(StartProcess(key=key, data=plan.data, initiator=plan.initiator))
    echo(f"{plan.initiator} 发起「{view.definition_label}」，任务ID {view.business_key}")
    taken: dict[str, int] = {}
    while view.work_items:
        item = view.work_items[0]
        steps = plan.steps.get(item.node_id, ())
        index = taken.get(item.node_id, 0)
        if index >= len(steps):
            raise NotFound(f"演示脚本没有为节点 {item.node_id} 的第 {index + 1} 次办理准备数据")
        step = steps[index]
        taken[item.node_id] = index + 1
        echo(f"  待办「{item.name}」派给 {who(item.assignee, item.candidate_group)}")
        view = runtime.execute(
            CompleteWorkItem(
                work_item_id=item.id,
                actor=step.actor,
                outcome=step.outcome,
                data=step.data,
                comment=step.comment,
            )
        )
        verdict = OUTCOME_LABELS.get(step.outcome, "完成")
        following = "、".join(w.name for w in view.work_items) or status_label(view.status)
        echo(f"  [{item.name}] {step.actor} {verdict}：{step.comment} → {following}")
    echo(f"流程实例 {view.business_key} {status_label(view.status)}")
    return runtime.queries.instance(view.id)
