"""The org file's two tables (部门, 人员): their columns, and how rows become departments and users.

Headers are Chinese; each column's English alias (``parent``, ``roles``) is
accepted too, case-insensitively, as are headers with stray spaces or a ``*``
marking them required. Cells are trimmed. List cells (兼职部门, 角色) are split
on ``；`` ``;`` ``、`` ``,`` ``，`` and written with ``；``. Department references
(上级部门, 主部门, 兼职部门, ``角色@部门``) are an id or a unique name and become ids.
File formats are ``orgflow.org.spreadsheet``'s business; this module sees rows of text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Final

from openpyxl.utils import get_column_letter

from orgflow.org.checks import OrgProblem
from orgflow.org.model import Department, OrgSnapshot, RoleGrant, User, build_snapshot

#: Rows as read: each with its row number as a spreadsheet shows it (from 1).
Rows = list[tuple[int, list[str]]]

_SEPARATORS: Final = "；;、,，"
_SPLIT: Final = re.compile(f"[{_SEPARATORS}]")
_ACTIVE: Final = ("在职", "启用", "active", "")
_INACTIVE: Final = ("停用", "离职", "inactive")
_STATUS_VALUES: Final = "在职、启用、active 或留空（在职），停用、离职、inactive（停用）"


def _normalise(header: str) -> str:
    return "".join(header.split()).strip("*＊").casefold()


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``key`` is also its English alias, ``header`` the Chinese header written."""

    key: str
    header: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns of a table in the order written; ``sheet`` (``人员``) or ``alias`` (``users``) names it."""

    sheet: str
    alias: str
    columns: tuple[Column, ...]

    def column(self, header: str) -> Column | None:
        """The column ``header`` names, in Chinese or by its English alias."""
        wanted = _normalise(header)
        return next((c for c in self.columns if wanted in (_normalise(c.header), c.key)), None)

    def header(self, key: str) -> str:
        """The Chinese header of the column ``key``."""
        return next(column.header for column in self.columns if column.key == key)

    def names_sheet(self, title: str) -> bool:
        """A workbook sheet called ``title`` holds this table."""
        return _normalise(title) in (self.sheet, self.alias)


DEPARTMENTS: Final = Layout(
    "部门",
    "departments",
    (
        Column("id", "部门编号"),
        Column("name", "部门名称", required=True),
        Column("parent", "上级部门"),
        Column("head", "负责人"),
        Column("supervisor", "分管领导"),
    ),
)
USERS: Final = Layout(
    "人员",
    "users",
    (
        Column("id", "用户ID", required=True),
        Column("name", "姓名", required=True),
        Column("primary_department", "主部门"),
        Column("other_departments", "兼职部门"),
        Column("roles", "角色"),
        Column("email", "邮箱"),
        Column("mobile", "手机"),
        Column("status", "状态"),
    ),
)
LAYOUTS: Final = (DEPARTMENTS, USERS)


def recognise(headers: Sequence[str], file_name: str) -> Layout | None:
    """Which table a header row starts, or ``None`` when it cannot be told.

    A header counts for a table when it names one of its columns and none of the
    other's (``部门名称``, ``用户ID``, ``roles``; not ``id`` or ``name``). A tie is
    broken by the file name (``org-人员.csv``, ``users.csv``).
    """
    pairs = ((DEPARTMENTS, USERS), (USERS, DEPARTMENTS))
    scores = [sum(1 for h in headers if mine.column(h) and not other.column(h)) for mine, other in pairs]
    if scores[0] != scores[1]:
        return LAYOUTS[0] if scores[0] > scores[1] else LAYOUTS[1]
    named = [
        layout for layout in LAYOUTS if layout.sheet in file_name or layout.alias in file_name.casefold()
    ]
    return named[0] if len(named) == 1 else None


@dataclass(frozen=True, slots=True)
class Table:
    """One table of a file: its layout, where each column is, the rows below the header."""

    file: str
    layout: Layout
    columns: dict[str, int]
    rows: Rows

    def where(self, row: int) -> str:
        """How a row is named in messages (``org.xlsx 人员 第 7 行``)."""
        return f"{self.file} {self.layout.sheet} 第 {row} 行"

    def cell(self, cells: list[str], key: str) -> str:
        """The cell of column ``key`` (empty when the table has no such column)."""
        index = self.columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def table_of(file: str, layout: Layout, rows: Rows, problems: list[OrgProblem]) -> Table | None:
    """The table whose header is the first of ``rows``; ``None`` (noted) when it cannot be read."""
    if not rows:
        problems.append(
            OrgProblem(where=f"{file} {layout.sheet}", field="表头", message="表是空的，第一行应是表头")
        )
        return None
    header_row, headers = rows[0]
    where = f"{file} {layout.sheet} 第 {header_row} 行"
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = layout.column(header) if header.strip() else None
        if column is not None and column.key in columns:
            letters = f"{get_column_letter(columns[column.key] + 1)} 列和 {get_column_letter(index + 1)} 列"
            problems.append(
                OrgProblem(where=where, field=column.header, message=f"{letters}重复，只能有一列")
            )
        elif column is not None:
            columns[column.key] = index
    missing = "、".join(c.header for c in layout.columns if c.required and c.key not in columns)
    if missing:
        found = "、".join(header.strip() for header in headers if header.strip()) or "（无）"
        problems.append(
            OrgProblem(where=where, field="表头", message=f"缺少必需的列：{missing}；找到的列：{found}")
        )
        return None
    return Table(file=file, layout=layout, columns=columns, rows=rows[1:])


def _split(text: str) -> list[str]:
    return [item.strip() for item in _SPLIT.split(text) if item.strip()]


class TableReader:
    """Reads tables into departments and users, noting every problem with its row and column.

    Attributes:
        department_rows: Where each department came from (id -> ``org.xlsx 部门 第 3 行``).
        user_rows: Where each user came from (id -> ``org.xlsx 人员 第 7 行``).
    """

    def __init__(self, problems: list[OrgProblem]) -> None:
        self.problems = problems
        self.department_rows: dict[str, str] = {}
        self.user_rows: dict[str, str] = {}
        self._first: dict[tuple[str, str], int] = {}

    def _note(self, where: str, layout: Layout, key: str, message: str) -> None:
        self.problems.append(OrgProblem(where=where, field=layout.header(key), message=message))

    def _required(self, table: Table, row: int, cells: list[str], key: str) -> str:
        value = table.cell(cells, key)
        if not value:
            self._note(table.where(row), table.layout, key, "必填，不能为空")
        return value

    def _is_first(self, table: Table, row: int, key: str, value: str) -> bool:
        """``value`` is the first row's of that id in the table; a repeat is noted (and left out)."""
        first = self._first.setdefault((table.layout.sheet, value), row)
        if first != row:
            hint = "（未填部门编号时以部门名称为编号，同名部门请填部门编号区分）" if key == "name" else ""
            self._note(table.where(row), table.layout, key, f"{value!r} 与第 {first} 行重复{hint}")
        return first == row

    def departments(self, table: Table) -> list[Department]:
        """The departments of a 部门 table, references still as written."""
        found = []
        for row, cells in table.rows:
            name = self._required(table, row, cells, "name")
            code = table.cell(cells, "id")
            if (code or name) and self._is_first(table, row, "id" if code else "name", code or name):
                self.department_rows[code or name] = table.where(row)
                found.append(
                    Department(
                        id=code or name,
                        name=name,
                        parent_id=table.cell(cells, "parent") or None,
                        head=table.cell(cells, "head") or None,
                        supervisor=table.cell(cells, "supervisor") or None,
                    )
                )
        return found

    def users(self, table: Table) -> list[User]:
        """The users of a 人员 table, department references still as written."""
        found = []
        for row, cells in table.rows:
            where = table.where(row)
            user_id = self._required(table, row, cells, "id")
            name = self._required(table, row, cells, "name")
            primary = table.cell(cells, "primary_department")
            others = _split(table.cell(cells, "other_departments"))
            if others and not primary:
                self._note(where, USERS, "primary_department", "填了兼职部门时，主部门不能为空")
            status = table.cell(cells, "status")
            if status.casefold() not in _ACTIVE + _INACTIVE:
                self._note(where, USERS, "status", f"{status!r} 无法识别，应为 {_STATUS_VALUES}")
            if user_id and self._is_first(table, row, "id", user_id):
                self.user_rows[user_id] = where
                found.append(
                    User(
                        id=user_id,
                        name=name,
                        departments=tuple(([primary] if primary else []) + others),
                        roles=tuple(self._roles(table.cell(cells, "roles"), where)),
                        email=table.cell(cells, "email") or None,
                        mobile=table.cell(cells, "mobile") or None,
                        active=status.casefold() not in _INACTIVE,
                    )
                )
        return found

    def _roles(self, text: str, where: str) -> Iterator[RoleGrant]:
        for item in _split(text):
            role, at, department = item.replace("＠", "@").partition("@")
            if role.strip() and (not at or department.strip()):
                yield RoleGrant(role=role.strip(), department_id=department.strip() if at else None)
            else:
                self._note(where, USERS, "roles", f"{item!r} 应写作「角色名」或「角色名@部门」")

    def resolve(self, departments: list[Department] | None, users: list[User]) -> OrgSnapshot:
        """The snapshot with every department reference turned into an id.

        Without a departments table (``None``), each department the users name
        is created, top-level and without heads. An unknown or ambiguous
        reference is noted with its column and left out, so that
        ``check_snapshot`` does not report it again.
        """
        if departments is None:
            named = [ref for user in users for ref in (*user.departments, *_scopes(user))]
            departments = [Department(id=ref, name=ref) for ref in dict.fromkeys(named)]
        chart = build_snapshot(departments, ())
        departments = [
            replace(d, parent_id=self._id(chart, d.parent_id, self.department_rows[d.id], "parent"))
            if d.parent_id is not None
            else d
            for d in departments
        ]
        return build_snapshot(departments, [self._resolve_user(chart, user) for user in users])

    def _resolve_user(self, chart: OrgSnapshot, user: User) -> User:
        where = self.user_rows[user.id]
        departments = [
            self._id(chart, ref, where, "other_departments" if index else "primary_department")
            for index, ref in enumerate(user.departments)
        ]
        grants = []
        for grant in user.roles:
            scope = grant.department_id and self._id(chart, grant.department_id, where, "roles")
            if grant.department_id is None or scope:
                grants.append(replace(grant, department_id=scope))
        return replace(user, departments=tuple(d for d in departments if d), roles=tuple(grants))

    def _id(self, chart: OrgSnapshot, ref: str, where: str, key: str) -> str | None:
        """The id of the department ``ref`` names (an id, or a unique name); ``None``, noted, if none."""
        layout = DEPARTMENTS if key == "parent" else USERS
        found = chart.department(ref)
        if found is not None:
            return found.id
        if shared := chart.ambiguous(ref):
            message = f"部门名称 {ref!r} 对应多个部门（编号 {'、'.join(shared)}），请改填部门编号"
        else:
            message = f"{'上级部门' if key == 'parent' else '部门'} {ref!r} 不存在"
        self._note(where, layout, key, message)
        return None


def _scopes(user: User) -> list[str]:
    return [grant.department_id for grant in user.roles if grant.department_id is not None]


def table_cells(org: OrgSnapshot) -> list[tuple[Layout, list[list[str]]]]:
    """The two tables as the writer fills them: ids for every reference, one row per department or user."""
    departments = [
        [d.id, d.name, d.parent_id or "", d.head or "", d.supervisor or ""] for d in org.departments.values()
    ]
    users = [
        [
            u.id,
            u.name,
            u.primary_department or "",
            _SEPARATORS[0].join(u.departments[1:]),
            _SEPARATORS[0].join(str(grant) for grant in u.roles),
            u.email or "",
            u.mobile or "",
            "在职" if u.active else "停用",
        ]
        for u in org.users.values()
    ]
    return [(DEPARTMENTS, departments), (USERS, users)]
