"""The administrator's notification settings: channels, who gets what where, quiet hours.

Read from ``ORGFLOW_NOTIFY`` or ``<home>/notify.yaml``; every key optional::

    locale: zh-CN                       # or en
    base_url: https://orgflow.example.com   # links in messages
    channels: [inbox, email]            # what a person gets by default
    events: {overdue: [inbox, email]}   # the default per event
    users:                              # the administrator's choice for a person
      li_yanfa: {channels: [inbox], events: {escalated: [inbox, email]}}
    quiet_hours: {start: "22:00", end: "08:00", urgent: [overdue, escalated]}
    email: {host: smtp.example.com, port: 587, security: starttls, username: noreply@example.com,
            password_env: ORGFLOW_SMTP_PASSWORD, sender: "OrgFlow <noreply@example.com>"}
    webhooks: [{name: erp, url: https://erp.example.com/hook, secret_env: ERP_SECRET, events: [overdue]}]
    robots:
      - {name: 研发群, kind: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=…",
         secret_env: DINGTALK_SECRET, events: [overdue, escalated], departments: [研发部]}

Secrets are named by environment variable (``password_env``, ``secret_env``),
so the file can be shown and versioned; ``password``/``secret`` are accepted
too. Nothing here ever prints a secret.

A person's own choices (``orgflow notify prefs set``) are stored in the
database beside the org chart and come before this file: see
:meth:`NotifyConfig.channel_choice` for the order.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, NoReturn

import yaml

from orgflow.errors import ConfigurationError

#: Channels a person can choose.
PERSONAL_CHANNELS: Final = ("inbox", "email")
#: How the personal channels read.
CHANNEL_LABELS: Final = {"inbox": "站内消息", "email": "邮件"}
#: The event key of a person's choice for every event.
ALL_EVENTS: Final = "*"
#: Group robot kinds.
ROBOT_KINDS: Final = ("dingtalk", "wecom", "feishu")
#: Events that go out even in quiet hours.
DEFAULT_URGENT: Final = frozenset(
    {"overdue", "escalated", "acknowledge_escalated", "explanation_needed", "explanation_overdue"}
)


class ChannelSource(StrEnum):
    """Where the channels a person gets an event on come from, first to last."""

    OWN = "own"  # the person's own choice, for the event or for every event
    ADMIN = "admin"  # the administrator's ``users:`` entry for them
    EVENT = "event"  # the event's default (``events:``)
    DEFAULT = "default"  # the default (``channels:``)


SOURCE_LABELS: Final = {
    ChannelSource.OWN: "本人设置",
    ChannelSource.ADMIN: "管理员配置",
    ChannelSource.EVENT: "事件默认",
    ChannelSource.DEFAULT: "全局默认",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class EmailServer:
    """The SMTP server (the password is read from the environment when the file names a variable)."""

    host: str
    port: int = 25
    security: str = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "OrgFlow <noreply@localhost>"


@dataclass(frozen=True, kw_only=True, slots=True)
class Endpoint:
    """A webhook or a group robot: where it posts, for which events and departments."""

    name: str
    kind: str  # webhook | dingtalk | wecom | feishu
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)
    events: frozenset[str] | None = None  # None: every event
    departments: frozenset[str] | None = None  # None: every department

    def wants(self, event: str, department: str | None) -> bool:
        """Whether this endpoint hears of ``event`` about a step of ``department``."""
        if self.events is not None and event not in self.events:
            return False
        return self.departments is None or department in self.departments


@dataclass(frozen=True, kw_only=True, slots=True)
class QuietHours:
    """Non-urgent messages written in this window (or on a non-working day) wait until it ends."""

    start: time
    end: time
    urgent: frozenset[str] = DEFAULT_URGENT

    def covers(self, moment: time) -> bool:
        """Whether a local time of day falls in the window (which may span midnight)."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True, kw_only=True, slots=True)
class NotifyConfig:
    """All notification settings; the defaults send to the in-app inbox only.

    ``enabled=False`` turns notifications off altogether (a bulk import, a benchmark):
    no routing and no outbox rows, only the history records that say who was told.
    """

    enabled: bool = True
    locale: str = "zh-CN"
    base_url: str = "http://127.0.0.1:8000"
    channels: tuple[str, ...] = ("inbox",)
    events: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    users: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    email: EmailServer | None = None
    endpoints: tuple[Endpoint, ...] = ()

    def personal_channels(
        self, user: str, event: str, own: Mapping[str, tuple[str, ...]] | None = None
    ) -> tuple[str, ...]:
        """The channels ``user`` gets ``event`` on, given their own stored choices (``channel_choice``)."""
        return self.channel_choice(user, event, own)[0]

    def channel_choice(
        self, user: str, event: str, own: Mapping[str, tuple[str, ...]] | None = None
    ) -> tuple[tuple[str, ...], ChannelSource]:
        """The channels ``user`` gets ``event`` on, and where they come from.

        First found wins: the person's own choice for the event, their own choice
        for every event (``*``), the administrator's entry for them (its event, then
        its channels), the event's default, the default. Email is dropped while no
        SMTP server is configured. Dictionary lookups only: this runs for every
        recipient of every notice.

        Args:
            user: Who is told.
            event: The notice (``assigned``, ``overdue`` …).
            own: The person's stored choices by event or ``*`` (``OrgSnapshot.preferences``).
        """
        source = ChannelSource.OWN
        chosen = (own.get(event) or own.get(ALL_EVENTS)) if own else None
        if not chosen:
            source = ChannelSource.ADMIN
            admin = self.users.get(user)
            chosen = (admin.get("events", {}).get(event) or admin.get("channels")) if admin else None
        if not chosen:
            source = ChannelSource.EVENT
            chosen = self.events.get(event)
        if not chosen:
            source, chosen = ChannelSource.DEFAULT, self.channels
        return tuple(c for c in chosen if c == "inbox" or (c == "email" and self.email is not None)), source

    def endpoint(self, name: str) -> Endpoint:
        """A configured webhook or robot by name.

        Raises:
            ConfigurationError: It is no longer configured.
        """
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        raise ConfigurationError(f"通知配置中没有名为 {name!r} 的 webhook 或机器人")


def load_notify_config(path: Path | None, env: Mapping[str, str] | None = None) -> NotifyConfig:
    """The settings in ``path`` (``None`` or a missing default file: the built-in defaults).

    Raises:
        ConfigurationError: The file is unreadable or wrong; the message names the key.
    """
    if path is None:
        return NotifyConfig()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigurationError(f"无法读取通知配置 {path}：{error.strerror}") from None
    except yaml.YAMLError:
        raise ConfigurationError(f"通知配置 {path} 不是合法的 YAML") from None
    return read_notify_config(raw, source=str(path), env=os.environ if env is None else env)


def read_notify_config(raw: Any, *, source: str, env: Mapping[str, str]) -> NotifyConfig:
    """Check and build the settings from a parsed YAML document."""
    reader = _Reader(source, env)
    root = reader.mapping(raw, "")
    reader.keys(
        root,
        {
            "enabled",
            "locale",
            "base_url",
            "channels",
            "events",
            "users",
            "quiet_hours",
            "email",
            "webhooks",
            "robots",
        },
        "",
    )
    enabled = root.get("enabled", True)
    if not isinstance(enabled, bool):
        reader.fail("enabled", f"应为 true 或 false，写的是 {enabled!r}")
    locale = str(root.get("locale", "zh-CN"))
    if locale not in ("zh-CN", "en"):
        reader.fail("locale", f"应为 zh-CN 或 en，写的是 {locale!r}")
    endpoints = tuple(
        reader.endpoint(item, f"webhooks[{index}]", "webhook")
        for index, item in enumerate(root.get("webhooks") or [])
    ) + tuple(
        reader.endpoint(item, f"robots[{index}]", None) for index, item in enumerate(root.get("robots") or [])
    )
    names = [endpoint.name for endpoint in endpoints]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        reader.fail("robots", f"webhook 与机器人的名称须唯一，重复的有：{'、'.join(repeated)}")
    return NotifyConfig(
        enabled=enabled,
        locale=locale,
        base_url=str(root.get("base_url", "http://127.0.0.1:8000")).rstrip("/"),
        channels=reader.channel_list(root.get("channels", ["inbox"]), "channels"),
        events={
            str(k): reader.channel_list(v, f"events.{k}")
            for k, v in reader.mapping(root.get("events") or {}, "events").items()
        },
        users={
            str(k): reader.user(v, f"users.{k}")
            for k, v in reader.mapping(root.get("users") or {}, "users").items()
        },
        quiet_hours=reader.quiet(root.get("quiet_hours")),
        email=reader.email(root.get("email")),
        endpoints=endpoints,
    )


class _Reader:
    """Reads one file; the first problem stops it with the key it is about."""

    def __init__(self, source: str, env: Mapping[str, str]) -> None:
        self.source = source
        self.env = env

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ConfigurationError(f"通知配置 {self.source}，{key or '顶层'}：{problem}")

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, f"应为映射，写的是 {value!r}")
        return dict(value)

    def keys(self, mapping: Mapping[str, Any], allowed: set[str], key: str) -> None:
        unknown = sorted(str(k) for k in mapping if k not in allowed)
        if unknown:
            self.fail(key, f"不认识的键 {'、'.join(unknown)}（可用：{'、'.join(sorted(allowed))}）")

    def channel_list(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or any(item not in PERSONAL_CHANNELS for item in value):
            self.fail(key, f"应为渠道列表（可选 {'、'.join(PERSONAL_CHANNELS)}），写的是 {value!r}")
        return tuple(str(item) for item in value)

    def user(self, value: Any, key: str) -> Mapping[str, Any]:
        mapping = self.mapping(value, key)
        self.keys(mapping, {"channels", "events"}, key)
        found: dict[str, Any] = {}
        if "channels" in mapping:
            found["channels"] = self.channel_list(mapping["channels"], f"{key}.channels")
        if "events" in mapping:
            events = self.mapping(mapping["events"], f"{key}.events")
            found["events"] = {str(k): self.channel_list(v, f"{key}.events.{k}") for k, v in events.items()}
        return found

    def secret(self, mapping: Mapping[str, Any], plain: str, key: str) -> str | None:
        variable = mapping.get(f"{plain}_env")
        if variable is not None:
            if str(variable) not in self.env:
                self.fail(f"{key}.{plain}_env", f"环境变量 {variable} 未设置")
            return self.env[str(variable)]
        value = mapping.get(plain)
        return None if value is None else str(value)

    def email(self, value: Any) -> EmailServer | None:
        if value is None:
            return None
        mapping = self.mapping(value, "email")
        self.keys(
            mapping, {"host", "port", "security", "username", "password", "password_env", "sender"}, "email"
        )
        if not mapping.get("host"):
            self.fail("email.host", "缺少 SMTP 服务器地址")
        security = str(mapping.get("security", "none"))
        if security not in ("none", "starttls", "tls"):
            self.fail("email.security", f"应为 none、starttls 或 tls，写的是 {security!r}")
        port = mapping.get("port", 465 if security == "tls" else 587 if security == "starttls" else 25)
        if not isinstance(port, int) or not 0 < port < 65536:
            self.fail("email.port", f"应为 1 到 65535 的端口号，写的是 {port!r}")
        return EmailServer(
            host=str(mapping["host"]),
            port=int(port),
            security=security,
            username=None if mapping.get("username") is None else str(mapping["username"]),
            password=self.secret(mapping, "password", "email"),
            sender=str(mapping.get("sender", "OrgFlow <noreply@localhost>")),
        )

    def endpoint(self, value: Any, key: str, kind: str | None) -> Endpoint:
        mapping = self.mapping(value, key)
        allowed = {"name", "url", "secret", "secret_env", "events", "departments"} | (
            {"kind"} if kind is None else set()
        )
        self.keys(mapping, allowed, key)
        chosen = kind or str(mapping.get("kind", ""))
        if chosen not in (*ROBOT_KINDS, "webhook"):
            self.fail(f"{key}.kind", f"应为 {'、'.join(ROBOT_KINDS)} 之一，写的是 {chosen!r}")
        for required in ("name", "url"):
            if not mapping.get(required):
                self.fail(f"{key}.{required}", "不能为空")
        url = str(mapping["url"])
        if not url.startswith(("http://", "https://")):
            self.fail(f"{key}.url", "应以 http:// 或 https:// 开头")
        return Endpoint(
            name=str(mapping["name"]),
            kind=chosen,
            url=url,
            secret=self.secret(mapping, "secret", key),
            events=self.names(mapping.get("events"), f"{key}.events"),
            departments=self.names(mapping.get("departments"), f"{key}.departments"),
        )

    def names(self, value: Any, key: str) -> frozenset[str] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(key, f"应为列表，写的是 {value!r}")
        return frozenset(str(item) for item in value)

    def quiet(self, value: Any) -> QuietHours | None:
        if value is None:
            return None
        mapping = self.mapping(value, "quiet_hours")
        self.keys(mapping, {"start", "end", "urgent"}, "quiet_hours")
        try:
            start = time.fromisoformat(str(mapping.get("start", "22:00")))
            end = time.fromisoformat(str(mapping.get("end", "08:00")))
        except ValueError:
            self.fail("quiet_hours", "start 和 end 应写成 HH:MM，例如 22:00")
        urgent = self.names(mapping.get("urgent"), "quiet_hours.urgent")
        return QuietHours(start=start, end=end, urgent=DEFAULT_URGENT if urgent is None else urgent)
