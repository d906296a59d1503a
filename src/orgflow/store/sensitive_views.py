"""Who saw which sensitive fields unmasked, and when (``sensitive_views``): append and list per instance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from orgflow.store.tables import sensitive_views


def record(
    connection: Connection,
    *,
    at: datetime,
    viewer: str,
    instance_id: str,
    fields: Sequence[str],
    source: str | None,
) -> None:
    """Append one view: ``viewer`` was shown ``fields`` of ``instance_id`` unmasked."""
    connection.execute(
        insert(sensitive_views).values(
            at=at, viewer=viewer, instance_id=instance_id, fields=sorted(fields), source=source
        )
    )


def for_instance(
    connection: Connection, instance_id: str, *, limit: int = 100, offset: int = 0
) -> Sequence[Mapping[str, Any]]:
    """The views of one instance, oldest first (``ix_sensitive_views_instance``)."""
    query = (
        select(
            sensitive_views.c.at,
            sensitive_views.c.viewer,
            sensitive_views.c.instance_id,
            sensitive_views.c.fields,
            sensitive_views.c.source,
        )
        .where(sensitive_views.c.instance_id == instance_id)
        .order_by(sensitive_views.c.at, sensitive_views.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [row._asdict() for row in connection.execute(query)]
