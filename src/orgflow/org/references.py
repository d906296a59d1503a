"""Deploy-time check of the names a definition's assignment rules use, against the current org chart.

A rule naming a department or user the org does not know is refused at
deploy, each problem naming the node and the line, because at run time it
would stop every instance that reaches it. A role nobody holds today is only
a warning: the post may be filled before the first instance arrives.

A person may be named by display name where the format lets deploy write the
user id in (:mod:`orgflow.org.people`); a name left by then fits nobody, or
several people, and is refused here naming the people it could mean.
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
from orgflow.org.people import users_named

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
            problems += _rule(node.assignee, org, node.id, "assignee", line, node.department)
    return problems


def _rule(
    rule: AssignmentRule,
    org: OrgSnapshot,
    node_id: str | None,
    field: str,
    line: int | None,
    department: str | None = None,
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
            yield from _person(org, rule.user, department, problem)
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
            yield from _rule(tier.rule, org, node_id, field, line, department)
    elif isinstance(rule, AnyOfRule):
        for part in rule.rules:
            yield from _rule(part, org, node_id, field, line, department)


def _person(
    org: OrgSnapshot, name: str, department: str | None, problem: _Problem
) -> Iterator[DefinitionProblem]:
    """A person who is no user id: a display name fitting several people, or one deploy could not write in."""
    if department is not None and org.department(department) is None:
        yield from _department(org, department, problem)
        return
    named = users_named(org, name, department)
    if len(named) > 1:
        yield problem(
            f"姓名 {name} 对应 {len(named)} 名在职人员：{_people(org, named)}，无法确定是哪一位",
            hint="改写为用户ID",
        )
    elif named:  # a format in which deploy cannot write the user id in (YAML, BPMN)
        yield problem(f"{name} 是姓名，这里应写用户ID", hint=f"改写为 {named[0]}")
    elif department is not None and (elsewhere := users_named(org, name)):
        yield problem(
            f"{department} 没有名为 {name} 的在职人员（{name} 是 {_people(org, elsewhere)}）",
            hint="改写部门，或写用户ID",
        )
    else:
        yield problem(f"组织架构中没有用户 {name}", hint="先导入包含该用户的组织架构，或改写用户ID")


def _people(org: OrgSnapshot, user_ids: tuple[str, ...]) -> str:
    """``zhang_san（研发部）、zhang_san2（市场部）``: each user id with its primary department's name."""
    shown = []
    for user_id in user_ids:
        user = org.user(user_id)
        primary = org.department(user.primary_department or "") if user is not None else None
        shown.append(f"{user_id}（{primary.name}）" if primary is not None else user_id)
    return "、".join(shown)


def _department(org: OrgSnapshot, name: str, problem: _Problem) -> Iterator[DefinitionProblem]:
    if org.department(name) is not None:
        return
    shared = org.ambiguous(name)
    if shared:
        yield problem(f"部门名称 {name} 对应多个部门（{'、'.join(shared)}）", hint="改写为部门编号")
    else:
        known = "、".join(department.name for department in list(org.departments.values())[:12])
        yield problem(f"组织架构中没有部门 {name}", hint=f"已有部门：{known}")
