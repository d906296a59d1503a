"""A version deployed from a node table, written back as it was deployed: its stored text, not a derivation.

A table written from the definition (:func:`~orgflow.model.table_writer.node_table`)
has only what the definition keeps: the 任务ID a step hands out (the system
makes it), titles and notes above the header, the columns' order and ``*``
marks, the words a condition was written in are gone. The stored text is the
table that was deployed (with the user ids deploy wrote in for people named by
display name), so an export gives that back: as CSV the text itself, as a
workbook its records row for row and column for column.

Only the marks of metadata lines taken from the file name are dropped
(:data:`~orgflow.model.table_layout.DERIVED_MARK`): in the exported file those
lines are rows like any other, and counting them keeps the row numbers of
problems as the file shows them.
"""

from __future__ import annotations

import csv
import io

from orgflow.model.table_grid import read_grid
from orgflow.model.table_layout import is_derived
from orgflow.model.table_records import rewrite_records
from orgflow.model.table_writer import NodeTable


def deployed_table(text: str) -> NodeTable:
    """The stored text of a table as the table to write: its lines as they are, file-name marks dropped."""
    plain = rewrite_records(text, lambda _, cells: cells[:2] if is_derived(cells) else None)
    plain = plain.removeprefix("\ufeff")
    records = [tuple(record) for record in csv.reader(io.StringIO(plain, newline=""))]
    grid, _ = read_grid(plain)
    at = grid.header.index if grid.header is not None else len(records)
    return NodeTable(
        metadata=tuple(records[:at]),
        header=records[at] if at < len(records) else (),
        rows=tuple(records[at + 1 :]),
        text=plain,
    )
