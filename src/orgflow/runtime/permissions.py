"""Who may read or act on an instance: pure checks that raise ``PermissionDenied``.

- reading (and copying it on, 抄送) is for the initiator, anyone who has or
  had a work item on it, anyone it was copied to, and administrators
  (holders of 系统管理员);
- urging (催办) is for the initiator and administrators.

Whether someone takes part is a database question; it is passed in as a
callable so it is only asked when the cheaper answers do not settle it.
"""

from __future__ import annotations

from collections.abc import Callable

from orgflow.errors import PermissionDenied
from orgflow.org.model import ADMINISTRATOR_ROLE, OrgSnapshot


def is_administrator(chart: OrgSnapshot, user: str) -> bool:
    """Whether ``user`` is an active holder of the administrator role (系统管理员)."""
    return user in chart.role_holders(ADMINISTRATOR_ROLE)


def check_may_read(
    user: str | None,
    *,
    initiator: str | None,
    business_key: str,
    chart: OrgSnapshot,
    takes_part: Callable[[], bool],
) -> str:
    """Return ``user`` when they may see the instance.

    Raises:
        PermissionDenied: No user given, or they have no part in it.
    """
    if not user:
        raise PermissionDenied(f"查看流程实例 {business_key} 需要指明用户（--user）")
    if user == initiator or is_administrator(chart, user) or takes_part():
        return user
    raise PermissionDenied(
        f"用户 {user} 无权查看流程实例 {business_key}：只有发起人、经办人、被抄送人和系统管理员可以查看",
        user=user,
    )


def check_may_urge(user: str | None, *, initiator: str | None, business_key: str, chart: OrgSnapshot) -> str:
    """Return ``user`` when they may urge the instance.

    Raises:
        PermissionDenied: They are neither its initiator nor an administrator.
    """
    if user and (user == initiator or is_administrator(chart, user)):
        return user
    raise PermissionDenied(
        f"用户 {user or '（未指定）'} 不能催办流程实例 {business_key}：只有发起人或系统管理员可以催办",
        user=user,
    )
