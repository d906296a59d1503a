"""A node table's CSV text edited record by record: every record left alone keeps its bytes.

Deploy writes a person's user id into the 负责部门/人 cells that name them by
display name (:mod:`orgflow.model.table_people`), and an export drops the marks
of metadata lines taken from a file name (:mod:`orgflow.model.table_source`).
Both change a few records of text a person wrote; the rest (its quoting, line
ends, byte-order mark, blank lines) stays exactly as it was, so what is
stored is still the person's table and row numbers do not move.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

#: Given a record's place (0-based) and cells, its new cells, or ``None`` to keep it as it is.
RecordChange = Callable[[int, list[str]], Sequence[str] | None]

_BOM = "\ufeff"


def rewrite_records(text: str, change: RecordChange) -> str:
    """``text`` with the records ``change`` replaces written anew, each ending as it ended before.

    Records are numbered as :func:`~orgflow.model.table_grid.read_grid` numbers
    :attr:`~orgflow.model.table_grid.Row.index`. Text past a CSV error is kept as it is.
    """
    bom = _BOM if text.startswith(_BOM) else ""
    lines = io.StringIO(text.removeprefix(_BOM), newline="").readlines()
    reader = csv.reader(lines)
    written: list[str] = []
    used = 0
    try:
        for index, record in enumerate(reader):
            span = lines[used : reader.line_num]
            used = reader.line_num
            cells = change(index, record)
            written += span if cells is None else [_record(cells, _ending(span[-1]))]
    except csv.Error:
        pass
    return bom + "".join(written) + "".join(lines[used:])


def _record(cells: Sequence[str], ending: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending).writerow(cells)
    return buffer.getvalue()


def _ending(line: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if line.endswith(ending):
            return ending
    return ""
