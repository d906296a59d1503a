"""Named statements given rows as tuples: UPDATEs by ``row_keys``, multi-row INSERTs, NULLs kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, bindparam, insert, select, update

from orgflow.store.database import Connection, Database, create_database
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import JsonDocument, UtcDateTime

_metadata = MetaData()
_things = Table(
    "things",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("at", UtcDateTime),
    Column("doc", JsonDocument),
    Column("raw", JSON(none_as_null=False)),  # its converter turns None into JSON null, not SQL NULL
)
_INSERT = NamedStatement("insert things", insert(_things), column_keys=("id", "name", "at", "doc", "raw"))
_RENAME = NamedStatement(
    "rename thing",
    update(_things).where(_things.c.id == bindparam("b_id")),
    column_keys=("name", "at"),
    row_keys=("name", "at", "b_id"),
)
AT = datetime(2026, 12, 4, 9, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    opened = create_database(f"sqlite:///{tmp_path / 'statements.db'}")
    with opened.transaction() as connection:
        _metadata.create_all(connection)
    yield opened
    opened.dispose()


def _stored(connection: Connection) -> list[tuple[object, ...]]:
    query = select(_things.c.id, _things.c.name, _things.c.at, _things.c.doc, _things.c.raw).order_by(
        _things.c.id
    )
    return [tuple(row) for row in connection.exec_driver_sql(str(query.compile()))]


def test_a_multi_row_insert_converts_each_column_and_keeps_nulls_null(database: Database) -> None:
    with database.transaction() as connection:
        written = _INSERT.insert_rows(
            connection,
            [(1, "a", AT, {"k": "值"}, None), (2, None, None, None, [1]), (3, "c", AT, None, None)],
        )
        rows = _stored(connection)

    assert written == 3
    assert rows == [
        (1, "a", "2026-12-04 01:00:00.000000", '{"k":"值"}', "null"),
        (2, None, None, None, "[1]"),
        (3, "c", "2026-12-04 01:00:00.000000", None, "null"),
    ]


def test_execute_rows_takes_the_where_values_from_the_row_and_counts_what_changed(database: Database) -> None:
    with database.transaction() as connection:
        _INSERT.insert_rows(connection, [(1, "a", None, None, None), (2, "b", None, None, None)])
        one = _RENAME.execute_rows(connection, [("A", AT, 1)])
        several = _RENAME.execute_rows(connection, [("B", None, 2), ("X", None, 99)])
        none = _RENAME.execute_rows(connection, [])
        rows = _stored(connection)

    assert (one, several, none) == (1, 1, 0)
    assert [row[:3] for row in rows] == [(1, "A", "2026-12-04 01:00:00.000000"), (2, "B", None)]


def test_rows_of_a_statement_needing_other_values_are_refused(database: Database) -> None:
    needs_more = NamedStatement(
        "rename by key", update(_things).where(_things.c.id == bindparam("b_id")), column_keys=("name",)
    )
    with pytest.raises(TypeError, match="named values"), database.transaction() as connection:
        needs_more.execute_rows(connection, [("A",)])


def test_utc_times_come_back_aware(database: Database) -> None:
    with database.transaction() as connection:
        _INSERT.insert_rows(connection, [(1, "a", AT, None, None)])
        got = connection.execute(select(_things.c.at)).scalar_one()

    assert got == AT and got.tzinfo is UTC
