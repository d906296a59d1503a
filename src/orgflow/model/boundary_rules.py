"""What every boundary event must satisfy at deploy: a fitting activity in its own scope, and no flow in.

Shared by the timer rules and the error rules; each names its own kind of
boundary and the activities it may sit on.
"""

from __future__ import annotations

from collections.abc import Iterator

from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import BoundaryEvent, Node
from orgflow.model.problems import DefinitionProblem
from orgflow.model.suggestions import did_you_mean
from orgflow.model.validation_rule import Where


def attachment_problems(
    definition: ProcessDefinition,
    where: Where,
    boundary: BoundaryEvent,
    *,
    what: str,
    activities: tuple[type[Node], ...],
    activities_text: str,
    hint: str | None = None,
) -> Iterator[DefinitionProblem]:
    """Problems with where a boundary sits: a missing activity, one of the wrong kind or scope, flows in.

    Args:
        definition: The definition.
        where: Finds lines.
        boundary: The boundary event.
        what: Its kind in messages (``边界定时器``).
        activities: The node classes it may be attached to.
        activities_text: Those, as a person reads them (``用户任务、子流程或调用活动``).
        hint: What to do instead when it sits on the wrong kind of node.
    """
    activity = definition.nodes.get(boundary.attached_to)
    if activity is None:
        yield DefinitionProblem(
            message=f"{what} {boundary.id} 依附的节点 {boundary.attached_to} 不存在",
            node_id=boundary.id,
            line=where(boundary.id, "attached_to"),
            field="attached_to",
            hint=did_you_mean(boundary.attached_to, definition.nodes),
        )
    elif not isinstance(activity, activities):
        yield DefinitionProblem(
            message=f"{what}只能挂在{activities_text}上，{activity.label} 不是",
            node_id=boundary.id,
            line=where(boundary.id, "attached_to"),
            field="attached_to",
            hint=hint,
        )
    elif activity.scope != boundary.scope:
        yield DefinitionProblem(
            message=f"{what} {boundary.id} 与它依附的 {activity.id} 不在同一层（子流程）",
            node_id=boundary.id,
            line=boundary.line,
            field="attached_to",
        )
    for flow in definition.incoming(boundary.id):
        yield DefinitionProblem(
            message=f"连线不能指向{what} {boundary.id}（来自 {flow.source}）：它由所依附的节点触发",
            node_id=flow.source,
            line=flow.line,
            field="to",
        )
