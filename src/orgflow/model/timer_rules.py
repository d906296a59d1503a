"""Deploy-time rules on timers: where boundary timers may sit, and which timer shapes fit which node.

The shape of each ``timer`` block (exactly one of duration/date/cycle, ISO
literals, date expressions) is checked while reading, where the line is known;
these rules look at the built definition, so they hold for any loader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import BoundaryTimer, StartEvent, SubProcess, TimerEvent, UserTask
from orgflow.model.problems import DefinitionProblem
from orgflow.model.suggestions import did_you_mean
from orgflow.model.validation_rule import Rule, Where


def _boundaries(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if not isinstance(node, BoundaryTimer):
            continue
        activity = definition.nodes.get(node.attached_to)
        if activity is None:
            yield DefinitionProblem(
                message=f"边界定时器 {node.id} 依附的节点 {node.attached_to} 不存在",
                node_id=node.id,
                line=where(node.id, "attached_to"),
                field="attached_to",
                hint=did_you_mean(node.attached_to, definition.nodes),
            )
        elif not isinstance(activity, UserTask | SubProcess):
            yield DefinitionProblem(
                message=f"边界定时器只能挂在用户任务或子流程上，{activity.label} 不是",
                node_id=node.id,
                line=where(node.id, "attached_to"),
                field="attached_to",
                hint="等待一段时间请用 type: timer 的定时节点",
            )
        elif activity.scope != node.scope:
            yield DefinitionProblem(
                message=f"边界定时器 {node.id} 与它依附的 {activity.id} 不在同一层（子流程）",
                node_id=node.id,
                line=node.line,
                field="attached_to",
            )
        if node.interrupting and node.timer.cycle is not None:
            yield DefinitionProblem(
                message="中断型边界定时器只会触发一次，不能写 cycle",
                node_id=node.id,
                line=where(node.id, "timer"),
                field="timer.cycle",
                hint="要周期提醒请加 interrupting: false；要超时转出请用 duration 或 date",
            )
        for flow in definition.incoming(node.id):
            yield DefinitionProblem(
                message=f"连线不能指向边界定时器 {node.id}（来自 {flow.source}）：它由所依附的节点触发",
                node_id=flow.source,
                line=flow.line,
                field="to",
            )


def _timer_nodes(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if isinstance(node, TimerEvent) and node.timer.cycle is not None:
            yield DefinitionProblem(
                message=f"定时节点 {node.label} 只等待一次，不能写 cycle",
                node_id=node.id,
                line=where(node.id, "timer"),
                field="timer.cycle",
                hint="写 duration 或 date；周期启动请写在流程的开始节点上",
            )
        elif isinstance(node, StartEvent) and node.timer is not None:
            if node.scope is not None:
                yield DefinitionProblem(
                    message="只有流程的开始节点可以写 timer，子流程的开始节点不能",
                    node_id=node.id,
                    line=where(node.id, "timer"),
                    field="timer",
                )
            elif node.timer.duration is not None:
                yield DefinitionProblem(
                    message="开始节点的 timer 应写 cycle（周期启动）或 date（定时启动一次），不能写 duration",
                    node_id=node.id,
                    line=where(node.id, "timer"),
                    field="timer.duration",
                    hint='例如 timer: {cycle: "R/2026-01-01T09:00+08:00/P3M"}（每季度一次）',
                )


#: The timer rules, in the order their problems are listed.
TIMER_RULES: Final[tuple[Rule, ...]] = (_boundaries, _timer_nodes)
