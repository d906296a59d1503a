"""Notification rows: the outbox written with each command, the in-app inbox read from it.

An inbox row is delivered as it is written (``sent``); every other channel's
row stays ``pending`` until its delivery job marks it sent, in the job's
transaction. The outbox listing joins each row's delivery job, so a message
that keeps failing shows with its attempts and last error.

Each kind of row has one index besides the table (revision 0023): inbox rows
by recipient and merge window, the others by id. A query by id therefore says
which kind it wants (``channel != 'inbox'``), and the inbox is listed newest
window first, which is newest first: a window is ``created_at`` cut to ten
minutes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, and_, func, insert, literal_column, select, update
from sqlalchemy.dialects import postgresql

from orgflow.store.statements import NamedStatement
from orgflow.store.tables import jobs, notifications

#: The in-app channel: a row is the message itself.
INBOX: Final = "inbox"
PENDING: Final = "pending"
SENT: Final = "sent"
#: A reminder whose step was done before it could go out: not sent.
DROPPED: Final = "dropped"
#: The job kind that delivers one outbox row (its subject is the row's id).
DELIVERY_JOB: Final = "notify.deliver"


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredNotification:
    """One notification row."""

    id: str
    key: str
    event: str
    channel: str
    recipient: str
    instance_id: str | None
    work_item_id: str | None
    locale: str
    data: Mapping[str, Any]
    status: str
    created_at: datetime
    deliver_after: datetime
    sent_at: datetime | None
    read_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> StoredNotification:
        """Build from a row of :data:`notifications` (extra columns ignored)."""
        return cls(**{name: row[name] for name in _COLUMN_NAMES})


@dataclass(frozen=True, kw_only=True, slots=True)
class OutboxEntry:
    """A row of a channel other than the inbox, with its delivery job's state (``None`` once sent)."""

    notification: StoredNotification
    job_status: str | None
    attempts: int
    last_error: str | None
    job_id: str | None


_COLUMN_NAMES: Final = tuple(field.name for field in fields(StoredNotification))

#: The columns :func:`insert_notifications` takes, in its rows' order (``seq`` numbers itself).
WRITTEN_COLUMNS: Final = (*_COLUMN_NAMES, "merge_window")
# A repeated id (a message merged inside its window: the id is its key's digest) meets its kind's
# unique index and is skipped, not an error.
_INSERT_SQLITE = NamedStatement(
    "write notifications",
    insert(notifications).prefix_with("OR IGNORE", dialect="sqlite"),
    column_keys=WRITTEN_COLUMNS,
)
_INSERT_POSTGRES = NamedStatement(
    "write notifications",
    postgresql.insert(notifications).on_conflict_do_nothing(),
    column_keys=WRITTEN_COLUMNS,
)
#: Rows of channels other than the inbox: what the index on ``id`` covers (a literal, as in its WHERE).
_OUTBOX_ROW: Final = notifications.c.channel != literal_column(f"'{INBOX}'")


def insert_notifications(connection: Connection, rows: Sequence[Sequence[Any]]) -> int:
    """Write rows given as tuples in :data:`WRITTEN_COLUMNS` order; a key written already is skipped.

    Returns how many rows were written.
    """
    if not rows:
        return 0
    statement = _INSERT_POSTGRES if connection.dialect.name == "postgresql" else _INSERT_SQLITE
    return statement.insert_rows(connection, rows)


def get(connection: Connection, notification_id: str) -> StoredNotification | None:
    """One row of a channel other than the inbox (what delivery sends), by id."""
    query = select(notifications).where(notifications.c.id == notification_id, _OUTBOX_ROW)
    row = connection.execute(query).first()
    return None if row is None else StoredNotification.from_row(row._mapping)


def mark_sent(connection: Connection, notification_id: str, at: datetime) -> bool:
    """Record delivery; ``False`` if it was already sent (a repeated delivery)."""
    statement = (
        update(notifications)
        .where(notifications.c.id == notification_id, _OUTBOX_ROW, notifications.c.status == PENDING)
        .values(status=SENT, sent_at=at)
    )
    return connection.execute(statement).rowcount == 1


def mark_dropped(connection: Connection, notification_id: str, at: datetime) -> None:
    """Record that a pending message will not go out (what it was about is over)."""
    statement = (
        update(notifications)
        .where(notifications.c.id == notification_id, _OUTBOX_ROW, notifications.c.status == PENDING)
        .values(status=DROPPED, sent_at=at)
    )
    connection.execute(statement)


def inbox(
    connection: Connection, user: str, *, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> list[StoredNotification]:
    """A person's in-app messages, newest first."""
    query = select(notifications).where(notifications.c.channel == INBOX, notifications.c.recipient == user)
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    # The window first: the index's order, which the newest-first order only refines.
    newest = (
        notifications.c.merge_window.desc(),
        notifications.c.created_at.desc(),
        notifications.c.id.desc(),
    )
    rows = connection.execute(query.order_by(*newest).limit(limit).offset(offset))
    return [StoredNotification.from_row(row._mapping) for row in rows]


def inbox_count(connection: Connection, user: str, *, unread_only: bool = False) -> int:
    """How many in-app messages :func:`inbox` lists for ``user`` in all (for a page's total)."""
    query = select(func.count()).where(notifications.c.channel == INBOX, notifications.c.recipient == user)
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    return int(connection.execute(query).scalar_one())


def unread_count(connection: Connection, user: str) -> int:
    """How many of a person's in-app messages are unread."""
    query = select(func.count()).where(
        notifications.c.channel == INBOX,
        notifications.c.recipient == user,
        notifications.c.read_at.is_(None),
    )
    return int(connection.execute(query).scalar_one())


def mark_read(connection: Connection, user: str, ids: Sequence[str] | None, at: datetime) -> int:
    """Mark a person's messages read (``ids`` ``None``: all of them); return how many changed."""
    statement = update(notifications).where(
        notifications.c.channel == INBOX,
        notifications.c.recipient == user,
        notifications.c.read_at.is_(None),
    )
    if ids is not None:
        statement = statement.where(notifications.c.id.in_(list(ids)))
    return int(connection.execute(statement.values(read_at=at)).rowcount)


def outbox(
    connection: Connection, *, failed_only: bool = False, pending_only: bool = False, limit: int = 100
) -> list[OutboxEntry]:
    """Messages for channels other than the inbox, newest first, with their delivery jobs."""
    joined = notifications.outerjoin(
        jobs, and_(jobs.c.subject == notifications.c.id, jobs.c.kind == DELIVERY_JOB)
    )
    query = select(notifications, jobs.c.status.label("job_status"), jobs.c.attempts, jobs.c.last_error)
    query = query.add_columns(jobs.c.id.label("job_id")).select_from(joined)
    query = query.where(notifications.c.channel != INBOX)
    if failed_only:
        query = query.where(jobs.c.status == "failed")
    elif pending_only:
        query = query.where(notifications.c.status == PENDING)
    query = query.order_by(notifications.c.created_at.desc(), notifications.c.id.desc()).limit(limit)
    return [
        OutboxEntry(
            notification=StoredNotification.from_row(row._mapping),
            job_status=row.job_status,
            attempts=row.attempts or 0,
            last_error=row.last_error,
            job_id=row.job_id,
        )
        for row in connection.execute(query)
    ]
