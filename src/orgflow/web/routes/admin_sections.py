"""The sections of the administration area and the permission that opens each (the API's for that data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from orgflow.access.roles import Permission
from orgflow.web.i18n import N_


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the administration area: where, what, and the permission that opens it."""

    id: str
    path: str
    label: str
    summary: str
    permission: Permission
    #: What the viewer may change there besides reading (``None``: nothing to tell apart).
    manage: Permission | None = None


#: The sections, in the order the index lists them.
SECTIONS: Final = (
    Section(
        "org",
        "/admin/org",
        N_("组织架构"),
        N_("部门树、负责人与分管领导、人员及其角色；导入组织架构文件"),
        Permission.ORG_READ,
        Permission.ORG_MANAGE,
    ),
    Section(
        "users",
        "/admin/users",
        N_("用户与角色"),
        N_("账号、锁定与解锁、设置密码；API 令牌"),
        Permission.ACCOUNT_MANAGE,
    ),
    Section(
        "definitions",
        "/admin/definitions",
        N_("流程定义"),
        N_("流程定义与版本、上传 YAML/BPMN/XLSX、流程图预览、版本对比"),
        Permission.DEFINITION_READ,
        Permission.DEFINITION_DEPLOY,
    ),
    Section(
        "notifications",
        "/admin/notifications",
        N_("通知渠道"),
        N_("已配置的邮件、Webhook 与群机器人，发送测试消息；投递失败的消息"),
        Permission.JOB_ADMIN,
    ),
    Section(
        "jobs",
        "/admin/jobs",
        N_("后台任务"),
        N_("失败的后台任务及其错误，重试"),
        Permission.JOB_ADMIN,
    ),
)
