"""The progress board ranks every open item from the open-item indexes alone, never from the tables.

SQLite: ``EXPLAIN QUERY PLAN`` of the items it ranks must read work items only through
``COVERING INDEX`` ix_work_items_open_assignee and ix_work_items_unclaimed_group
(a table row fetched per open item was most of the board's time at scale).
PostgreSQL: with sequential scans priced out, no ``Seq Scan`` on work_items.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orgflow.access.scope import DataScope
from orgflow.store import board
from orgflow.store.board import BoardFilter
from orgflow.store.database import create_database

from .test_store_inbox_plans import plan

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
BOARD_INDEXES = ("ix_work_items_open_assignee", "ix_work_items_unclaimed_group")
SCOPES = {
    "everything": DataScope(user="admin", everything=True),
    "a head's": DataScope(
        user="head", departments=frozenset({"yf", "研发部"}), initiators=frozenset({"dev1"})
    ),
}
FILTERS = {
    "none": BoardFilter(),
    "narrowed": BoardFilter(definition_key="req", node_id="review", departments=("yf",), overdue_at=NOW),
}


@pytest.mark.parametrize("by", ["node", "department"])
@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("wanted", FILTERS)
def test_the_ranking_reads_open_items_from_covering_indexes(migrated_url, by, scope, wanted) -> None:
    statement = board.ranked_items(SCOPES[scope], FILTERS[wanted], by=by, now=NOW)
    database = create_database(migrated_url)
    try:
        with database.reading() as connection:
            dialect = connection.dialect.name
            if dialect == "postgresql":
                connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            lines = plan(connection, statement)
    finally:
        database.dispose()
    text = "\n".join(lines)
    if dialect == "postgresql":
        assert lines and not any("Seq Scan on work_items" in line for line in lines), text
        return
    board_reads = [line for line in lines if any(name in line for name in BOARD_INDEXES)]
    assert len(board_reads) == 2, text
    assert all(" work_items USING COVERING INDEX " in line for line in board_reads), text
    assert not any(line.startswith("SCAN work_items") and "COVERING" not in line for line in lines), text
