"""A person's own notification channels (通知偏好): the rules for choosing them, and the actions storing them.

- only the person themself or an administrator (系统管理员) changes them;
- only personal channels (``inbox``, ``email``), and never without the in-app
  inbox: work must never become invisible;
- ``email`` only for someone with an address in the org chart, and only while
  an SMTP server is configured;
- the event is a notice name (:class:`~orgflow.runtime.notices.Notice`), or
  ``*`` for every event.

A refused choice raises before anything is written. Choices are stored with
the org chart (:mod:`orgflow.store.org`), so routing finds them in the
snapshot every command already has; the order in which a person's choice,
the administrator's ``notify.yaml`` and the defaults apply is
:meth:`orgflow.notify.config.NotifyConfig.channel_choice`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from orgflow.clock import Clock
from orgflow.errors import ConfigurationError, NotFound, PermissionDenied
from orgflow.notify.config import ALL_EVENTS, CHANNEL_LABELS, PERSONAL_CHANNELS, NotifyConfig
from orgflow.org.model import OrgSnapshot, User
from orgflow.runtime.actions import ClearNotificationPreference, SetNotificationPreference
from orgflow.runtime.notices import Notice
from orgflow.runtime.permissions import is_administrator
from orgflow.runtime.unit_of_work import UnitOfWork

#: The events a person can choose channels for, in the order they are shown.
PREFERENCE_EVENTS: Final = tuple(notice.value for notice in Notice)


def person(chart: OrgSnapshot, user: str) -> User:
    """The person whose preferences are asked about.

    Raises:
        NotFound: The chart does not know them.
    """
    found = chart.user(user)
    if found is None:
        raise NotFound(f"组织架构中没有用户 {user}")
    return found


def check_may_change(chart: OrgSnapshot, user: str, actor: str) -> None:
    """Refuse anyone but the person themself or an administrator.

    Raises:
        PermissionDenied: Naming who may change them instead.
    """
    if actor == user or is_administrator(chart, actor):
        return
    raise PermissionDenied(
        f"{chart.name_of(actor)}（{actor}）不能修改 {chart.name_of(user)}（{user}）的通知偏好："
        "只有本人或系统管理员可以修改",
        user=actor,
    )


def preference_event(event: str | None) -> str:
    """The stored key of ``event``: a notice name, or ``*`` (also for ``None``).

    Raises:
        ConfigurationError: Not a notice name; the message lists the valid ones.
    """
    if event is None or event == ALL_EVENTS:
        return ALL_EVENTS
    if event not in PREFERENCE_EVENTS:
        known = "、".join(PREFERENCE_EVENTS)
        raise ConfigurationError(
            f"通知偏好 event：没有事件 {event!r}；可选 {ALL_EVENTS}（全部事件）或 {known}"
        )
    return event


def checked_channels(
    chart: OrgSnapshot, config: NotifyConfig, user: str, channels: Sequence[str]
) -> tuple[str, ...]:
    """The chosen channels in their usual order, once they pass the rules of this module.

    Raises:
        ConfigurationError: Naming the field (``channels``) and what to change.
    """
    offered = "、".join(f"{channel}（{CHANNEL_LABELS[channel]}）" for channel in PERSONAL_CHANNELS)
    unknown = [channel for channel in channels if channel not in PERSONAL_CHANNELS]
    if unknown:
        raise ConfigurationError(f"通知偏好 channels：没有渠道 {'、'.join(unknown)}；可选 {offered}")
    if "inbox" not in channels:
        raise ConfigurationError(
            "通知偏好 channels：必须包含 inbox（站内消息不能关闭，否则待办可能无人知晓）"
        )
    if "email" in channels:
        missing = []
        if config.email is None:
            missing.append("通知配置中没有 email（SMTP 服务器），请联系系统管理员")
        if not person(chart, user).email:
            missing.append(f"{chart.name_of(user)}（{user}）在组织架构中没有邮箱地址")
        if missing:
            raise ConfigurationError(f"通知偏好 channels：不能选择 email：{'；'.join(missing)}")
    return tuple(channel for channel in PERSONAL_CHANNELS if channel in channels)


class PreferenceHandlers:
    """Stores and clears people's own choices after checking them against the chart and the settings."""

    def __init__(self, clock: Clock, config: NotifyConfig) -> None:
        self.clock = clock
        self.config = config

    def set(self, action: SetNotificationPreference, uow: UnitOfWork) -> int:
        """Store a person's channels for an event (or every event); returns the org's new revision."""
        chart = uow.org()
        person(chart, action.user)
        check_may_change(chart, action.user, action.actor)
        event = preference_event(action.event)
        channels = checked_channels(chart, self.config, action.user, action.channels)
        return uow.set_notification_preference(
            action.user, event, channels, now=self.clock.now(), actor=action.actor
        )

    def clear(self, action: ClearNotificationPreference, uow: UnitOfWork) -> int:
        """Drop a person's choice for an event (``*``: for every event; ``None``: all); returns how many."""
        chart = uow.org()
        person(chart, action.user)
        check_may_change(chart, action.user, action.actor)
        event = None if action.event is None else preference_event(action.event)
        return uow.clear_notification_preferences(
            action.user, event, now=self.clock.now(), actor=action.actor
        )
