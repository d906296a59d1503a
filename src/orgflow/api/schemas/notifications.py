"""Bodies of the notification endpoints: the caller's in-app messages and their channels per event."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from orgflow.api.pagination import Page
from orgflow.api.schemas.work_items import View


class MessageOut(View):
    """One in-app message (站内消息), rendered with the current templates."""

    id: str
    event: str = Field(description="事件，如 assigned、overdue")
    title: str
    text: str
    link: str | None
    business_key: str | None
    work_item_id: str | None
    created_at: datetime
    read_at: datetime | None = Field(description="已读时间；为空：未读")


class MessagePage(Page[MessageOut]):
    """A page of the caller's messages, newest first, and how many of all of them are unread."""

    unread: int = Field(description="未读总数")


class MarkReadBody(BaseModel):
    """Which of the caller's messages to mark read; without ``ids``, all of them."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, max_length=500, description="消息 ID；不填：全部标为已读"
    )


class MarkedOut(BaseModel):
    """How many messages changed to read."""

    marked: int


class EventChannelsOut(View):
    """The channels the caller gets one event on now, and where that comes from."""

    event: str
    label: str = Field(description="事件名称，如 新待办")
    channels: list[str]
    source: str = Field(description="own 本人设置 | admin 管理员配置 | event 事件默认 | default 全局默认")
    source_label: str


class PreferencesOut(View):
    """The caller's channels for every event, and their own stored choices (``*``: every event)."""

    user: str
    name: str
    own: dict[str, list[str]]
    events: list[EventChannelsOut]


class PreferenceBody(BaseModel):
    """Be told of one event (or every event) on these channels; the in-app inbox is always among them."""

    model_config = ConfigDict(extra="forbid")

    channels: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        max_length=10, description='渠道，如 ["inbox", "email"]（须含 inbox）'
    )
    event: str | None = Field(
        default=None, max_length=100, description="事件，如 overdue；不填或 *：全部事件"
    )
