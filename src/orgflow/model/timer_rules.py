"""Deploy-time rules on timers: where boundary timers may sit, and which timer shapes fit which node.

The shape of each ``timer`` block (exactly one of duration/date/cycle, ISO
literals, date expressions) is checked while reading, where the line is known;
these rules look at the built definition, so they hold for any loader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from orgflow.model.boundary_rules import attachment_problems
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import BoundaryTimer, CallActivity, StartEvent, SubProcess, TimerEvent, UserTask
from orgflow.model.problems import DefinitionProblem
from orgflow.model.validation_rule import Rule, Where


def _boundaries(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if not isinstance(node, BoundaryTimer):
            continue
        yield from attachment_problems(
            definition,
            where,
            node,
            what="边界定时器",
            activities=(UserTask, SubProcess, CallActivity),
            activities_text="用户任务、子流程或调用活动",
            hint="等待一段时间请用 type: timer 的定时节点",
        )
        if node.interrupting and node.timer.cycle is not None:
            yield DefinitionProblem(
                message="中断型边界定时器只会触发一次，不能写 cycle",
                node_id=node.id,
                line=where(node.id, "timer"),
                field="timer.cycle",
                hint="要周期提醒请加 interrupting: false；要超时转出请用 duration 或 date",
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
