"""The roles of the service and the permissions each grants (seed 003: 最小必要).

A person's roles come from the org chart: everyone active is an employee;
heading a department makes a department head, supervising one a 分管领导;
holding the role 系统管理员, 流程负责人 or 审计员 makes an administrator,
process owner or auditor. An auditor holds the auditor role only (seed 003:
auditors read everything and change nothing, so they do not start, act or
withdraw as employees either). A caller with an integration token has the
integration role only, whatever its user holds: another system gets what it
was set up for and nothing more.

Permissions say what kind of thing one may do; whose data it is on is the
data scope's question (:mod:`orgflow.access.scope`), and whether the process
allows it now (the right assignee, the right state) is the runtime's.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from orgflow.auth.principal import Principal
from orgflow.errors import PermissionDenied
from orgflow.org.model import ADMINISTRATOR_ROLE, OrgSnapshot


class Role(StrEnum):
    """A role of the service, by its Chinese name (as held in the org chart where it is held there)."""

    ADMINISTRATOR = ADMINISTRATOR_ROLE
    PROCESS_OWNER = "流程负责人"
    DEPARTMENT_HEAD = "部门负责人"
    SUPERVISOR = "分管领导"
    EMPLOYEE = "员工"
    AUDITOR = "审计员"
    INTEGRATION = "系统集成"


class Permission(StrEnum):
    """One kind of thing the service lets a role do; the value names it in messages."""

    DEFINITION_READ = "查看流程定义"
    DEFINITION_DEPLOY = "部署流程定义"
    INSTANCE_START = "发起流程"
    INSTANCE_READ = "查看流程实例"
    INSTANCE_READ_ALL = "查看全部流程实例"
    INSTANCE_MIGRATE = "迁移流程实例"
    INSTANCE_WITHDRAW = "撤回流程"
    INSTANCE_FOLLOW = "抄送、催办、评论"
    WORK_ITEM_ACT = "办理待办"
    ORG_READ = "查看组织架构"
    ORG_MANAGE = "维护组织架构"
    ANOMALY_READ = "查看异常"
    ANOMALY_ACT = "处理异常"
    NOTIFICATION_READ = "查看自己的消息"
    JOB_ADMIN = "管理后台任务"
    AUDIT_READ = "查看审计记录"
    SENSITIVE_LOG_READ = "查看敏感字段查看记录"
    ACCOUNT_MANAGE = "管理账号和令牌"


_P = Permission

#: What every person may do on their own work: start, follow, act on their items, read their messages.
_EMPLOYEE: Final = frozenset(
    {
        _P.DEFINITION_READ,
        _P.INSTANCE_START,
        _P.INSTANCE_READ,
        _P.INSTANCE_WITHDRAW,
        _P.INSTANCE_FOLLOW,
        _P.WORK_ITEM_ACT,
        _P.ORG_READ,
        _P.ANOMALY_READ,
        _P.ANOMALY_ACT,
        _P.NOTIFICATION_READ,
    }
)

#: The permissions each role grants. Read-everything roles (administrator, auditor) see all instances.
ROLE_PERMISSIONS: Final[Mapping[Role, frozenset[Permission]]] = {
    Role.EMPLOYEE: _EMPLOYEE,
    Role.DEPARTMENT_HEAD: _EMPLOYEE,
    Role.SUPERVISOR: _EMPLOYEE,
    Role.PROCESS_OWNER: _EMPLOYEE | {_P.DEFINITION_DEPLOY, _P.INSTANCE_MIGRATE},
    Role.ADMINISTRATOR: frozenset(Permission) - {_P.AUDIT_READ},
    Role.AUDITOR: frozenset(
        {
            _P.DEFINITION_READ,
            _P.INSTANCE_READ,
            _P.INSTANCE_READ_ALL,
            _P.ORG_READ,
            _P.ANOMALY_READ,
            _P.NOTIFICATION_READ,
            _P.AUDIT_READ,
            _P.SENSITIVE_LOG_READ,
        }
    ),
    Role.INTEGRATION: frozenset(
        {_P.DEFINITION_READ, _P.INSTANCE_START, _P.INSTANCE_READ, _P.WORK_ITEM_ACT, _P.INSTANCE_FOLLOW}
    ),
}


def roles_of(principal: Principal, chart: OrgSnapshot) -> frozenset[Role]:
    """The roles ``principal`` holds now, read from the org chart (an integration token: integration only)."""
    if principal.is_integration:
        return frozenset({Role.INTEGRATION})
    user = principal.user_id
    if not chart.is_active(user):
        return frozenset()
    if user in chart.role_holders(Role.AUDITOR.value):
        return frozenset({Role.AUDITOR})  # reads everything, changes nothing: not even as an employee
    held: set[Role] = {Role.EMPLOYEE}
    for role in (Role.ADMINISTRATOR, Role.PROCESS_OWNER, Role.AUDITOR):
        if user in chart.role_holders(role.value):
            held.add(role)
    for department in chart.departments.values():
        if department.head == user:
            held.add(Role.DEPARTMENT_HEAD)
        if department.supervisor == user:
            held.add(Role.SUPERVISOR)
    return frozenset(held)


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    """Everything the roles grant together."""
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted


def require(principal: Principal, chart: OrgSnapshot, permission: Permission) -> frozenset[Role]:
    """Refuse unless one of ``principal``'s roles grants ``permission``; return their roles.

    Raises:
        PermissionDenied: Naming the permission and the roles that grant it.
    """
    roles = roles_of(principal, chart)
    if permission in permissions_of(roles):
        return roles
    granting = "、".join(role.value for role, granted in ROLE_PERMISSIONS.items() if permission in granted)
    raise PermissionDenied(
        f"{chart.name_of(principal.user_id)}（{principal.user_id}）没有「{permission.value}」权限；"
        f"拥有该权限的角色：{granting}",
        user=principal.user_id,
    )
