"""The read side of notifications: in-app messages (站内消息), channels per event, the outbox.

A person's in-app messages, the channels they get each event on (and why),
and the outbox of the other channels. Messages are rendered when they are
read, with the current templates, from the facts stored when they were
written. Each call is its own read transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from orgflow.errors import ConfigurationError
from orgflow.notify.config import SOURCE_LABELS, ChannelSource, NotifyConfig
from orgflow.notify.templates import Templates
from orgflow.runtime.notices import NOTICE_LABELS, Notice
from orgflow.runtime.preferences import PREFERENCE_EVENTS, person
from orgflow.store import notifications
from orgflow.store.database import Database
from orgflow.store.notifications import OutboxEntry, StoredNotification
from orgflow.store.org import OrgCache


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
    """A page of a person's messages, how many of all of them are unread, and how many the list has."""

    user: str
    unread: int
    messages: tuple[InboxMessage, ...]
    total: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class EventChannels:
    """The channels a person gets one event on now, and where that comes from."""

    event: str
    label: str  # 新待办, 已超时 …
    channels: tuple[str, ...]
    source: ChannelSource
    source_label: str  # 本人设置, 管理员配置, 事件默认, 全局默认


@dataclass(frozen=True, kw_only=True, slots=True)
class ChannelPreferences:
    """A person's channels for every event, with their own stored choices (by event, ``*``: every event)."""

    user: str
    name: str
    own: Mapping[str, tuple[str, ...]]
    events: tuple[EventChannels, ...]


class NotificationQueries:
    """Reads notifications and preferences; writes (mark read, set a preference) go through actions."""

    def __init__(self, database: Database, templates: Templates, config: NotifyConfig, org: OrgCache) -> None:
        self._database = database
        self._templates = templates
        self._config = config
        self._org = org

    def inbox(
        self, user: str, *, unread_only: bool = False, limit: int = 50, offset: int = 0
    ) -> InboxMessages:
        """A person's messages, newest first, with the unread count and the list's total."""
        with self._database.reading() as connection:
            rows = notifications.inbox(connection, user, unread_only=unread_only, limit=limit, offset=offset)
            unread = notifications.unread_count(connection, user)
            total = unread if unread_only else notifications.inbox_count(connection, user)
        shown = tuple(self._shown(row) for row in rows)
        return InboxMessages(user=user, unread=unread, messages=shown, total=total)

    def preferences(self, user: str) -> ChannelPreferences:
        """The channels ``user`` gets every event on, each with its source.

        Raises:
            NotFound: The org chart does not know them.
        """
        with self._database.reading() as connection:
            chart = self._org.current(connection)
        person(chart, user)
        own = chart.preferences.get(user, {})
        rows = []
        for event in PREFERENCE_EVENTS:
            channels, source = self._config.channel_choice(user, event, own)
            rows.append(
                EventChannels(
                    event=event,
                    label=NOTICE_LABELS[Notice(event)],
                    channels=channels,
                    source=source,
                    source_label=SOURCE_LABELS[source],
                )
            )
        return ChannelPreferences(user=user, name=chart.name_of(user), own=dict(own), events=tuple(rows))

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
