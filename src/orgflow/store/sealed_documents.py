"""The stored documents that hold sealed (encrypted) values, read and rewritten in batches for key rotation.

Three columns hold form data and so may hold envelopes: ``instances.data``,
``work_items.data`` (a submitted form) and ``history.data``. Notifications never
do (their facts are masked), and no other column copies form data. Rows are
read in primary-key order after a given key, and only rows whose JSON text
contains ``"$enc"`` (a text match on both databases, no JSON parsing in SQL).

An instance is rewritten under its version (``WHERE version = :seen``, not
bumped: the engine's state is unchanged): a command that saved it meanwhile
wins, and the row is left for the next pass. Work-item forms and history rows
are written once and never changed by commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Column, Connection, Table, Text, cast, select, update

from orgflow.store.tables import history, instances, work_items

#: The text every row with an envelope contains.
_MARK: Final = '%"$enc"%'


@dataclass(frozen=True, slots=True)
class SealedColumn:
    """A JSON column that may hold envelopes, by its table's name."""

    name: str
    table: Table
    instance_id: Column[Any]


#: Every column that holds form data, in the order rotation goes through them.
SEALED_COLUMNS: Final = (
    SealedColumn("instances", instances, instances.c.id),
    SealedColumn("work_items", work_items, work_items.c.instance_id),
    SealedColumn("history", history, history.c.instance_id),
)


@dataclass(frozen=True, slots=True)
class SealedRow:
    """One row with envelopes: its key, its instance, its document and (instances only) its version."""

    key: Any
    instance_id: str
    data: Any
    version: int | None


def batch(connection: Connection, column: SealedColumn, *, after: Any, limit: int) -> Sequence[SealedRow]:
    """Up to ``limit`` rows of ``column`` with envelopes, keys above ``after`` (``None``: from the first)."""
    table = column.table
    key = table.c.id
    version = table.c.version if column.table is instances else None
    query = select(key, column.instance_id, table.c.data, *([version] if version is not None else []))
    query = query.where(cast(table.c.data, Text).like(_MARK))
    if after is not None:
        query = query.where(key > after)
    query = query.order_by(key).limit(limit)
    return [
        SealedRow(
            key=row[0], instance_id=row[1], data=row[2], version=row[3] if version is not None else None
        )
        for row in connection.execute(query)
    ]


def rewrite(connection: Connection, column: SealedColumn, row: SealedRow, data: Any) -> bool:
    """Write ``data`` over the row's document; ``False`` if the instance was saved since it was read."""
    table = column.table
    statement = update(table).where(table.c.id == row.key).values(data=data)
    if row.version is not None:
        statement = statement.where(table.c.version == row.version)
    return connection.execute(statement).rowcount == 1
