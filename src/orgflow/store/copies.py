"""Copies (抄送) in rows: who an instance was copied to, and adding more.

A copy is keyed by ``(instance_id, user_id)``: copying someone again adds
nothing. Copies are only ever added; ``read_at`` records the first read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, insert, select

from orgflow.store.statements import NamedStatement
from orgflow.store.tables import copies


class CopyRow(NamedTuple):
    """One copy as it is inserted, in the table's column order."""

    instance_id: str
    user_id: str
    copied_by: str | None
    copied_at: datetime
    note: str | None
    read_at: datetime | None = None


INSERT_COPIES = NamedStatement("insert copies", insert(copies), column_keys=CopyRow._fields)
SELECT_COPIED_USERS = NamedStatement(
    "copied users of an instance",
    select(copies.c.user_id).where(copies.c.instance_id == bindparam("instance_id")),
)


def copied_users(connection: Connection, instance_id: str) -> frozenset[str]:
    """Everyone the instance has been copied to."""
    return frozenset(
        row[0] for row in SELECT_COPIED_USERS.fetch_all(connection, {"instance_id": instance_id})
    )


def add(connection: Connection, rows: Sequence[CopyRow]) -> None:
    """Insert new copies (callers leave out users already copied; a race raises ``Conflict``)."""
    INSERT_COPIES.insert_rows(connection, rows)
