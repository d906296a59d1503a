"""Deploy-time checks of routing and permissions: rules, countersign, empty-result policy, field access.

Whether the departments, roles and users a rule names exist is a question
for the org chart, asked at deploy by :mod:`orgflow.org.references`; the
checks here need only the definition.
"""

from __future__ import annotations

from collections.abc import Iterator

from orgflow.model.assignment_rules import AssignmentRule, CountersignMode, EmptyPolicy, TierRule
from orgflow.model.definition import ProcessDefinition
from orgflow.model.field_access import FieldAccess
from orgflow.model.nodes import UserTask
from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.validation_rule import Where


def assignment_rules(definition: ProcessDefinition, where: Where) -> Iterator[DefinitionProblem]:
    """Every routing problem of the definition's user tasks and of its policies."""
    policy = definition.policy
    if policy.on_empty is EmptyPolicy.FALLBACK and policy.fallback is None:
        yield DefinitionProblem(
            message="policies.on_empty 为 fallback，但没有写 policies.fallback（找不到处理人时交给谁）",
            field="policies.fallback",
            line=where(None, "policies"),
            hint="例如 policies: {on_empty: fallback, fallback: {user: admin}}",
        )
    if policy.fallback is not None:
        yield from _tiers(policy.fallback, None, where)
    for node in definition.nodes.values():
        if not isinstance(node, UserTask):
            continue
        if node.assignee is not None:
            yield from _tiers(node.assignee, node.id, where)
        yield from _countersign(node, where)
        yield from _field_access(node, where)
        if node.on_empty is EmptyPolicy.FALLBACK and policy.fallback is None:
            yield DefinitionProblem(
                message="on_empty 为 fallback，但流程没有写 policies.fallback",
                node_id=node.id,
                line=where(node.id, "on_empty"),
                field="on_empty",
                hint="在流程顶层写 policies: {fallback: {user: 用户ID}}",
            )


def _field_access(node: UserTask, where: Where) -> Iterator[DefinitionProblem]:
    """A step's own form fields cannot be hidden from it or made read-only."""
    own = {field.name for field in node.form}
    for name, level in node.field_access:
        if name in own and level is not FieldAccess.EDIT:
            yield DefinitionProblem(
                message=f"字段 {name} 在本节点的表单中，不能设为 {level.value}",
                node_id=node.id,
                line=where(node.id, "fields"),
                field=f"fields.{name}",
                hint="从 fields 中去掉它，或从 form 中去掉它",
            )


def _countersign(node: UserTask, where: Where) -> Iterator[DefinitionProblem]:
    countersign = node.countersign
    line = where(node.id, "countersign")
    percent = countersign.pass_percent
    if percent is not None and countersign.mode is not CountersignMode.ALL:
        yield DefinitionProblem(
            message="pass_percent 只用于会签（mode: all）",
            node_id=node.id,
            line=line,
            field="countersign.pass_percent",
        )
    elif percent is not None and not 0 < percent <= 100:
        yield DefinitionProblem(
            message=f"pass_percent 应在 0 到 100 之间（不含 0），写的是 {percent:g}",
            node_id=node.id,
            line=line,
            field="countersign.pass_percent",
        )
    if countersign.veto and countersign.mode is not CountersignMode.ALL:
        yield DefinitionProblem(
            message="veto（一票否决）只用于会签（mode: all）",
            node_id=node.id,
            line=line,
            field="countersign.veto",
        )


def _tiers(rule: AssignmentRule, node_id: str | None, where: Where) -> Iterator[DefinitionProblem]:
    """Tier bounds rise, only the last may be open, and an open last tier is advised."""
    if not isinstance(rule, TierRule):
        return
    line = where(node_id, "assignee")
    previous: float | None = None
    for index, tier in enumerate(rule.tiers, start=1):
        yield from _tiers(tier.rule, node_id, where)
        if tier.max is None and index != len(rule.tiers):
            yield DefinitionProblem(
                message=f"第 {index} 级没有 max，只有最后一级可以不写 max",
                node_id=node_id,
                line=line,
                field=f"assignee.tiers.levels[{index}].max",
            )
        if tier.max is not None and previous is not None and tier.max <= previous:
            yield DefinitionProblem(
                message=f"第 {index} 级的 max {tier.max:g} 应大于上一级的 {previous:g}",
                node_id=node_id,
                line=line,
                field=f"assignee.tiers.levels[{index}].max",
            )
        if tier.max is not None:
            previous = tier.max
    if rule.tiers and rule.tiers[-1].max is not None:
        yield DefinitionProblem(
            message=f"金额超过 {rule.tiers[-1].max:g} 时没有对应的处理人，将按找不到处理人的策略处理",
            node_id=node_id,
            line=line,
            field="assignee.tiers",
            hint="最后一级不写 max，例如 {assignee: {role: 总经理}}",
            severity=Severity.WARNING,
        )
