"""Deploy-time checks of a process definition, whatever format it was read from.

:func:`validate_definition` runs every rule and returns every problem at once,
each naming the node, the line and the attribute (``field``) concerned, so a
process owner can fix a definition in one pass. Rules that need the source
format (unknown keys, YAML types, duplicate ids) belong to the loaders; the
rules here look only at the built :class:`~orgflow.model.definition.ProcessDefinition`.

The graph rules (scopes, reachability) are in :mod:`orgflow.model.graph_rules`,
timers in :mod:`~orgflow.model.timer_rules`, business errors in
:mod:`~orgflow.model.error_rules`, multi-instance and call activities in
:mod:`~orgflow.model.multi_instance_rules`; the rules on gateways, conditions,
tasks and forms are here.

Severity: everything is an error except an exclusive or inclusive gateway whose
every outgoing flow has a condition and no default, which is a warning (the
author may know the conditions cover every case; the engine fails the instance
if they do not).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Final

from orgflow.model.assignment_checks import assignment_rules
from orgflow.model.definition import Flow, ProcessDefinition
from orgflow.model.error_rules import ERROR_RULES
from orgflow.model.graph_rules import GRAPH_RULES
from orgflow.model.multi_instance_rules import MULTI_INSTANCE_RULES
from orgflow.model.nodes import (
    ExclusiveGateway,
    Gateway,
    InclusiveGateway,
    ParallelGateway,
    ServiceTask,
    UserTask,
)
from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.rules import FieldType, FormField
from orgflow.model.timer_rules import TIMER_RULES
from orgflow.model.validation_rule import Rule, SourceLines, Where, is_placeholder

__all__ = ["SourceLines", "validate_definition"]


def validate_definition(
    definition: ProcessDefinition, *, lines: SourceLines | None = None
) -> list[DefinitionProblem]:
    """Run every deploy-time rule over a definition.

    Args:
        definition: The definition as a loader built it.
        lines: Lines of attributes (``("review", "assignee") -> 12``) for sharper positions.

    Returns:
        Every problem found, errors and warnings, in rule order.
    """
    where = Where(definition, lines or {})
    problems: list[DefinitionProblem] = []
    for rule in _RULES:
        problems.extend(rule(definition, where))
    return problems


# -- gateways and conditions ------------------------------------------------------------


def _gateways(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if not isinstance(node, Gateway):
            continue
        outgoing = definition.outgoing(node.id)
        yield from _default_flow(definition, node, where)
        if isinstance(node, ParallelGateway):
            yield from _parallel(node, outgoing, definition)
        elif isinstance(node, ExclusiveGateway | InclusiveGateway):
            yield from _deciding(node, outgoing, where)


def _default_flow(
    definition: ProcessDefinition, gateway: Gateway, where: Where
) -> Iterator[DefinitionProblem]:
    if gateway.default_flow is None or isinstance(gateway, ParallelGateway):
        return
    flow = definition.flows.get(gateway.default_flow)
    if flow is None or flow.source != gateway.id:
        yield DefinitionProblem(
            message=f"默认连线 {gateway.default_flow} 不是网关 {gateway.id} 的出口连线",
            node_id=gateway.id,
            line=where(gateway.id, "default"),
            field="default",
        )
    elif flow.condition is not None:
        yield DefinitionProblem(
            message=f"默认连线 {flow.id} 不能再写条件（when）：其他条件都不满足时才走它",
            node_id=gateway.id,
            line=flow.line,
            field="default",
            hint="去掉 when，或去掉 default: true",
        )


def _parallel(
    gateway: ParallelGateway, outgoing: tuple[Flow, ...], definition: ProcessDefinition
) -> Iterator[DefinitionProblem]:
    for flow in outgoing:
        if flow.condition is not None:
            yield DefinitionProblem(
                message=f"并行网关的出口连线不能有条件（{flow.condition.source}）：并行网关总是走所有出口",
                node_id=gateway.id,
                line=flow.line,
                field="when",
                hint="要按条件分支请用 exclusive_gateway 或 inclusive_gateway",
            )
    if gateway.default_flow is not None:
        default = definition.flows.get(gateway.default_flow)
        yield DefinitionProblem(
            message="并行网关不能有默认连线",
            node_id=gateway.id,
            line=default.line if default is not None else gateway.line,
            field="default",
            hint="去掉 default: true",
        )


def _deciding(
    gateway: ExclusiveGateway | InclusiveGateway, outgoing: tuple[Flow, ...], where: Where
) -> Iterator[DefinitionProblem]:
    unconditional = [flow for flow in outgoing if flow.condition is None]
    if outgoing and not unconditional and gateway.default_flow is None:
        yield DefinitionProblem(
            message=f"网关 {gateway.label} 的出口连线都有条件且没有默认连线：条件都不满足时流程实例会出错",
            node_id=gateway.id,
            line=gateway.line,
            field="default",
            hint="确认条件覆盖了所有情况，或给其中一条连线去掉 when 并写 default: true",
            severity=Severity.WARNING,
        )
    if isinstance(gateway, ExclusiveGateway) and len(unconditional) > 1:
        targets = "、".join(flow.target for flow in unconditional)
        yield DefinitionProblem(
            message=f"排他网关 {gateway.label} 有 {len(unconditional)} 条连线没有条件（到 {targets}），"
            "无法确定走哪一条",
            node_id=gateway.id,
            line=where(gateway.id, "next"),
            field="when",
            hint="给每条连线写 when 条件，只留一条不写条件、标为 default: true 的默认连线",
        )


def _conditions_outside_gateways(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for flow in definition.flows.values():
        source = definition.nodes.get(flow.source)
        if flow.condition is None or source is None or isinstance(source, Gateway) or is_placeholder(source):
            continue
        yield DefinitionProblem(
            message=f"只有网关的出口连线可以写条件，{source.label} 不是网关",
            node_id=flow.source,
            line=flow.line,
            field="when",
            hint="在该节点后加一个 exclusive_gateway，把条件写在网关的出口连线上",
        )


# -- tasks -----------------------------------------------------------------------------


def _user_tasks(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if not isinstance(node, UserTask):
            continue
        assignee = node.assignee
        if assignee is None:
            yield DefinitionProblem(
                message=f"用户任务 {node.label} 没有处理人",
                node_id=node.id,
                line=node.line,
                field="assignee",
                hint="写 assignee: {user: 用户ID}、{department: 部门, pick: head} 或 {role: 角色}",
            )
        yield from _outcomes(node, where)
        yield from _form(node, where)


def _outcomes(task: UserTask, where: Where) -> Iterator[DefinitionProblem]:
    line = where(task.id, "outcomes")
    if not task.outcomes:
        yield DefinitionProblem(
            message="outcomes 不能为空：处理人至少要有一个可选的处理结果",
            node_id=task.id,
            line=line,
            field="outcomes",
            hint="不写 outcomes 时默认为 [approve, reject]",
        )
    seen: set[str] = set()
    for outcome in task.outcomes:
        if not isinstance(outcome, str) or not outcome.strip():
            yield DefinitionProblem(
                message=f"处理结果应为非空文本，写的是 {outcome!r}",
                node_id=task.id,
                line=line,
                field="outcomes",
            )
        elif outcome in seen:
            yield DefinitionProblem(
                message=f"处理结果 {outcome} 重复", node_id=task.id, line=line, field="outcomes"
            )
        seen.add(outcome)


def _service_tasks(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        if isinstance(node, ServiceTask) and not node.handler.strip():
            yield DefinitionProblem(
                message=f"服务任务 {node.label} 缺少 handler",
                node_id=node.id,
                line=where(node.id, "handler"),
                field="handler",
                hint="写 handler: 处理程序名，即运行时注册的服务处理程序的名字",
            )


def _time_limits(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    for node in definition.nodes.values():
        limit = node.time_limit if isinstance(node, UserTask | ServiceTask) else None
        if limit is not None and not (math.isfinite(limit.amount) and limit.amount > 0):
            yield DefinitionProblem(
                message=f"时限应为正数，写的是 {limit.amount}",
                node_id=node.id,
                line=where(node.id, "time_limit"),
                field="time_limit",
                hint="例如 time_limit: {hours: 24} 或 {working_days: 3}",
            )


# -- forms -----------------------------------------------------------------------------------


def _form(task: UserTask, where: Where) -> Iterator[DefinitionProblem]:
    seen: set[str] = set()
    for index, form_field in enumerate(task.form):
        field = f"form.{form_field.name}"
        line = where(task.id, f"form[{index}]")
        problems = list(_form_field(form_field))
        if form_field.name in seen:
            problems.append(("表单字段名重复", "每个字段的 name 在同一表单里要唯一"))
        seen.add(form_field.name)
        for message, hint in problems:
            yield DefinitionProblem(
                message=f"表单字段 {form_field.name or '(无名)'}：{message}",
                node_id=task.id,
                line=line,
                field=field,
                hint=hint,
            )


def _form_field(form_field: FormField) -> Iterator[tuple[str, str | None]]:
    name = form_field.name
    if not name.isidentifier() or name.startswith("__"):
        yield (
            "name 应是字母、数字或下划线组成的名字（可含中文，不以数字开头）",
            "条件里会用这个名字引用字段的值",
        )
    low, high = form_field.min, form_field.max
    if low is not None and high is not None and low > high:
        yield f"min（{low}）大于 max（{high}）", None
    if form_field.pattern is not None:
        try:
            re.compile(form_field.pattern)
        except re.error as error:
            yield f"pattern 不是有效的正则表达式（{error}）", "例如 '[A-Z]{3}\\d+'"
    if form_field.type is FieldType.CHOICE and not form_field.options:
        yield "选择字段（choice）必须写 options", "例如 options: [质量, 物流延迟, 服务态度]"


_RULES: Final[tuple[Rule, ...]] = (
    *GRAPH_RULES,
    _gateways,
    _conditions_outside_gateways,
    _user_tasks,
    assignment_rules,
    _service_tasks,
    _time_limits,
    *TIMER_RULES,
    *ERROR_RULES,
    *MULTI_INSTANCE_RULES,
)
