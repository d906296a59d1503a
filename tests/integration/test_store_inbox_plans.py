"""The inbox queries are served by indexes on both databases, never by a scan of the big tables.

SQLite: ``EXPLAIN QUERY PLAN`` must not ``SCAN`` work_items, instances or copies
(scanning the 20 keys a page picked is fine).
PostgreSQL: with sequential scans priced out (``enable_seqscan = off``), the
plan must not contain a ``Seq Scan``: it would only keep one if no index could
serve the query.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orgflow.store import inbox
from orgflow.store.database import create_database
from orgflow.store.inbox import InboxFilter

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
FILTERED = InboxFilter(definition_key="req", departments=("yf", "研发部"), due_before=NOW, due_after=NOW)
VIEWS = {
    "todo": inbox.todo("dev2", ["dept:yf", "role:总经理"], InboxFilter()),
    "todo filtered": inbox.todo("dev2", ["dept:yf"], FILTERED),
    "todo without groups": inbox.todo("dev2", [], InboxFilter()),
    "done": inbox.done("dev2", InboxFilter()),
    "done filtered": inbox.done("dev2", FILTERED),
    "started": inbox.started("u1", InboxFilter()),
    "started filtered": inbox.started("u1", FILTERED),
    "cc": inbox.copied("u1", InboxFilter()),
    "cc filtered": inbox.copied("u1", FILTERED),
}


def plan(connection, statement) -> list[str]:
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}")]


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("part", ["page", "count"])
def test_every_inbox_query_uses_indexes(migrated_url, name, part) -> None:
    view = VIEWS[name]
    statement = view.page(20, 0) if part == "page" else view.count()
    database = create_database(migrated_url)
    try:
        with database.reading() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            lines = plan(connection, statement)
    finally:
        database.dispose()
    big_tables = ("SCAN work_items", "SCAN instances", "SCAN copies")
    scans = [line for line in lines if line.startswith(big_tables)]
    scans += [line for line in lines if "Seq Scan" in line]
    assert lines and scans == [], "\n".join(lines)
