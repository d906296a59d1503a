"""Read and write the org chart as one XLSX workbook or as two CSV files.

A workbook holds the sheets ``部门`` and ``人员``. CSV files (UTF-8 with or
without BOM, or GBK/GB18030 as Excel writes them on Chinese Windows) are told
apart by their header rows. A users table alone is enough: its departments are
then created from the names it uses. The columns are ``orgflow.org.tables``'s.

Reading checks everything at once (files, headers, cells, references, then
``check_snapshot``) and either returns the whole chart or raises
:class:`OrgFileError` listing every problem with its file, sheet, row and
column; nothing half-read is returned.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from orgflow.errors import ConfigurationError
from orgflow.model.table_xlsx import UNREADABLE_WORKBOOK
from orgflow.org.checks import OrgProblem, check_snapshot
from orgflow.org.model import OrgSnapshot
from orgflow.org.tables import (
    DEPARTMENTS,
    LAYOUTS,
    USERS,
    Layout,
    Rows,
    Table,
    TableReader,
    recognise,
    table_cells,
    table_of,
)

_Grid = tuple[str, Layout, Rows]  # file name, which table, its rows
_MAX_WIDTH: Final = 40


class OrgFileError(ConfigurationError):
    """组织架构文件有误，未读取。"""

    def __init__(self, problems: Sequence[OrgProblem]) -> None:
        self.problems = tuple(problems)
        lines = [f"组织架构文件有 {len(self.problems)} 处问题，请修改后重新导入："]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


def read_org_files(paths: Sequence[Path]) -> OrgSnapshot:
    """The org chart in one ``.xlsx`` workbook, or in one or two ``.csv`` files.

    Raises:
        OrgFileError: (a ``ConfigurationError``) listing every problem found.
    """
    problems: list[OrgProblem] = []
    tables = _tables(paths, problems)
    whole = not problems
    reader = TableReader(problems)
    departments = reader.departments(tables[DEPARTMENTS.sheet]) if DEPARTMENTS.sheet in tables else None
    users = reader.users(tables[USERS.sheet]) if USERS.sheet in tables else []
    if not whole:  # a table is missing or unreadable: references across tables cannot be checked
        raise OrgFileError(problems)
    org = reader.resolve(departments, users)
    problems += check_snapshot(org, department_rows=reader.department_rows, user_rows=reader.user_rows)
    if problems:
        raise OrgFileError(problems)
    return org


def _tables(paths: Sequence[Path], problems: list[OrgProblem]) -> dict[str, Table]:
    """The tables of the files by sheet name (部门, 人员); what is wrong with the files is noted."""
    suffixes = [path.suffix.lower() for path in paths]
    if suffixes != [".xlsx"] and (set(suffixes) != {".csv"} or len(paths) > 2):
        given = "、".join(path.name for path in paths) or "（没有文件）"
        problems.append(_file_problem(given, "请给一个 .xlsx 工作簿，或一到两个 .csv 文件（部门表、人员表）"))
        return {}
    grids = _workbook_grids(paths[0], problems) if suffixes == [".xlsx"] else _csv_grids(paths, problems)
    tables: dict[str, Table] = {}
    for file, layout, rows in grids:
        if layout.sheet in tables:
            problems.append(_file_problem(file, f"和 {tables[layout.sheet].file} 都是{layout.sheet}表"))
        elif (table := table_of(file, layout, rows, problems)) is not None:
            tables[layout.sheet] = table
    if not problems and USERS.sheet not in tables:
        problems.append(_file_problem(paths[0].name, "只有部门表：还需要人员表（含「用户ID」列）"))
    return tables


def _file_problem(where: str, message: str) -> OrgProblem:
    return OrgProblem(where=where, field="文件", message=message)


def _workbook_grids(path: Path, problems: list[OrgProblem]) -> list[_Grid]:
    try:
        workbook = load_workbook(path, data_only=True)
    except UNREADABLE_WORKBOOK as error:
        problems.append(_file_problem(path.name, f"无法打开工作簿：{_reason(error)}"))
        return []
    grids = []
    for sheet in workbook.worksheets:
        layout = next((layout for layout in LAYOUTS if layout.names_sheet(sheet.title)), None)
        if layout is not None:
            rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
            grids.append((path.name, layout, _numbered(rows)))
    if not any(layout is USERS for _, layout, _ in grids):
        found = "、".join(sheet.title for sheet in workbook.worksheets)
        message = f"缺少「{USERS.sheet}」工作表（「{DEPARTMENTS.sheet}」工作表可选）；找到的工作表：{found}"
        problems.append(OrgProblem(where=path.name, field="工作表", message=message))
        return []
    return grids


def _csv_grids(paths: Sequence[Path], problems: list[OrgProblem]) -> list[_Grid]:
    grids = []
    for path in paths:
        try:
            text = _decode(path.read_bytes())
        except OSError as error:
            problems.append(_file_problem(path.name, f"无法读取：{_reason(error)}"))
            continue
        except UnicodeDecodeError:
            problems.append(_file_problem(path.name, "认不出文件编码：请另存为 UTF-8 或 GBK 编码的 CSV"))
            continue
        rows = _numbered(list(csv.reader(io.StringIO(text, newline=""))))
        headers = [header.strip() for header in rows[0][1]] if rows else []
        layout = recognise(headers, path.stem)
        if layout is None:
            found = "、".join(header for header in headers if header) or "（无）"
            message = f"认不出是哪张表：部门表要有「部门名称」列，人员表要有「用户ID」列；找到的列：{found}"
            problems.append(_file_problem(path.name, message))
        else:
            grids.append((path.name, layout, rows))
    return grids


def _decode(data: bytes) -> str:
    """CSV text: UTF-8 with or without BOM, else GB18030 (which GBK is a part of, as Excel writes it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _cell_text(value: object) -> str:
    """A workbook cell as text: whole numbers without a ``.0`` (a 手机 typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _numbered(rows: list[list[str]]) -> Rows:
    """The rows that are not blank, each with its row number as a spreadsheet shows it."""
    return [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]


def write_org_file(org: OrgSnapshot, path: Path) -> list[Path]:
    """Write the chart to one ``.xlsx`` workbook, or to ``<stem>-部门.csv`` and ``<stem>-人员.csv``.

    CSV files are UTF-8 with a BOM, so Excel opens them correctly. Each file is
    written to a temporary file first and then renamed over the old one.

    Returns:
        The files written.

    Raises:
        ConfigurationError: The suffix is neither ``.xlsx`` nor ``.csv``, or a file cannot be written.
    """
    tables = table_cells(org)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return [_atomically(path, lambda target: _write_workbook(tables, target))]
    if suffix == ".csv":
        return [
            _atomically(path.with_name(f"{path.stem}-{layout.sheet}.csv"), _csv_writer(layout, rows))
            for layout, rows in tables
        ]
    raise ConfigurationError(f"不支持的文件类型 {path.suffix!r}：组织架构只能写成 .xlsx 或 .csv")


def _atomically(target: Path, write: Callable[[Path], None]) -> Path:
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    except OSError as error:
        raise ConfigurationError(f"无法写入 {target}：{_reason(error)}") from error
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _csv_writer(layout: Layout, rows: list[list[str]]) -> Callable[[Path], None]:
    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(column.header for column in layout.columns)
            writer.writerows(rows)

    return write


def _write_workbook(tables: list[tuple[Layout, list[list[str]]]], target: Path) -> None:
    """Both sheets: bold, frozen header; columns as wide as their text; every cell text."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for layout, rows in tables:
        sheet = workbook.create_sheet(layout.sheet)
        headers = [column.header for column in layout.columns]
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"  # never a formula, nor a number (手机 keeps its digits)
        for index, header in enumerate(headers, start=1):
            sheet.cell(row=1, column=index).font = Font(bold=True)
            widest = max([_display_width(header)] + [_display_width(row[index - 1]) for row in rows])
            sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, _MAX_WIDTH)
        sheet.freeze_panes = "A2"
    workbook.save(target)


def _display_width(text: str) -> int:
    """Columns the text takes on screen: Chinese characters count twice."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
