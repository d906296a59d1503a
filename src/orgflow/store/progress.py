"""Progress reports (进度) on work items: the latest one is kept on the item's row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from orgflow.store.tables import OPEN_LITERAL, work_items

SET_PROGRESS = update(work_items).where(work_items.c.status == OPEN_LITERAL)


def record(connection: Connection, work_item_id: str, *, percent: int, note: str, at: datetime) -> bool:
    """Keep a report as the open item's latest progress; ``False`` if the item is not open (any more)."""
    result = connection.execute(
        SET_PROGRESS.where(work_items.c.id == work_item_id).values(
            progress_percent=percent, progress_note=note or None, progress_at=at
        )
    )
    return result.rowcount == 1


def of_open_items(connection: Connection, instance_id: str) -> Sequence[Mapping[str, Any]]:
    """The latest progress of each open item of an instance that has reported any."""
    query = select(
        work_items.c.id, work_items.c.progress_percent, work_items.c.progress_note, work_items.c.progress_at
    ).where(
        work_items.c.instance_id == instance_id,
        work_items.c.status == OPEN_LITERAL,
        work_items.c.progress_at.is_not(None),
    )
    return [row._asdict() for row in connection.execute(query)]
