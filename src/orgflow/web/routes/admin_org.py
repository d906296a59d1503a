"""组织架构: the department tree (head, 分管领导, members), the people and their roles, and the import.

Reading takes 查看组织架构, as ``GET /api/v1/org/*`` does (so it shows what the
API shows: no contact details); importing takes 维护组织架构, as ``PUT
/api/v1/org``. An uploaded workbook or CSV pair is read exactly as the API and
``orgflow org import`` read it; what is wrong with it is listed with its
sheet, row and column, and nothing is imported.

A successful import answers with the page itself and what the import changed
(people added and deactivated, work items to reassign), which exist only in
the action's result; posting the same file again replaces the chart with the
same chart.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from orgflow.access.roles import Permission
from orgflow.api.dependencies import authenticator_of, source_address
from orgflow.attachments.file_names import safe_name
from orgflow.org.model import Department, OrgSnapshot, User
from orgflow.org.spreadsheet import OrgFileError, read_org_files
from orgflow.runtime.actions import ImportOrg
from orgflow.runtime.views.organisation import OrgImported
from orgflow.web.people import people_shown
from orgflow.web.rendering import PageScope, SignedInPage
from orgflow.web.routes.admin_sections import SECTIONS
from orgflow.web.routes.admin_uploads import uploads
from orgflow.web.session import PostedForm

router = APIRouter(include_in_schema=False)

#: Most files one import takes: a workbook, or the departments and the users CSV (as the API).
MAX_FILES: Final = 2

#: People listed per page (a chart of thousands would make one page megabytes long).
PEOPLE_PER_PAGE: Final = 50

#: Members named in a department of the tree; the rest are behind a link to the filtered list.
MEMBERS_NAMED: Final = 12


@dataclass(frozen=True, slots=True)
class PeopleList:
    """One page of the chart's people, narrowed by a search and a department."""

    people: tuple[User, ...]
    total: int
    number: int
    pages: int
    search: str
    department: str

    def address(self, number: int) -> str:
        """This list's address at page ``number``."""
        wanted = {"q": self.search, "department": self.department, "people_page": number}
        return "/admin/org?" + urlencode({k: v for k, v in wanted.items() if v}) + "#org-people"


def people_list(chart: OrgSnapshot, search: str, department: str, number: int) -> PeopleList:
    """Page ``number`` (clamped) of the people matching ``search``, in ``department`` when one is given."""
    matching = people_shown(chart, search)
    if department:
        matching = [user for user in matching if department in user.departments]
    pages = max(1, -(-len(matching) // PEOPLE_PER_PAGE))
    number = min(number, pages)
    shown = tuple(matching[(number - 1) * PEOPLE_PER_PAGE : number * PEOPLE_PER_PAGE])
    return PeopleList(shown, len(matching), number, pages, search, department)


@dataclass(frozen=True, slots=True)
class DepartmentBranch:
    """A department in the tree, with who leads it and its sub-departments."""

    department: Department
    supervisor: str | None
    #: Whether the 分管领导 is an ancestor's (the department names none of its own).
    supervisor_inherited: bool
    members: tuple[str, ...]
    children: tuple[DepartmentBranch, ...]


def department_tree(chart: OrgSnapshot) -> tuple[DepartmentBranch, ...]:
    """The chart's departments as a tree, in the chart's order; an unknown parent makes a root."""
    children: dict[str | None, list[Department]] = {}
    for department in chart.departments.values():
        parent = department.parent_id if department.parent_id in chart.departments else None
        children.setdefault(parent, []).append(department)
    seen: set[str] = set()

    def branches(parent: str | None) -> tuple[DepartmentBranch, ...]:
        found = []
        for department in children.get(parent, []):
            if department.id in seen:  # a cycle cannot pass the import's checks; never loop on one
                continue
            seen.add(department.id)
            found.append(
                DepartmentBranch(
                    department=department,
                    supervisor=chart.supervisor_of(department.id),
                    supervisor_inherited=department.supervisor is None,
                    members=chart.members(department.id),
                    children=branches(department.id),
                )
            )
        return tuple(found)

    return branches(None)


def _render(
    page: PageScope, *, status: int = 200, listed: PeopleList | None = None, **context: Any
) -> Response:
    chart = page.org
    values: dict[str, Any] = {
        "tree": department_tree(chart),
        "listed": listed or people_list(chart, "", "", 1),
        "members_named": MEMBERS_NAMED,
        "may_import": page.may(Permission.ORG_MANAGE),
        "problems": (),
        "file_error": None,
        "imported": None,
    }
    values.update(context)
    return page.render("admin/org.html", sections=SECTIONS, status=status, **values)


@router.get("/admin/org")
def org_page(
    page: SignedInPage,
    q: Annotated[str, Query(max_length=100)] = "",
    department: Annotated[str, Query(max_length=200)] = "",
    people_page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    """The department tree and the people, a page at a time (searchable, by department)."""
    page.require(Permission.ORG_READ)
    return _render(page, listed=people_list(page.org, q, department, people_page))


@router.post("/admin/org/import")
def import_org(page: SignedInPage, form: PostedForm, request: Request) -> Response:
    """Replace the org chart with the uploaded one, or list what is wrong with it."""
    page.require(Permission.ORG_MANAGE)
    files = uploads(form, "files")
    if not files:
        return _render(
            page, status=422, file_error=page.t("请选择一个 .xlsx 工作簿，或部门表、人员表两个 .csv 文件")
        )
    if len(files) > MAX_FILES:
        message = page.t("请上传一个 .xlsx 工作簿，或一到两个 .csv 文件，而不是 {n} 个文件", n=len(files))
        return _render(page, status=422, file_error=message)
    try:
        chart = _read_uploaded(files)
    except OrgFileError as error:
        return _render(page, status=422, problems=error.problems)
    imported: OrgImported = page.runtime.execute(
        ImportOrg(chart, actor=page.user_id), source=source_address(request)
    )
    authenticator_of(request).recent.clear()  # people left out are inactive now: look tokens up again
    page.chart = page.runtime.queries.org()
    return _render(page, imported=imported)


def _read_uploaded(files: Sequence[UploadFile]) -> OrgSnapshot:
    """The uploads read as org files under their own (safe) names, which tell the CSV tables apart.

    Raises:
        OrgFileError: Every problem with its file, sheet, row and column.
    """
    with tempfile.TemporaryDirectory(prefix="orgflow-org-") as folder:
        paths = []
        for number, upload in enumerate(files, start=1):
            name = safe_name(upload.filename or "", fallback=f"组织架构{number}")
            path = Path(folder) / name
            if path.exists():
                path = Path(folder) / f"{number}-{name}"
            path.write_bytes(upload.file.read())
            paths.append(path)
        return read_org_files(paths)
