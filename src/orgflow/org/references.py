"""Deploy-time check of the names a definition's assignment rules use, against the current org chart.

A rule naming a department or user the org does not know is refused at
deploy, each problem naming the node and the line, because at run time it
would stop every instance that reaches it. A role nobody holds today is only
a warning: the post may be filled before the first instance arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from orgflow.model.assignment_rules import (
    AnyOfRule,
    AssignmentRule,
    DepartmentRule,
    MappedDepartment,
    NamedDepartment,
    RoleRule,
    TierRule,
    UserRule,
)
from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import UserTask
from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.validation_rule import SourceLines
from orgflow.org.model import OrgSnapshot

#: Builds a problem at the rule's node, field and line.
_Problem = Callable[..., DefinitionProblem]


def check_references(
    definition: ProcessDefinition, org: OrgSnapshot, lines: SourceLines | None = None
) -> list[DefinitionProblem]:
    """Every department, user and role named by the definition's rules that the org does not have."""
    if org.is_empty:
        return []
    lines = lines or {}
    problems: list[DefinitionProblem] = []
    policy_rule = definition.policy.fallback
    if policy_rule is not None:
        problems += _rule(policy_rule, org, None, "policies.fallback", lines.get((None, "policies")))
    for node in definition.nodes.values():
        if isinstance(node, UserTask) and node.assignee is not None:
            line = lines.get((node.id, "assignee"), node.line)
            problems += _rule(node.assignee, org, node.id, "assignee", line)
    return problems


def _rule(
    rule: AssignmentRule, org: OrgSnapshot, node_id: str | None, field: str, line: int | None
) -> Iterator[DefinitionProblem]:
    def problem(
        message: str, severity: Severity = Severity.ERROR, hint: str | None = None
    ) -> DefinitionProblem:
        return DefinitionProblem(
            message=message, node_id=node_id, line=line, field=field, severity=severity, hint=hint
        )

    if isinstance(rule, UserRule):
        user = org.user(rule.user)
        if user is None:
            yield problem(f"组织架构中没有用户 {rule.user}", hint="先导入包含该用户的组织架构，或改写用户ID")
        elif not user.active:
            yield problem(f"用户 {user.name}（{rule.user}）已停用", Severity.WARNING)
    elif isinstance(rule, RoleRule):
        if not org.role_holders(rule.role):
            yield problem(f"目前没有人担任角色 {rule.role}", Severity.WARNING)
    elif isinstance(rule, DepartmentRule):
        names = []
        if isinstance(rule.source, NamedDepartment):
            names = [rule.source.name]
        elif isinstance(rule.source, MappedDepartment):
            names = [department for _, department in rule.source.table]
            names += [rule.source.default] if rule.source.default else []
        for name in dict.fromkeys(names):
            yield from _department(org, name, problem)
    elif isinstance(rule, TierRule):
        for tier in rule.tiers:
            yield from _rule(tier.rule, org, node_id, field, line)
    elif isinstance(rule, AnyOfRule):
        for part in rule.rules:
            yield from _rule(part, org, node_id, field, line)


def _department(org: OrgSnapshot, name: str, problem: _Problem) -> Iterator[DefinitionProblem]:
    if org.department(name) is not None:
        return
    shared = org.ambiguous(name)
    if shared:
        yield problem(f"部门名称 {name} 对应多个部门（{'、'.join(shared)}）", hint="改写为部门编号")
    else:
        known = "、".join(department.name for department in list(org.departments.values())[:12])
        yield problem(f"组织架构中没有部门 {name}", hint=f"已有部门：{known}")
