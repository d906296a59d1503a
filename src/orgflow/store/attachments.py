"""Attachment rows: which file (by checksum) was added to which instance, work item and deliverable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select

from orgflow.store.tables import attachments


class AttachmentKind(StrEnum):
    """What an attachment is for."""

    ATTACHMENT = "attachment"  #: a file added to the instance or a work item (附件)
    DELIVERABLE = "deliverable"  #: a file handed in for a node's declared deliverable (交付物)


#: Columns of an attachment listing, in upload order.
COLUMNS = tuple(attachments.columns)
_BY_UPLOAD = (attachments.c.uploaded_at, attachments.c.id)


def insert_row(connection: Connection, row: Mapping[str, Any]) -> None:
    """Record one attachment (every column of the table)."""
    connection.execute(insert(attachments), dict(row))


def for_instance(connection: Connection, instance_id: str) -> Sequence[Mapping[str, Any]]:
    """An instance's attachments, oldest first."""
    query = select(*COLUMNS).where(attachments.c.instance_id == instance_id).order_by(*_BY_UPLOAD)
    return [row._asdict() for row in connection.execute(query)]


def by_id(connection: Connection, attachment_id: str) -> Mapping[str, Any] | None:
    """One attachment's row, or ``None``."""
    row = connection.execute(select(*COLUMNS).where(attachments.c.id == attachment_id)).first()
    return None if row is None else row._asdict()


def deliverables_handed_in(connection: Connection, instance_id: str, node_id: str) -> frozenset[str]:
    """Names of the deliverables of a node that have at least one file in this instance."""
    query = select(attachments.c.deliverable).where(
        attachments.c.instance_id == instance_id,
        attachments.c.node_id == node_id,
        attachments.c.kind == AttachmentKind.DELIVERABLE.value,
    )
    return frozenset(name for (name,) in connection.execute(query) if name is not None)
