"""The demo's running instances: example processes advanced to telling steps, each created once.

Each scene starts one instance of an example process and takes its first
steps as the demo company's people would, so that someone signing in finds
work in every state: waiting to be confirmed (确认接收), sent back for
revision (驳回修改), in progress, and finished. The instance carries its
scene's name in its data (``demo_scene``), which is how a second run knows it
is there already and leaves it alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from orgflow.errors import NotFound
from orgflow.runtime.actions import AcknowledgeWorkItem, CompleteWorkItem, InstanceView, StartProcess
from orgflow.runtime.facade import Runtime
from orgflow.runtime.views import InstanceSummary

#: The data field naming an instance's scene.
SCENE_FIELD: Final = "demo_scene"


@dataclass(frozen=True, kw_only=True, slots=True)
class Move:
    """One person completing the instance's first open work item."""

    actor: str
    outcome: str
    comment: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Scene:
    """One demo instance and how far it is taken.

    Attributes:
        name: Its id, stored in the instance's data as ``demo_scene``.
        label: What it shows, for the printed list.
        key: The example process.
        initiator: Who starts it.
        moves: The completions, in order.
        acknowledged_by: Who then confirms receipt of the open work item (``None``: nobody yet).
    """

    name: str
    label: str
    key: str
    initiator: str
    moves: tuple[Move, ...]
    acknowledged_by: str | None = None


_LAUNCH_B: Final = {
    "task_name": "新产品B上市推进",
    "goal": "2个月内完成新产品B在华东区的上市推广，首月销售额300万元",
    "partner_departments": "研发部、生产部、销售部",
    "deadline": "2027-06-30",
    "priority": "中",
}
_LAUNCH_C: Final = {
    "task_name": "智能水杯C上市推进",
    "goal": "618 前完成线上首发",
    "partner_departments": "研发部、销售部",
    "deadline": "2027-05-31",
    "priority": "高",
}

#: The scenes, in the order they are created and printed.
SCENES: Final = (
    Scene(
        name="waiting_for_receipt",
        label="等待分管领导确认接收",
        key="new_product_launch",
        initiator="zhang_shichang",
        moves=(Move(actor="zhang_shichang", outcome="submit", comment="提交上市需求", data=_LAUNCH_B),),
    ),
    Scene(
        name="returned_for_revision",
        label="需求审核驳回，退回市场部修改",
        key="new_product_launch",
        initiator="wang_shichang",
        moves=(
            Move(actor="wang_shichang", outcome="submit", comment="提交上市需求", data=_LAUNCH_C),
            Move(
                actor="wu_fenguan",
                outcome="reject",
                comment="请补充目标市场和竞品分析",
                data={"review_comment": "缺少目标市场与竞品分析，请补充后重新提交"},
            ),
        ),
    ),
    Scene(
        name="in_progress",
        label="研发部负责人已确认接收，评审中",
        key="new_product_approval",
        initiator="chen_yanfa",
        moves=(
            Move(
                actor="chen_yanfa",
                outcome="submit",
                comment="提交新品上市申请表",
                data={
                    "product_name": "便携咖啡机 D1",
                    "target_market": "一二线城市白领",
                    "launch_date": "2027-09-01",
                    "estimated_cost": 1200000,
                    "expected_sales": 8000000,
                    "proposal": "胶囊兼容、30 秒出杯，首批 2 万台",
                },
            ),
        ),
        acknowledged_by="li_yanfa",
    ),
    Scene(
        name="finished",
        label="质量投诉已闭环",
        key="customer_complaint",
        initiator="li_kefu",
        moves=(
            Move(
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
            Move(
                actor="wang_shengchan",
                outcome="done",
                comment="原因已查明",
                data={"cause": "注塑温度偏低", "solution": "调整工艺参数并为客户换货"},
            ),
            Move(
                actor="li_kefu",
                outcome="done",
                comment="已回复客户",
                data={"reply_content": "已为您安排换货，并改进了生产工艺", "customer_satisfied": True},
            ),
        ),
    ),
)


def find_scene(runtime: Runtime, scene: Scene) -> InstanceSummary | None:
    """The instance a previous run made for ``scene``, if there is one."""
    for summary in runtime.queries.instances(definition_key=scene.key, initiator=scene.initiator, limit=500):
        if runtime.queries.instance(summary.id).instance.data.get(SCENE_FIELD) == scene.name:
            return summary
    return None


def play_scene(runtime: Runtime, scene: Scene) -> InstanceView:
    """Start ``scene``'s instance and take its moves, each one command as a person would send it.

    Raises:
        NotFound: The process ended before a move (the example changed under the scene).
    """
    view = runtime.execute(
        StartProcess(key=scene.key, data={SCENE_FIELD: scene.name}, initiator=scene.initiator)
    )
    for move in scene.moves:
        if not view.work_items:
            raise NotFound(
                f"演示场景 {scene.name}：流程 {scene.key} 已没有待办，无法由 {move.actor} 继续办理"
            )
        view = runtime.execute(
            CompleteWorkItem(
                work_item_id=view.work_items[0].id,
                actor=move.actor,
                outcome=move.outcome,
                data=move.data,
                comment=move.comment,
            )
        )
    if scene.acknowledged_by is not None and view.work_items:
        runtime.execute(AcknowledgeWorkItem(view.work_items[0].id, scene.acknowledged_by))
    return view
