"""Who may do what to an anomaly: pure checks over the org chart that raise ``PermissionDenied``.

- the responsible department (its members and head) explains it;
- the initiating department (the initiator, or the head of the initiator's
  primary department) re-plans it, naming a new time limit and a handler;
- the handler resolves it;
- someone other than the handler verifies it: the initiator, either
  department's head, or an administrator (系统管理员).

Administrators may also re-plan, so a loop never stalls on an absent initiator.
With no org chart imported, department membership cannot be known, so anyone
may explain (as anyone may act on a shared work item then).
"""

from __future__ import annotations

from dataclasses import dataclass

from orgflow.errors import PermissionDenied
from orgflow.org.model import ADMINISTRATOR_ROLE, OrgSnapshot


@dataclass(frozen=True, kw_only=True, slots=True)
class Parties:
    """The people and departments around one anomaly.

    Attributes:
        number: The anomaly's number (``ABN20261202001``), for messages.
        initiator: Who started the instance.
        responsible_department: The department whose step it is (``None``: not known).
        assignee: Who holds the linked work item now; explains when no department is known.
        handler: The handler named by the last re-plan.
    """

    number: str
    initiator: str | None
    responsible_department: str | None
    assignee: str | None = None
    handler: str | None = None


def initiating_department(chart: OrgSnapshot, parties: Parties) -> str | None:
    """The initiator's primary department (发起部门)."""
    found = chart.user(parties.initiator) if parties.initiator else None
    return None if found is None else found.primary_department


def check_may_explain(chart: OrgSnapshot, parties: Parties, actor: str) -> None:
    """Refuse anyone outside the responsible department.

    Raises:
        PermissionDenied: Naming the department whose members may explain.
    """
    department = parties.responsible_department
    if chart.is_empty:
        return
    if department is None:
        if actor == parties.assignee:
            return
        who = f"待办处理人 {_person(chart, parties.assignee)}" if parties.assignee else "责任部门"
    else:
        if actor in chart.members(department) or actor == chart.head_of(department):
            return
        who = f"责任部门{_department(chart, department)}的成员或负责人"
    _deny(chart, actor, f"只有{who}可以提交异常 {parties.number} 的《异常处理说明》")


def check_may_replan(chart: OrgSnapshot, parties: Parties, actor: str) -> None:
    """Refuse anyone but the initiator, the initiating department's head and administrators.

    Raises:
        PermissionDenied: Naming who may re-plan.
    """
    department = initiating_department(chart, parties)
    head = None if department is None else chart.head_of(department)
    if actor in (parties.initiator, head) or _is_administrator(chart, actor):
        return
    where = f"发起部门{_department(chart, department)}" if department else "发起部门"
    _deny(chart, actor, f"只有流程发起人或{where}负责人可以重新计划异常 {parties.number}")


def check_may_resolve(chart: OrgSnapshot, parties: Parties, actor: str) -> None:
    """Refuse anyone but the handler.

    Raises:
        PermissionDenied: Naming the handler.
    """
    if actor == parties.handler:
        return
    _deny(chart, actor, f"异常 {parties.number} 由处理负责人 {_person(chart, parties.handler)} 处理完成")


def check_may_verify(chart: OrgSnapshot, parties: Parties, actor: str) -> None:
    """Refuse the handler (nobody verifies their own work) and anyone without a stake.

    Raises:
        PermissionDenied: The actor handled it, or is not among the verifiers.
    """
    if actor == parties.handler:
        _deny(chart, actor, f"验证人不能是处理负责人本人：异常 {parties.number} 需由其他人验证处理结果")
    heads = {
        chart.head_of(department)
        for department in (initiating_department(chart, parties), parties.responsible_department)
        if department is not None
    }
    if actor == parties.initiator or actor in heads or _is_administrator(chart, actor):
        return
    _deny(
        chart,
        actor,
        f"只有流程发起人、发起部门或责任部门的负责人、系统管理员可以验证异常 {parties.number}",
    )


def _is_administrator(chart: OrgSnapshot, user: str) -> bool:
    return user in chart.role_holders(ADMINISTRATOR_ROLE)


def _person(chart: OrgSnapshot, user: str | None) -> str:
    return "（未指定）" if user is None else f"{chart.name_of(user)}（{user}）"


def _department(chart: OrgSnapshot, department_id: str | None) -> str:
    found = chart.department(department_id) if department_id else None
    return f"「{found.name if found is not None else department_id}」"


def _deny(chart: OrgSnapshot, actor: str, why: str) -> None:
    raise PermissionDenied(f"{_person(chart, actor)} 无权操作：{why}", user=actor)
