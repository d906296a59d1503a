"""Writing the seed's tables to files: CSV (UTF-8 with BOM, so Excel opens it) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from orgflow.errors import ConfigurationError


class TableFormat(StrEnum):
    """The file formats a table can be written as."""

    CSV = "csv"
    XLSX = "xlsx"


def table_format(text: str) -> TableFormat:
    """The format named ``csv`` or ``xlsx`` (any case).

    Raises:
        ConfigurationError: Another name.
    """
    try:
        return TableFormat(text.lower())
    except ValueError:
        raise ConfigurationError(f"不支持的导出格式「{text}」，可选：csv、xlsx") from None


def write_table(
    path: Path, fmt: TableFormat, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    """Write a header row and the rows to ``path``; ``title`` names the XLSX sheet.

    Raises:
        ConfigurationError: The file cannot be written.
    """
    try:
        if fmt is TableFormat.CSV:
            path.write_bytes(csv_bytes(columns, rows))
        else:
            _write_xlsx(path, title, columns, rows)
    except OSError as error:
        raise ConfigurationError(f"无法写入文件 {path}：{error.strerror or error}") from None


def csv_bytes(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """The table as CSV, UTF-8 with a byte-order mark and CRLF line ends (what Excel expects)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _write_xlsx(path: Path, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index, name in enumerate(columns, start=1):
        widest = max([len(name), *(len(row[index - 1]) for row in rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, 2 * widest + 2)
    sheet.freeze_panes = "A2"
    book.save(path)
