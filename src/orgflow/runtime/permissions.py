"""Who may do what on an instance: pure checks that raise ``PermissionDenied`` or ``CommandRejected``.

- reading (and copying it on, 抄送) is for whoever has it in their data
  scope (:mod:`orgflow.access.scope`): the initiator, anyone who has or had a
  work item on it, anyone it was copied to, the heads and 分管领导 of its
  departments (the initiator's, and those its work is filed under),
  administrators (系统管理员) and auditors (审计员);
- urging (催办) is for the initiator and administrators;
- adding files: on a work item, whoever may act on it (its assignee, or a
  member of its candidate group: :func:`orgflow.engine.claims.may_act`) and
  the instance's initiator; on the instance as a whole, the initiator and
  whoever may act on one of its open work items.

Whether someone takes part is a database question; it is passed in as a
callable so it is only asked when the cheaper answers do not settle it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Final

from orgflow.access.scope import DataScope, person_scope
from orgflow.engine.claims import may_act
from orgflow.engine.state import InstanceState, WorkItem
from orgflow.errors import CommandRejected, PermissionDenied
from orgflow.org.model import ADMINISTRATOR_ROLE, OrgSnapshot

#: ``CommandRejected.reason`` when someone outside an instance tries to add to it.
NOT_PARTICIPANT: Final = "not_participant"


def require_contributor(state: InstanceState, item: WorkItem | None, actor: str, org: OrgSnapshot) -> None:
    """Refuse ``actor`` adding a file to ``item`` (or, with ``None``, to the instance) unless they take part.

    Raises:
        CommandRejected: Naming who may add files instead (reason ``not_participant``
            on the instance, the work-item rule's reason on a work item).
    """
    if actor == state.initiator:
        return
    if item is not None:
        refused = may_act(item, actor, org)
        if refused is not None:
            error = refused.to_error()
            raise CommandRejected(
                f"{error}；只有该待办的处理人或流程发起人可以上传附件",
                reason=error.reason,
                node_id=error.node_id,
            )
        return
    if any(may_act(open_item, actor, org) is None for open_item in state.work_items):
        return
    raise CommandRejected(
        f"{org.name_of(actor)}（{actor}）不是流程实例 {state.business_key} 的发起人或当前处理人，"
        "不能为它上传附件",
        reason=NOT_PARTICIPANT,
    )


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
    definition_key: str | None = None,
    filed_under: Callable[[Collection[str]], bool] | None = None,
    scope: DataScope | None = None,
) -> str:
    """Return ``user`` when the instance is in their data scope (:mod:`orgflow.access.scope`).

    Args:
        user: Who wants to read it.
        initiator: Who started it.
        business_key: Its business key, for the message.
        chart: The org chart (who heads and supervises what, who holds which role).
        takes_part: Whether ``user`` has or had a work item on it, or was copied on it.
        definition_key: Its definition's key (an integration token's grants are checked against it).
        filed_under: Whether one of its work items is filed under one of these departments
            (``None``: only the initiator's department makes it a department's).
        scope: The caller's scope when it is known (an authenticated caller: their token's grants);
            by default, ``user``'s by the org chart.

    Raises:
        PermissionDenied: No user given, or the instance is outside their scope.
    """
    if not user:
        raise PermissionDenied(f"查看流程实例 {business_key} 需要指明用户（--user）")
    seen = scope if scope is not None else person_scope(user, chart)
    if seen.may_read(
        initiator=initiator,
        definition_key=definition_key,
        takes_part=takes_part,
        filed_under=filed_under or _nothing_filed,
    ):
        return user
    if seen.definitions is not None and definition_key not in seen.definitions:
        granted = "、".join(sorted(seen.definitions)) or "无"
        raise PermissionDenied(
            f"用户 {user} 无权查看流程实例 {business_key}：该令牌未获授权使用流程 {definition_key}"
            f"（已授权：{granted}）",
            user=user,
        )
    raise PermissionDenied(
        f"用户 {user} 无权查看流程实例 {business_key}：只有发起人、经办人、被抄送人、"
        "相关部门的负责人和分管领导、审计员和系统管理员可以查看",
        user=user,
    )


def _nothing_filed(departments: Collection[str]) -> bool:
    return False


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
