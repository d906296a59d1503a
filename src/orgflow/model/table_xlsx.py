"""The node table as an Excel workbook: one sheet read into the table's CSV text, and rows written as a sheet.

Reading is hardened for files from anywhere: the file size and its unpacked
size are bounded (a zip bomb is refused before it is opened), the sheet is
streamed (``read_only``) and only as many rows and columns are read as a table
may have, formulas count as their cached values (``data_only``; a formula
never calculated reads as empty), and the XML is parsed by defusedxml. Row
``n`` of the sheet is line ``n`` of the text and columns keep their places, so a
problem found in the text names the sheet's cell (``G5``).

Writing puts every value in as text (a cell starting with ``=`` is not a
formula, ``001`` keeps its zeros), styles the header, sizes the columns and
freezes the rows down to the header.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from orgflow.errors import ConfigurationError
from orgflow.model.table_grid import MAX_ROWS

#: The sheet a workbook's table is read from when it has one of this name (else the first sheet).
SHEET: Final = "流程节点配置表"
#: Largest workbook accepted, in bytes.
MAX_FILE_BYTES: Final = 5 * 1024 * 1024
#: Largest total of its unpacked parts, in bytes.
MAX_UNPACKED_BYTES: Final = 50 * 1024 * 1024
#: Most sheet rows read: the node rows, metadata lines and some blank rows.
MAX_SHEET_ROWS: Final = MAX_ROWS + 50
#: Most columns read.
MAX_COLUMNS: Final = 30
_MAX_WIDTH: Final = 50
_HEADER_FILL: Final = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
_HEADER_FONT: Final = Font(bold=True, color="FFFFFF")
_THIN: Final = Side(style="thin", color="BFBFBF")
_BORDER: Final = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


#: What reading a damaged workbook raises, from opening it to the last cell: the zip (a bad
#: archive, a cut or corrupted deflate stream, an unknown compression method or an encrypted
#: member: ``NotImplementedError``, ``RuntimeError``), its XML, openpyxl's own checks.
UNREADABLE_WORKBOOK: Final[tuple[type[Exception], ...]] = (
    OSError,
    NotImplementedError,
    RuntimeError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    ElementTree.ParseError,
    InvalidFileException,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
)


def sheet_text(path: Path) -> str:
    """The table sheet of an ``.xlsx`` workbook as CSV text, row for row and column for column.

    Raises:
        ConfigurationError: The file is too large, not a workbook, or holds more rows or columns than a table.
    """
    _check_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except UNREADABLE_WORKBOOK as error:
        raise ConfigurationError(f"无法打开 Excel 工作簿 {path.name}：{error}") from None
    try:
        names = workbook.sheetnames
        sheet = workbook[SHEET] if SHEET in names else workbook.worksheets[0]
        rows = _rows(sheet.iter_rows(max_row=MAX_SHEET_ROWS + 1, max_col=MAX_COLUMNS + 1), path.name)
    except UNREADABLE_WORKBOOK as error:  # the sheet is streamed: a damaged part shows only now
        raise ConfigurationError(f"Excel 工作簿 {path.name} 已损坏，无法读取：{error}") from None
    finally:
        workbook.close()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConfigurationError(f"文件 {path.name} 过大（{size} 字节，最多 {MAX_FILE_BYTES} 字节）")
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise ConfigurationError(f"文件 {path.name} 不是 Excel 工作簿（.xlsx）") from None
    except OSError as error:
        raise ConfigurationError(f"无法读取文件 {path}：{error.strerror or error}") from None
    except UNREADABLE_WORKBOOK as error:
        raise ConfigurationError(f"Excel 工作簿 {path.name} 已损坏，无法读取：{error}") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ConfigurationError(f"文件 {path.name} 解压后过大（{unpacked} 字节），不像是节点配置表")


def _rows(cells: Any, file_name: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for number, row in enumerate(cells, start=1):
        texts = [_text(cell) for cell in row]
        if len(texts) > MAX_COLUMNS and any(texts[MAX_COLUMNS:]):
            raise ConfigurationError(f"{file_name}：第 {number} 行超过 {MAX_COLUMNS} 列，不像是节点配置表")
        if number > MAX_SHEET_ROWS and any(texts):
            raise ConfigurationError(f"{file_name}：超过 {MAX_SHEET_ROWS} 行（第 {number} 行仍有内容）")
        while texts and not texts[-1]:
            texts.pop()
        rows.append(texts)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _text(cell: Any) -> str:
    """A cell as text: ``001`` when a number is shown with leading zeros, ``24`` for ``24.0``, dates ISO."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return str(value)
        digits = str(int(value))
        zeros = str(getattr(cell, "number_format", ""))
        return digits.zfill(len(zeros)) if zeros and set(zeros) == {"0"} else digits
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == time()
            else value.isoformat(sep=" ", timespec="minutes")
        )
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, kw_only=True, slots=True)
class Sheet:
    """A sheet to write: its rows of text, which one is the header (styled, frozen), and its title."""

    title: str
    rows: Sequence[Sequence[str]]
    header: int | None = None


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An ``.xlsx`` file with these sheets, every cell text."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title)
        for row in spec.rows:
            sheet.append(list(row))
        for row_cells in sheet.iter_rows():
            for cell in row_cells:
                cell.data_type = "s"  # never a formula, never a number
                cell.number_format = "@"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if spec.header is not None:
            _style_header(sheet, spec)
        _size_columns(sheet, spec.rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _style_header(sheet: Any, spec: Sheet) -> None:
    assert spec.header is not None
    line = spec.header + 1
    for cell in sheet[line]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for above in range(1, line):  # metadata keys
        sheet.cell(row=above, column=1).font = Font(bold=True)
    for row_cells in sheet.iter_rows(min_row=line + 1):
        for cell in row_cells:
            cell.border = _BORDER
    sheet.freeze_panes = f"A{line + 1}"


def _size_columns(sheet: Any, rows: Sequence[Sequence[str]]) -> None:
    widths: dict[int, int] = {}
    for row in rows:
        for index, text in enumerate(row):
            widest = max((_display_width(part) for part in text.splitlines()), default=0)
            widths[index] = max(widths.get(index, 0), widest)
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(width + 2, _MAX_WIDTH)


def _display_width(text: str) -> int:
    """Columns the text takes on screen: Chinese characters count twice."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
