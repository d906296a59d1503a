"""Structural checks of an org chart before it is stored: every problem at once, each saying where.

An import that fails a check changes nothing, so the messages must let an
administrator fix the file in one pass: which department or user, which
column, and (when the caller knows it) which sheet and row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from orgflow.org.model import OrgSnapshot


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgProblem:
    """One thing wrong with an org chart.

    Attributes:
        where: The place in the source (``人员 第 7 行``), or the entity (``用户 li``).
        field: The column concerned (``上级部门``).
        message: What is wrong and what to do.
    """

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}【{self.field}】{self.message}"


def check_snapshot(
    org: OrgSnapshot,
    *,
    department_rows: Mapping[str, str] | None = None,
    user_rows: Mapping[str, str] | None = None,
) -> list[OrgProblem]:
    """Everything structurally wrong with ``org``.

    Args:
        org: The chart to check.
        department_rows: Where each department came from (id -> ``部门 第 3 行``).
        user_rows: Where each user came from (id -> ``人员 第 7 行``).
    """
    department_rows = department_rows or {}
    user_rows = user_rows or {}
    problems: list[OrgProblem] = []

    def at_department(department_id: str) -> str:
        return department_rows.get(department_id, f"部门 {department_id}")

    def at_user(user_id: str) -> str:
        return user_rows.get(user_id, f"用户 {user_id}")

    for department in org.departments.values():
        where = at_department(department.id)
        if department.parent_id is not None and department.parent_id not in org.departments:
            problems.append(
                OrgProblem(where=where, field="上级部门", message=f"上级部门 {department.parent_id!r} 不存在")
            )
        for column, person in (("负责人", department.head), ("分管领导", department.supervisor)):
            if person is not None and person not in org.users:
                problems.append(
                    OrgProblem(where=where, field=column, message=f"{column} {person!r} 不在人员表中")
                )
    problems += _cycles(org, at_department)
    for user in org.users.values():
        where = at_user(user.id)
        for department_id in user.departments:
            if department_id not in org.departments:
                problems.append(
                    OrgProblem(where=where, field="部门", message=f"部门 {department_id!r} 不存在")
                )
        if len(set(user.departments)) != len(user.departments):
            problems.append(OrgProblem(where=where, field="兼职部门", message="同一部门重复列出"))
        for grant in user.roles:
            if grant.department_id is not None and grant.department_id not in org.departments:
                problems.append(
                    OrgProblem(
                        where=where,
                        field="角色",
                        message=f"角色 {grant} 所在部门 {grant.department_id!r} 不存在",
                    )
                )
    return problems


def _cycles(org: OrgSnapshot, at_department: Callable[[str], str]) -> list[OrgProblem]:
    """Departments whose chain of parents comes back to themselves."""
    problems = []
    reported: set[str] = set()
    for start in org.departments.values():
        seen: list[str] = []
        current: str | None = start.id
        while current is not None and current in org.departments and current not in seen:
            seen.append(current)
            current = org.departments[current].parent_id
        if current is not None and current in seen and current not in reported:
            loop = seen[seen.index(current) :]
            reported.update(loop)
            problems.append(
                OrgProblem(
                    where=at_department(current),
                    field="上级部门",
                    message="上级部门形成循环：" + " → ".join([*loop, current]),
                )
            )
    return problems
