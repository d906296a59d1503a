"""The read side of notifications: a person's in-app messages (站内消息) and the outbox of the other channels.

Messages are rendered when they are read, with the current templates, from
the facts stored when they were written. Each call is its own read transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orgflow.errors import ConfigurationError
from orgflow.notify.templates import Templates
from orgflow.store import notifications
from orgflow.store.database import Database
from orgflow.store.notifications import OutboxEntry, StoredNotification


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxMessage:
    """One in-app message as its recipient reads it."""

    id: str
    event: str
    title: str
    text: str
    link: str | None
    business_key: str | None
    work_item_id: str | None
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxMessages:
    """A page of a person's messages and how many of all of them are unread."""

    user: str
    unread: int
    messages: tuple[InboxMessage, ...]


class NotificationQueries:
    """Reads notifications; writes (mark read) go through the runtime's actions."""

    def __init__(self, database: Database, templates: Templates) -> None:
        self._database = database
        self._templates = templates

    def inbox(
        self, user: str, *, unread_only: bool = False, limit: int = 50, offset: int = 0
    ) -> InboxMessages:
        """A person's messages, newest first, with the unread count."""
        with self._database.reading() as connection:
            rows = notifications.inbox(connection, user, unread_only=unread_only, limit=limit, offset=offset)
            unread = notifications.unread_count(connection, user)
        return InboxMessages(user=user, unread=unread, messages=tuple(self._shown(row) for row in rows))

    def outbox(
        self, *, failed_only: bool = False, pending_only: bool = False, limit: int = 100
    ) -> list[OutboxEntry]:
        """Messages of the other channels with their delivery state, newest first."""
        with self._database.reading() as connection:
            return notifications.outbox(
                connection, failed_only=failed_only, pending_only=pending_only, limit=limit
            )

    def _shown(self, row: StoredNotification) -> InboxMessage:
        try:
            rendered = self._templates.render(row.event, row.locale, row.data)
            title, text = rendered.title, rendered.text
        except ConfigurationError as error:  # a broken override must not hide the message
            title, text = row.event, str(error)
        link = row.data.get("link")
        business_key = row.data.get("business_key")
        return InboxMessage(
            id=row.id,
            event=row.event,
            title=title,
            text=text,
            link=None if link is None else str(link),
            business_key=None if business_key is None else str(business_key),
            work_item_id=row.work_item_id,
            created_at=row.created_at,
            read_at=row.read_at,
        )
