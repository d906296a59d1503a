"""Assignment = rule + org snapshot + instance -> people (pure).

A resolution is either people (and, for department members or role holders,
the candidate group they share the work as), *empty* (the rule is sound but
finds nobody today: no head, an empty role, a user who has left; the
definition's policy decides what happens) or an *error* (the rule names
something the org does not know: a configuration mistake to fix).

With no org imported at all, only rules that need no chart work: a named
user is taken at their word and a named department becomes a candidate group.
That keeps a fresh installation usable before its org file arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orgflow.errors import ExpressionError
from orgflow.model.assignment_rules import (
    AnyOfRule,
    AssignmentRule,
    DepartmentFromField,
    DepartmentRule,
    DepartmentSource,
    HeadChainRule,
    InitiatorDepartment,
    MappedDepartment,
    NamedDepartment,
    Pick,
    RoleRule,
    TierRule,
    UserFromExpression,
    UserFromField,
    UserRule,
)
from orgflow.org.model import Department, OrgSnapshot, department_group, role_group

NO_ORG = "尚未导入组织架构"


@dataclass(frozen=True, slots=True)
class Resolution:
    """Who a rule found.

    Attributes:
        users: The people, in order (countersign in turn follows it).
        group: The candidate group they share the work as, when the rule names one.
        empty: Why nobody was found, when nobody was.
        error: What the rule names that the org does not know.
        groups: For several candidates (:class:`AnyOfRule`): the groups each offered an item
            of their own; ``users`` are then the people named besides them.
    """

    users: tuple[str, ...] = ()
    group: str | None = None
    empty: str | None = None
    error: str | None = None
    groups: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        """Someone (or a group) can take the work."""
        return self.error is None and self.empty is None and bool(self.users or self.group or self.groups)


def _empty(reason: str) -> Resolution:
    return Resolution(empty=reason)


def _error(reason: str) -> Resolution:
    return Resolution(error=reason)


def resolve(
    rule: AssignmentRule, org: OrgSnapshot, *, initiator: str | None, data: Mapping[str, Any]
) -> Resolution:
    """The people ``rule`` means for an instance started by ``initiator`` with ``data``."""
    if isinstance(rule, UserRule):
        return _users(org, (rule.user,))
    if isinstance(rule, UserFromField):
        return _users_from_field(org, rule.field, data.get(rule.field))
    if isinstance(rule, UserFromExpression):
        return _users_from_expression(org, rule, data)
    if isinstance(rule, DepartmentRule):
        return _department_people(rule, org, initiator, data)
    if isinstance(rule, HeadChainRule):
        return _head_chain(org, initiator, rule.level)
    if isinstance(rule, AnyOfRule):
        return _any_of(rule, org, initiator, data)
    if isinstance(rule, RoleRule):
        if org.is_empty:
            return _empty(NO_ORG)
        holders = org.role_holders(rule.role)
        if not holders:
            return _empty(f"角色 {rule.role} 没有在职人员")
        return Resolution(users=holders, group=role_group(rule.role))
    return _tier(rule, org, initiator, data)


def _any_of(rule: AnyOfRule, org: OrgSnapshot, initiator: str | None, data: Mapping[str, Any]) -> Resolution:
    """Each candidate resolved on its own: groups keep their shared item, people their own."""
    found = [resolve(part, org, initiator=initiator, data=data) for part in rule.rules]
    errors = [part.error for part in found if part.error is not None]
    if errors:
        return _error("；".join(errors))
    groups = tuple(dict.fromkeys(part.group for part in found if part.group is not None and part.found))
    users = tuple(dict.fromkeys(user for part in found if part.group is None for user in part.users))
    if not groups and not users:
        return _empty("；".join(part.empty or "" for part in found))
    return Resolution(users=users, groups=groups)


def _users(org: OrgSnapshot, ids: tuple[str, ...]) -> Resolution:
    if org.is_empty:
        return Resolution(users=ids)
    unknown = [user for user in ids if org.user(user) is None]
    if unknown:
        return _error("组织架构中没有用户 " + "、".join(unknown))
    active = tuple(user for user in ids if org.is_active(user))
    if not active:
        return _empty("、".join(f"{org.name_of(user)}（{user}）" for user in ids) + " 已停用")
    return Resolution(users=active)


def _users_from_field(org: OrgSnapshot, field: str, value: object) -> Resolution:
    return _users_in(
        org, value, empty=f"表单字段 {field} 没有选择人员", wrong=f"表单字段 {field} 应为用户ID或用户ID列表"
    )


def _users_from_expression(org: OrgSnapshot, rule: UserFromExpression, data: Mapping[str, Any]) -> Resolution:
    source = rule.expression.source
    try:
        value = rule.expression.evaluate(data)
    except ExpressionError as error:
        return _error(f"表达式 {source} 无法计算：{error}")
    return _users_in(
        org, value, empty=f"表达式 {source} 没有得到人员", wrong=f"表达式 {source} 应得到用户ID或用户ID列表"
    )


def _users_in(org: OrgSnapshot, value: object, *, empty: str, wrong: str) -> Resolution:
    """The user (text) or users (a list of texts) a value names."""
    if isinstance(value, str) and value.strip():
        return _users(org, (value.strip(),))
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v.strip() for v in value):
        return _users(org, tuple(dict.fromkeys(v.strip() for v in value)))
    if value is None or value == "" or value == []:
        return _empty(empty)
    return _error(f"{wrong}，实际是 {value!r}")


def _department_people(
    rule: DepartmentRule, org: OrgSnapshot, initiator: str | None, data: Mapping[str, Any]
) -> Resolution:
    if org.is_empty:
        if isinstance(rule.source, NamedDepartment) and rule.pick is Pick.MEMBERS and rule.role is None:
            return Resolution(group=department_group(rule.source.name))
        return _empty(NO_ORG)
    found = _department(rule.source, org, initiator, data)
    if isinstance(found, Resolution):
        return found
    if rule.role is not None:
        holders = org.role_holders(rule.role, found.id)
        if not holders:
            return _empty(f"{found.name}没有在职的{rule.role}")
        return Resolution(users=holders, group=role_group(rule.role, found.id))
    if rule.pick is Pick.MEMBERS:
        members = org.members(found.id)
        if not members:
            return _empty(f"{found.name}没有在职成员")
        return Resolution(users=members, group=department_group(found.id))
    if rule.pick is Pick.HEAD:
        head = org.head_of(found.id)
        return Resolution(users=(head,)) if head else _empty(f"{found.name}没有在职的负责人")
    supervisor = org.supervisor_of(found.id)
    return Resolution(users=(supervisor,)) if supervisor else _empty(f"{found.name}没有分管领导")


def _department(
    source: DepartmentSource, org: OrgSnapshot, initiator: str | None, data: Mapping[str, Any]
) -> Department | Resolution:
    """The department a source means, or the resolution explaining why there is none."""
    if isinstance(source, NamedDepartment):
        return _named(org, source.name, "")
    if isinstance(source, DepartmentFromField):
        value = data.get(source.field)
        if value is None or value == "":
            return _empty(f"表单字段 {source.field} 没有选择部门")
        if not isinstance(value, str):
            return _error(f"表单字段 {source.field} 应为部门名称，实际是 {value!r}")
        return _named(org, value.strip(), f"（表单字段 {source.field}）")
    if isinstance(source, MappedDepartment):
        value = data.get(source.field)
        name = source.department_for(value)
        if name is None:
            return _empty(f"对照表中没有 {source.field} = {value!r} 对应的部门")
        return _named(org, name, f"（{source.field} = {value!r} 的对照表）")
    assert isinstance(source, InitiatorDepartment)
    if initiator is None:
        return _empty("流程没有发起人")
    user = org.user(initiator)
    if user is None:
        return _error(f"发起人 {initiator} 不在组织架构中")
    if user.primary_department is None:
        return _empty(f"发起人 {org.name_of(initiator)} 没有所属部门")
    return org.departments[user.primary_department]


def _named(org: OrgSnapshot, name: str, where: str) -> Department | Resolution:
    found = org.department(name)
    if found is not None:
        return found
    shared = org.ambiguous(name)
    if shared:
        return _error(f"部门名称 {name}{where} 对应多个部门（{'、'.join(shared)}），请改写部门编号")
    return _error(f"组织架构中没有部门 {name}{where}")


def _head_chain(org: OrgSnapshot, initiator: str | None, level: int) -> Resolution:
    if org.is_empty:
        return _empty(NO_ORG)
    if initiator is None:
        return _empty("流程没有发起人")
    if org.user(initiator) is None:
        return _error(f"发起人 {initiator} 不在组织架构中")
    chain = org.heads_above(initiator)
    if len(chain) < level:
        which = "直接主管" if level == 1 else f"第 {level} 级主管"
        return _empty(f"发起人 {org.name_of(initiator)} 没有{which}")
    return Resolution(users=(chain[level - 1],))


def _tier(rule: TierRule, org: OrgSnapshot, initiator: str | None, data: Mapping[str, Any]) -> Resolution:
    value = data.get(rule.field)
    if value is None:
        return _empty(f"表单字段 {rule.field} 没有填写，无法按金额分级")
    tier = rule.tier_for(value)
    if tier is None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _error(f"表单字段 {rule.field} 应为数字，实际是 {value!r}")
        return _empty(f"{rule.field} = {value} 超出了所有分级")
    return resolve(tier.rule, org, initiator=initiator, data=data)
