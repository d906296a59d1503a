"""History rows that no engine effect produced: comments, files, progress, confirm receipt, notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from orgflow.engine.state import WorkItem
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.store.history import HistoryRow
from orgflow.store.instances import StoredInstance


def instance_event(
    uow: UnitOfWork,
    stored: StoredInstance,
    kind: str,
    at: datetime,
    actor: str | None,
    *,
    item: WorkItem | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
) -> HistoryRow:
    """One history row, naming the actor as the org chart does now (``None``: the system did it)."""
    known = uow.org().users.get(actor) if actor else None
    return HistoryRow(
        instance_id=stored.state.id,
        at=at,
        kind=kind,
        node_id=None if item is None else item.node_id,
        node_name=None if item is None else item.name,
        token_id=None if item is None else item.token_id,
        work_item_id=None if item is None else item.id,
        actor=actor,
        actor_name=None if known is None else known.name,
        outcome=None,
        comment=comment or None,
        data=data,
    )
