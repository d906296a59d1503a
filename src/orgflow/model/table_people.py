"""A node table's text with the people its 负责部门/人 cells name by display name written as user ids.

Deploy finds who ``研发部/张三`` is in the org chart (:mod:`orgflow.org.people`)
and stores the table with that cell as ``研发部/张三（zhang_san）``, so the stored
text alone says who handles the step, whatever the org chart says later. Only
those cells change (:func:`~orgflow.model.table_records.rewrite_records`): the
rest of the text is stored as the person wrote it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from orgflow.model.table_assignee import with_user_id
from orgflow.model.table_grid import read_grid
from orgflow.model.table_layout import NUMBER, OWNER, node_id_of
from orgflow.model.table_records import rewrite_records


def with_user_ids(text: str, users: Mapping[str, str]) -> str:
    """``text`` with the 负责部门/人 cell of each node in ``users`` (node id → user id) naming that user."""
    grid, _ = read_grid(text)
    number, owner = grid.columns.get(NUMBER), grid.columns.get(OWNER)
    if number is None or owner is None:
        return text
    changed: dict[int, list[str]] = {}
    for row in grid.rows:
        user_id = users.get(node_id_of(unicodedata.normalize("NFKC", row.cell(number))))
        if user_id is not None and owner < len(row.cells):
            cells = list(row.cells)
            cells[owner] = with_user_id(cells[owner], user_id)
            changed[row.index] = cells
    return rewrite_records(text, lambda index, _: changed.get(index))
