"""The caller's own notifications: in-app messages (站内消息), marking them read, their channels per event.

Everything here is about the caller only: there is no way to name another
person, so nobody reads or changes someone else's messages or choices.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from orgflow.access.roles import Permission, require
from orgflow.api.dependencies import Caller, Paging, RuntimeDep, Source
from orgflow.api.problems import PROBLEM_RESPONSES
from orgflow.api.schemas.notifications import (
    MarkedOut,
    MarkReadBody,
    MessageOut,
    MessagePage,
    PreferenceBody,
    PreferencesOut,
)
from orgflow.runtime.actions import (
    ClearNotificationPreference,
    MarkNotificationsRead,
    SetNotificationPreference,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["消息"], responses=PROBLEM_RESPONSES)


@router.get("", summary="我的站内消息", response_model=MessagePage)
def messages(
    caller: Caller,
    runtime: RuntimeDep,
    paging: Paging,
    unread: Annotated[bool, Query(description="只列出未读消息")] = False,
) -> MessagePage:
    """The caller's messages, newest first, with how many are unread."""
    require(caller, runtime.queries.org(), Permission.NOTIFICATION_READ)
    found = runtime.notifications.inbox(
        caller.user_id, unread_only=unread, limit=paging.limit, offset=paging.offset
    )
    return MessagePage(
        items=[MessageOut.model_validate(message) for message in found.messages],
        total=found.total,
        limit=paging.limit,
        offset=paging.offset,
        unread=found.unread,
    )


@router.post("/read", summary="标为已读", response_model=MarkedOut)
def mark_read(body: MarkReadBody, caller: Caller, runtime: RuntimeDep, source: Source) -> MarkedOut:
    """Mark the given messages of the caller read, or all of them; others' messages are never touched."""
    require(caller, runtime.queries.org(), Permission.NOTIFICATION_READ)
    ids = None if body.ids is None else tuple(body.ids)
    marked = runtime.execute(MarkNotificationsRead(caller.user_id, ids), source=source)
    return MarkedOut(marked=marked)


@router.get("/preferences", summary="我的通知渠道", response_model=PreferencesOut)
def preferences(caller: Caller, runtime: RuntimeDep) -> PreferencesOut:
    """The channels the caller gets each event on now, and where each choice comes from."""
    require(caller, runtime.queries.org(), Permission.NOTIFICATION_READ)
    return PreferencesOut.model_validate(runtime.notifications.preferences(caller.user_id))


@router.put("/preferences", summary="设置我的通知渠道", response_model=PreferencesOut)
def set_preference(
    body: PreferenceBody, caller: Caller, runtime: RuntimeDep, source: Source
) -> PreferencesOut:
    """Choose the channels for one event (or every event); the in-app inbox always stays."""
    require(caller, runtime.queries.org(), Permission.NOTIFICATION_READ)
    action = SetNotificationPreference(caller.user_id, tuple(body.channels), body.event, actor=caller.user_id)
    runtime.execute(action, source=source)
    return PreferencesOut.model_validate(runtime.notifications.preferences(caller.user_id))


@router.delete("/preferences", summary="恢复默认通知渠道", response_model=PreferencesOut)
def clear_preference(
    caller: Caller,
    runtime: RuntimeDep,
    source: Source,
    event: Annotated[
        str | None,
        Query(max_length=100, description="只清除这一事件的设置（*：全部事件那项；不填：全部清除）"),
    ] = None,
) -> PreferencesOut:
    """Drop the caller's own choices (for one event, or all); the administrator's settings apply again."""
    require(caller, runtime.queries.org(), Permission.NOTIFICATION_READ)
    runtime.execute(ClearNotificationPreference(caller.user_id, event, actor=caller.user_id), source=source)
    return PreferencesOut.model_validate(runtime.notifications.preferences(caller.user_id))
