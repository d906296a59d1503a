"""A node table's CSV text as rows: metadata lines, the header row and the node rows, with row numbers.

Rows are numbered as a spreadsheet shows them (a blank line is a row, a cell
holding a line break is not two), so a problem names the row the user sees.
Above the header row there may be metadata lines (``流程名称,新产品上市流程``) and
titles; the header row is the first that has a 节点编号 cell, and may stand
anywhere, in any column order. Everything is checked at once and reported as
:class:`~orgflow.model.table_layout.TableProblem`; nothing here raises.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from orgflow.model.problems import Severity
from orgflow.model.table_layout import (
    METADATA_KEYS,
    NUMBER,
    REQUIRED_COLUMNS,
    TableProblem,
    cell_name,
    column_key,
    is_derived,
)

#: Longest table text accepted, in characters (a table of 500 rows is far below it).
MAX_CHARS: Final = 1_000_000
#: Most node rows a table may have.
MAX_ROWS: Final = 500
_COLUMN_HINT: Final = "列名：节点编号、节点名称、负责部门/人、输入要求、输出要求、时限(小时)、系统触发条件"


@dataclass(frozen=True, kw_only=True, slots=True)
class Row:
    """One row of the table: its number as a spreadsheet shows it, and its cells as text.

    ``index`` is its place among the text's CSV records (0-based), to edit it there
    (:func:`~orgflow.model.table_records.rewrite_records`).
    """

    line: int
    cells: tuple[str, ...]
    index: int = 0

    def cell(self, column: int | None) -> str:
        """The text of a column (``None``: the table has no such column), blanks stripped."""
        if column is None or column >= len(self.cells):
            return ""
        return self.cells[column].strip()


@dataclass(frozen=True, kw_only=True)
class TableGrid:
    """A table read into rows.

    Attributes:
        metadata: Metadata line values by key (``流程名称`` …), with their row numbers.
        header: The header row, if one was found.
        columns: Each known column's 0-based position.
        rows: The node rows (blank rows left out), in table order.
    """

    metadata: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    header: Row | None = None
    columns: Mapping[str, int] = field(default_factory=dict)
    rows: tuple[Row, ...] = ()

    def where(self, column: str, line: int) -> str | None:
        """The cell of ``column`` in row ``line`` (``G5``), if the table has that column."""
        position = self.columns.get(column)
        return None if position is None else cell_name(position, line)

    @property
    def usable(self) -> bool:
        """Whether there is a header with every required column and at least one row."""
        return bool(self.rows) and all(column in self.columns for column in REQUIRED_COLUMNS)


def read_grid(text: str) -> tuple[TableGrid, list[TableProblem]]:
    """Split a table's CSV text (a byte-order mark allowed) into metadata, header and rows."""
    problems: list[TableProblem] = []
    if len(text) > MAX_CHARS:
        problems.append(TableProblem(message=f"节点配置表过大（超过 {MAX_CHARS} 个字符）", line=1))
        return TableGrid(), problems
    metadata: dict[str, tuple[str, int]] = {}
    header: Row | None = None
    rows: list[Row] = []
    for row in _numbered(text.removeprefix("\ufeff"), problems):
        if header is None:
            if any(column_key(cell) == NUMBER for cell in row.cells):
                header = row
            else:
                _metadata_line(row, metadata, problems)
            continue
        if not any(cell.strip() for cell in row.cells):
            continue
        if len(rows) == MAX_ROWS:
            problems.append(
                TableProblem(message=f"节点配置表最多 {MAX_ROWS} 行节点，从这一行起超出了", line=row.line)
            )
            break
        rows.append(row)
    if header is None:
        problems.append(
            TableProblem(
                message="找不到表头行：表头行应包含「节点编号」等列",
                line=1,
                hint=_COLUMN_HINT,
            )
        )
        return TableGrid(metadata=metadata), problems
    columns = _columns(header, problems)
    if not rows and not any(problem.severity is Severity.ERROR for problem in problems):
        problems.append(
            TableProblem(
                message="节点配置表没有任何节点行", line=header.line, hint="在表头下面每个节点写一行"
            )
        )
    return TableGrid(metadata=metadata, header=header, columns=columns, rows=tuple(rows)), problems


def _numbered(text: str, problems: list[TableProblem]) -> Iterator[Row]:
    """The CSV records with their row numbers; lines added from the file name do not count."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    try:
        for index, record in enumerate(reader):
            if is_derived(record):
                yield Row(line=0, cells=tuple(record[:2]), index=index)
                continue
            line += 1
            yield Row(line=line, cells=tuple(record), index=index)
    except csv.Error as error:
        problems.append(TableProblem(message=f"不是合法的 CSV：{error}", line=line + 1))


def _metadata_line(row: Row, metadata: dict[str, tuple[str, int]], problems: list[TableProblem]) -> None:
    """``流程名称,新产品上市流程`` above the header; a one-cell line is a title and is passed over."""
    filled = [(index, cell.strip()) for index, cell in enumerate(row.cells) if cell.strip()]
    if len(filled) < 2:
        return
    (position, key), (_, value) = filled[0], filled[1]
    key = unicodedata.normalize("NFKC", key).rstrip(":：")
    if key not in METADATA_KEYS:
        problems.append(
            TableProblem(
                message=f"不认识的表头信息「{key}」，已忽略",
                line=row.line or None,
                cell=cell_name(position, row.line) if row.line else None,
                hint="表头行上方可写：" + "、".join(METADATA_KEYS),
                severity=Severity.WARNING,
            )
        )
        return
    first = metadata[key][1] if key in metadata else None
    if first:  # the user's own line came first; a line taken from the file name (row 0) never clashes
        if row.line:
            problems.append(
                TableProblem(
                    message=f"「{key}」写了两次（第一次在第 {first} 行）",
                    line=row.line,
                    field=key,
                    cell=cell_name(position, row.line),
                )
            )
    elif first is None or row.line:
        metadata[key] = (value, row.line)


def _columns(header: Row, problems: list[TableProblem]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, text in enumerate(header.cells):
        if not text.strip():
            continue
        key = column_key(text)
        where = cell_name(position, header.line)
        if key is None:
            problems.append(
                TableProblem(
                    message="不认识的列，已忽略",
                    line=header.line,
                    field=text.strip(),
                    cell=where,
                    hint=_COLUMN_HINT,
                    severity=Severity.WARNING,
                )
            )
        elif key in columns:
            problems.append(
                TableProblem(
                    message=f"列出现了两次（{cell_name(columns[key], header.line)} 和 {where}）",
                    line=header.line,
                    field=key,
                    cell=where,
                )
            )
        else:
            columns[key] = position
    for key in REQUIRED_COLUMNS:
        if key not in columns:
            problems.append(
                TableProblem(message=f"缺少必填列「{key}」", line=header.line, field=key, hint=_COLUMN_HINT)
            )
    return columns
