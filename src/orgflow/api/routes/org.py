"""The org chart (组织架构): departments and people for everyone here, the import for administrators.

Reading needs 查看组织架构 (every employee); replacing the chart needs
维护组织架构 (administrators). An uploaded file is read exactly as ``orgflow
org import`` reads it; what is wrong with it answers 422 with every problem's
sheet, row and column.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from orgflow.access.roles import Permission, require
from orgflow.api.dependencies import Caller, Paging, RuntimeDep, Source, authenticator_of
from orgflow.api.pagination import Page, slice_page
from orgflow.api.problems import PROBLEM_RESPONSES, problem_response
from orgflow.api.schemas.org import DepartmentOut, OrgImportedOut, UserOut
from orgflow.attachments.file_names import safe_name
from orgflow.errors import ConfigurationError, NotFound
from orgflow.org.model import Department, OrgSnapshot, User
from orgflow.org.spreadsheet import OrgFileError, read_org_files
from orgflow.runtime.actions import ImportOrg

router = APIRouter(prefix="/api/v1/org", tags=["组织架构"], responses=PROBLEM_RESPONSES)

#: Most files one import takes: a workbook, or the departments and the users CSV.
MAX_FILES = 2


@router.get("/departments", summary="部门列表", response_model=Page[DepartmentOut])
def departments(caller: Caller, runtime: RuntimeDep, paging: Paging) -> Page[DepartmentOut]:
    """Every department in the chart's order, with its head and 分管领导."""
    chart = runtime.queries.org()
    require(caller, chart, Permission.ORG_READ)
    shown = [department_out(chart, department) for department in chart.departments.values()]
    return slice_page(shown, paging)


@router.get("/users", summary="人员列表", response_model=Page[UserOut])
def users(
    caller: Caller,
    runtime: RuntimeDep,
    paging: Paging,
    department: Annotated[
        str | None, Query(max_length=200, description="只看这个部门（编号或名称）的在职人员")
    ] = None,
) -> Page[UserOut]:
    """People in the chart's order (inactive ones too, marked), or a department's active members."""
    chart = runtime.queries.org()
    require(caller, chart, Permission.ORG_READ)
    if department is None:
        people = list(chart.users.values())
    else:
        found = chart.department(department)
        if found is None:
            raise NotFound(f"部门 {department} 不存在，请用组织架构中的部门编号或名称")
        people = [
            person for user_id in chart.members(found.id) if (person := chart.user(user_id)) is not None
        ]
    return slice_page([user_out(chart, person) for person in people], paging)


@router.get("/users/{user_id}", summary="人员信息", response_model=UserOut)
def user(
    user_id: Annotated[str, Path(min_length=1, max_length=200, description="用户ID")],
    caller: Caller,
    runtime: RuntimeDep,
) -> UserOut:
    """One person: name, departments, roles and whether they are active."""
    chart = runtime.queries.org()
    require(caller, chart, Permission.ORG_READ)
    found = chart.user(user_id)
    if found is None:
        raise NotFound(f"组织架构中没有用户 {user_id}")
    return user_out(chart, found)


@router.put("", summary="导入组织架构（整体替换）", response_model=OrgImportedOut)
def import_org(
    files: Annotated[
        list[UploadFile],
        File(description="一个 .xlsx 工作簿（部门、人员两个工作表），或部门表、人员表两个 .csv"),
    ],
    caller: Caller,
    runtime: RuntimeDep,
    source: Source,
    request: Request,
) -> OrgImportedOut | JSONResponse:
    """Replace the org chart; people left out stay inactive, and work that needs reassigning is listed."""
    require(caller, runtime.queries.org(), Permission.ORG_MANAGE)
    if not 1 <= len(files) <= MAX_FILES:
        raise ConfigurationError(f"请上传一个 .xlsx 工作簿，或一到两个 .csv 文件，而不是 {len(files)} 个文件")
    try:
        chart = _read_uploaded(files)
    except OrgFileError as error:
        problems = [{"where": p.where, "field": p.field, "message": p.message} for p in error.problems]
        return problem_response(422, "org_file_invalid", str(error), problems=problems)
    imported = runtime.execute(ImportOrg(chart, actor=caller.user_id), source=source)
    authenticator_of(request).recent.clear()  # people left out are inactive now: look tokens up again
    return OrgImportedOut.model_validate(imported)


def _read_uploaded(files: list[UploadFile]) -> OrgSnapshot:
    """Read the uploads as org files: written under their own (safe) names, which tell the CSV tables apart.

    Raises:
        OrgFileError: Listing every problem with its file, sheet, row and column.
    """
    with tempfile.TemporaryDirectory(prefix="orgflow-org-") as folder:
        paths = []
        for number, upload in enumerate(files, start=1):
            name = safe_name(upload.filename or "", fallback=f"组织架构{number}")
            path = FilePath(folder) / name
            if path.exists():
                path = FilePath(folder) / f"{number}-{name}"
            path.write_bytes(upload.file.read())
            paths.append(path)
        return read_org_files(paths)


def department_out(chart: OrgSnapshot, department: Department) -> DepartmentOut:
    """A department as employees see it; the 分管领导 is its own or the nearest ancestor's."""
    supervisor = chart.supervisor_of(department.id)
    return DepartmentOut(
        id=department.id,
        name=department.name,
        parent=department.parent_id,
        head=department.head,
        head_name=None if department.head is None else chart.name_of(department.head),
        supervisor=supervisor,
        supervisor_name=None if supervisor is None else chart.name_of(supervisor),
    )


def user_out(chart: OrgSnapshot, person: User) -> UserOut:
    """A person as employees see them: no contact details, nothing secret."""
    names = [found.name if (found := chart.departments.get(ref)) else ref for ref in person.departments]
    return UserOut(
        id=person.id,
        name=person.name,
        departments=list(person.departments),
        department_names=names,
        roles=[str(grant) for grant in person.roles],
        active=person.active,
    )
