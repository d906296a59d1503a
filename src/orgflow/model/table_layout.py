"""The seed's node-configuration table (流程节点配置表, seed 003 template 2): its columns, ids and problems.

The table has one row per step::

    节点编号,节点名称,负责部门/人,输入要求,输出要求,时限(小时),系统触发条件
    001,需求提交,发起部门,任务目标、协同部门清单,任务ID、基础信息,2,手动发起

and may start with metadata lines (``流程名称,新产品上市流程``). Reader and
writer share what is here: the column names, how a 节点编号 becomes a node id
(ids must start with a letter, so ``001`` is the node ``n001``), and
:class:`TableProblem`, which names a problem the way a spreadsheet user finds
it: by row, column and cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from openpyxl.utils import get_column_letter

from orgflow.model.problems import DefinitionProblem, Severity

NUMBER: Final = "节点编号"
NAME: Final = "节点名称"
OWNER: Final = "负责部门/人"
INPUTS: Final = "输入要求"
OUTPUTS: Final = "输出要求"
TIME_LIMIT: Final = "时限(小时)"
TRIGGER: Final = "系统触发条件"

#: The columns in the seed's order (the order the writer uses; a reader takes any order).
COLUMNS: Final = (NUMBER, NAME, OWNER, INPUTS, OUTPUTS, TIME_LIMIT, TRIGGER)
#: Columns a table cannot do without (输入要求 and 输出要求 may be left out).
REQUIRED_COLUMNS: Final = (NUMBER, NAME, OWNER, TIME_LIMIT, TRIGGER)
#: Other ways people head the columns, normalised as :func:`column_key` does.
_ALIASES: Final[Mapping[str, str]] = {
    "编号": NUMBER,
    "名称": NAME,
    "负责部门": OWNER,
    "负责人": OWNER,
    "负责部门/负责人": OWNER,
    "时限": TIME_LIMIT,
    "时限(h)": TIME_LIMIT,
    "触发条件": TRIGGER,
}

PROCESS_NAME: Final = "流程名称"
PROCESS_KEY: Final = "流程编号"
KEY_PREFIX: Final = "业务编号前缀"
DESCRIPTION: Final = "流程说明"
#: The metadata lines a table may start with, in the order the writer puts them.
METADATA_KEYS: Final = (PROCESS_NAME, PROCESS_KEY, KEY_PREFIX, DESCRIPTION)
#: Third cell of a metadata line added when a file was read (taken from the file name): it is not a row
#: of the user's file, so it does not count when rows are numbered.
DERIVED_MARK: Final = "#取自文件名"

#: A 节点编号 as written: digits and letters, ``-`` and ``_``, not starting with ``_`` (its node id fits 64).
NUMBER_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,62}")
_NUMBERED_ID: Final = re.compile(r"n\d[A-Za-z0-9_\-]*")


def is_derived(record: Sequence[str]) -> bool:
    """Whether a CSV record is a metadata line added when the file was read (marked :data:`DERIVED_MARK`)."""
    return len(record) >= 3 and record[2] == DERIVED_MARK


def column_key(header: str) -> str | None:
    """The column a header cell names: full-width forms, blanks and a trailing ``*`` (必填) ignored."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).rstrip("*")
    if text in COLUMNS:
        return text
    return _ALIASES.get(text)


def node_id_of(number: str) -> str:
    """The node id of a 节点编号: ``001`` → ``n001`` (ids start with a letter), ``A1`` stays ``A1``."""
    return f"n{number}" if number[:1].isdigit() else number


def number_of(node_id: str) -> str:
    """The 节点编号 a node id is written as: ``n001`` → ``001``, other ids as they are."""
    return node_id[1:] if _NUMBERED_ID.fullmatch(node_id) else node_id


def reference_key(number: str) -> str:
    """What two ways of writing one 节点编号 share: ``1``, ``01`` and ``001`` are one node."""
    text = unicodedata.normalize("NFKC", number).strip()
    return str(int(text)) if text.isdigit() else text.casefold()


def cell_name(column: int, line: int) -> str:
    """A spreadsheet cell as Excel names it, from a 0-based column and a 1-based row: ``G5``."""
    return f"{get_column_letter(column + 1)}{line}"


@dataclass(frozen=True, kw_only=True, slots=True)
class TableProblem(DefinitionProblem):
    """A problem in a node table, named by row, column and cell: ``第 5 行「系统触发条件」（单元格 G5）：…``.

    ``line`` is the row as a spreadsheet shows it, ``field`` the column's name,
    ``node_id`` the node the row became, ``cell`` the cell (``G5``) when the column is in the table.
    """

    cell: str | None = None

    def __str__(self) -> str:
        where = f"第 {self.line} 行" if self.line is not None else ""
        if self.field:
            where += f"「{self.field}」"
        if self.cell:
            where += f"（单元格 {self.cell}）"
        text = f"{where}：{self.message}" if where else self.message
        if self.severity is Severity.WARNING:
            text = f"[警告] {text}"
        return f"{text}（{self.hint}）" if self.hint else text
