"""Business keys (``PROJ20240301001``): prefix + day + a three-digit sequence counted per prefix and day.

The counter is one upsert that returns the new value
(``INSERT … ON CONFLICT (prefix, day) DO UPDATE SET last = last + 1 RETURNING last``):
on PostgreSQL the row lock it takes serialises concurrent starts, so two
transactions never get the same number; on SQLite the write lock already does.
The counter moves only if the starting transaction commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from orgflow.ids import business_key
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import business_key_sequences as sequences


def _next_value(dialect_insert: Any) -> Any:
    return (
        dialect_insert(sequences)
        .values(last=1)
        .on_conflict_do_update(
            index_elements=[sequences.c.prefix, sequences.c.day], set_={"last": sequences.c.last + 1}
        )
        .returning(sequences.c.last)
    )


#: ``NEXT_VALUE[dialect name]``: the upsert that takes the next number of a (prefix, day).
NEXT_VALUE = {
    dialect: NamedStatement(
        f"next business key ({dialect})", _next_value(insert), column_keys=("prefix", "day")
    )
    for dialect, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}


def next_business_key(connection: Connection, prefix: str, moment: datetime) -> str:
    """Take the next business key for ``prefix`` on ``moment``'s calendar day (in ``moment``'s time zone)."""
    statement = NEXT_VALUE[connection.dialect.name]
    row = statement.fetch_first(connection, {"prefix": prefix, "day": f"{moment:%Y%m%d}"})
    if row is None:
        raise RuntimeError("the business key upsert returned no row")
    return business_key(prefix, moment, row[0])
