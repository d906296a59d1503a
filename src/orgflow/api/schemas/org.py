"""Bodies of the org endpoints: departments and people as employees may see them, and what an import changed.

People are shown by name, departments and roles only: never an e-mail
address, a mobile number, a password or a token (seed 003: 最小必要).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from orgflow.api.schemas.work_items import View


class DepartmentOut(BaseModel):
    """A department with its head and 分管领导."""

    id: str = Field(description="部门编号")
    name: str = Field(description="部门名称")
    parent: str | None = Field(description="上级部门编号")
    head: str | None = Field(description="负责人（用户ID）")
    head_name: str | None
    supervisor: str | None = Field(description="分管领导（用户ID；未设置时沿用上级部门的）")
    supervisor_name: str | None


class UserOut(BaseModel):
    """A person: who they are and where they work, nothing more."""

    id: str = Field(description="用户ID")
    name: str = Field(description="姓名")
    departments: list[str] = Field(description="所属部门编号，主部门在前")
    department_names: list[str]
    roles: list[str] = Field(description="岗位/角色，如 总经理、财务审核员@cw")
    active: bool = Field(description="在职（false：停用）")


class OrphanedWorkItemOut(View):
    """An open work item whose person or department left the org: it needs reassigning."""

    id: str
    business_key: str
    name: str
    assignee: str | None
    candidate_group: str | None


class OrgImportedOut(View):
    """What importing the org chart changed."""

    revision: int = Field(description="组织架构的新版本号")
    departments: int
    users: int = Field(description="在职人数")
    added_users: list[str]
    deactivated_users: list[str]
    removed_departments: list[str]
    orphaned: list[OrphanedWorkItemOut] = Field(description="需要重新分派的待办")
