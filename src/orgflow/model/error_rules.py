"""Deploy-time rules on business errors: error end events and error boundaries.

An error end event needs a code and cannot also terminate. An error boundary
sits on a user task, service task, subprocess or call activity of its own
scope, is entered by no flow, and names a code (or catches any); two
boundaries of one activity cannot catch the same code (the second would never
be used).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from orgflow.model.boundary_rules import attachment_problems
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import BoundaryError, CallActivity, EndEvent, ServiceTask, SubProcess, UserTask
from orgflow.model.problems import DefinitionProblem
from orgflow.model.validation_rule import Rule, Where

#: Activities an error boundary may sit on.
CATCHING = (UserTask, ServiceTask, SubProcess, CallActivity)


def _error_ends(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if not isinstance(node, EndEvent) or node.error is None:
            continue
        if not node.error.code.strip():
            yield DefinitionProblem(
                message=f"错误结束节点 {node.label} 缺少错误码",
                node_id=node.id,
                line=where(node.id, "error"),
                field="error",
                hint="例如 error: CREDIT_DENIED",
            )
        if node.terminate:
            yield DefinitionProblem(
                message=f"结束节点 {node.label} 不能既是终止结束又是错误结束",
                node_id=node.id,
                line=where(node.id, "terminate"),
                field="terminate",
                hint="去掉 terminate: true，或去掉 error",
            )


def _error_boundaries(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    caught: dict[tuple[str, str | None], str] = {}
    for node in definition.nodes.values():
        if not isinstance(node, BoundaryError):
            continue
        yield from attachment_problems(
            definition,
            where,
            node,
            what="边界错误事件",
            activities=CATCHING,
            activities_text="用户任务、服务任务、子流程或调用活动",
        )
        if node.code is not None and not node.code.strip():
            yield DefinitionProblem(
                message="边界错误事件的错误码不能为空；要捕获任何错误请写 error: true",
                node_id=node.id,
                line=where(node.id, "error"),
                field="error",
            )
        key = (node.attached_to, node.code)
        if key in caught:
            what = f"错误 {node.code}" if node.code is not None else "任何错误"
            yield DefinitionProblem(
                message=f"{node.attached_to} 已有边界错误事件 {caught[key]} 捕获{what}，{node.id} 永远用不上",
                node_id=node.id,
                line=node.line,
                field="error",
            )
        caught.setdefault(key, node.id)


#: The error rules, in the order their problems are listed.
ERROR_RULES: Final[tuple[Rule, ...]] = (_error_ends, _error_boundaries)
