"""Delivering one outbox row: the ``notify.deliver`` job, an outside call that holds no transaction.

The worker reads the row and renders it in one transaction, sends it with no
transaction open (a slow SMTP server never holds SQLite's write lock), then
marks it sent with the job's deletion. A failure is the job's failure: retried
with backoff, then listed for the administrator (``orgflow outbox --failed``)
with its last error, which names the channel and never a secret. A row sent
already (a repeated job) is not sent again; a worker dying between sending and
recording sends it again with the same idempotency key. A reminder whose step
was done before it could go out (held back by quiet hours) is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import httpx

from orgflow.errors import ConfigurationError, DeliveryFailed
from orgflow.jobs import JobContext, JobHandlers
from orgflow.notify.channels import DingTalkRobot, FeishuRobot, WebhookChannel, WeComRobot
from orgflow.notify.channels.email import EmailChannel, SmtpSettings
from orgflow.notify.config import Endpoint, NotifyConfig
from orgflow.notify.message import Channel, Message
from orgflow.notify.templates import Templates
from orgflow.org.model import OrgSnapshot
from orgflow.store import notifications
from orgflow.store.notifications import DELIVERY_JOB, PENDING, StoredNotification
from orgflow.store.org import OrgCache
from orgflow.store.work_items import WorkItemStatus, status_of


def _endpoint_channel(endpoint: Endpoint, client: httpx.Client) -> Channel:
    """The channel of a configured webhook or robot, with its own secret (WeCom robots have none)."""
    if endpoint.kind == "wecom":
        return WeComRobot(client=client)
    kinds: dict[str, type[DingTalkRobot] | type[FeishuRobot] | type[WebhookChannel]] = {
        "dingtalk": DingTalkRobot,
        "feishu": FeishuRobot,
        "webhook": WebhookChannel,
    }
    return kinds[endpoint.kind](endpoint.secret, client=client)


#: Events about an open step that are pointless once it is done (a reminder held back by quiet hours).
STALE_WHEN_DONE: Final = frozenset({"assigned", "due_soon", "acknowledge_reminder", "urged", "timer_fired"})
#: Seconds a webhook or robot has to answer.
HTTP_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Prepared:
    """A row ready to send: the rendered message, its channel and address."""

    notification_id: str
    channel: Channel
    message: Message
    address: str


class Deliveries:
    """The outside-call handler of :data:`DELIVERY_JOB` (see :class:`orgflow.jobs.handlers.OutsideCall`)."""

    def __init__(self, config: NotifyConfig, templates: Templates, org: OrgCache) -> None:
        self.config = config
        self.templates = templates
        self.org = org
        self._channels: dict[str, Channel] = {}
        # One client for every HTTP channel: its connections are kept open between messages.
        self._http = httpx.Client(timeout=HTTP_TIMEOUT)

    def close(self) -> None:
        """Close the kept-open HTTP connections."""
        self._http.close()

    def register(self, handlers: JobHandlers) -> None:
        """Register the delivery job kind."""
        handlers.register_outside(DELIVERY_JOB, self)

    def prepare(self, context: JobContext) -> Prepared | None:
        """Read and render the row; ``None`` if it is gone or sent already."""
        row = notifications.get(context.connection, str(context.job.payload["notification_id"]))
        if row is None or row.status != PENDING:
            return None
        if row.event in STALE_WHEN_DONE and row.work_item_id and not _still_open(context, row.work_item_id):
            notifications.mark_dropped(context.connection, row.id, context.now)  # e.g. held by quiet hours
            return None
        chart = self.org.current(context.connection)
        return Prepared(row.id, self.channel(row), self.message(row), self.address(row, chart))

    def call(self, prepared: Prepared) -> None:
        """Send it (no transaction is open)."""
        prepared.channel.deliver(prepared.message, prepared.address)

    def record(self, context: JobContext, prepared: Prepared) -> None:
        """Mark it sent, with the job's deletion."""
        notifications.mark_sent(context.connection, prepared.notification_id, context.now)

    def message(self, row: StoredNotification) -> Message:
        """The row rendered with the current templates."""
        link = row.data.get("link")
        return self._compose(
            key=row.key,
            event=row.event,
            recipient=row.recipient,
            locale=row.locale,
            data=row.data,
            link=None if link is None else str(link),
            created_at=row.created_at,
            channel=row.channel,
        )

    def _compose(
        self,
        *,
        key: str,
        event: str,
        recipient: str,
        locale: str,
        data: Mapping[str, Any],
        link: str | None,
        created_at: datetime,
        channel: str,
    ) -> Message:
        """Render ``event`` and wrap it as the message channels send; a broken template fails the delivery."""
        try:
            rendered = self.templates.render(event, locale, data)
        except ConfigurationError as error:
            raise DeliveryFailed(channel, str(error)) from None
        return Message(
            key=key,
            event=event,
            recipient=recipient,
            title=rendered.title,
            text=rendered.text,
            markdown=rendered.markdown,
            html=rendered.html,
            link=link,
            created_at=created_at,
            data=data,
        )

    def channel(self, row: StoredNotification) -> Channel:
        """The channel that sends the row (webhooks and robots: the one configured under its name)."""
        return self._channel(row.channel, row.recipient)

    def address(self, row: StoredNotification, chart: OrgSnapshot) -> str:
        """Where the row goes: the person's email address, or the endpoint's URL."""
        return self._address(row.channel, row.recipient, chart)

    def send_test(self, target: str, to: str | None, chart: OrgSnapshot, now: datetime) -> str:
        """Send the ``test`` message now, outside the outbox: ``email`` to a user or address, or an endpoint.

        Returns where it went (an email address, or the endpoint's name).

        Raises:
            DeliveryFailed: It did not get through (the reason names the problem, never a secret).
        """
        if target == "email":
            if not to:
                raise DeliveryFailed("email", "请用 --to 指定收件用户或邮箱地址")
            address = to if "@" in to else self._address("email", to, chart)
            channel = self._channel("email", to)
            shown = address
        else:
            endpoint = self._endpoint_named(target)
            channel, address, shown = self._channel(endpoint.kind, endpoint.name), endpoint.url, endpoint.name
        message = self._compose(
            key=f"test:{target}:{now.timestamp():.0f}",
            event="test",
            recipient=to or target,
            locale=self.config.locale,
            data={},
            link=self.config.base_url,
            created_at=now,
            channel=target,
        )
        channel.deliver(message, address)
        return shown

    def _channel(self, kind: str, recipient: str) -> Channel:
        name = "email" if kind == "email" else recipient
        if name not in self._channels:
            self._channels[name] = self._build(kind, recipient)
        return self._channels[name]

    def _address(self, kind: str, recipient: str, chart: OrgSnapshot) -> str:
        if kind != "email":
            return self._endpoint_named(recipient).url
        user = chart.users.get(recipient)
        if user is None or not user.email:
            raise DeliveryFailed("email", f"用户 {recipient} 在组织架构中没有邮箱地址")
        return user.email

    def _build(self, kind: str, recipient: str) -> Channel:
        if kind == "email":
            server = self.config.email
            if server is None:
                raise DeliveryFailed("email", "通知配置中没有 email（SMTP 服务器）")
            settings = SmtpSettings(
                host=server.host,
                port=server.port,
                security=server.security,
                username=server.username,
                password=server.password,
                sender=server.sender,
            )
            return EmailChannel(settings)
        return _endpoint_channel(self._endpoint_named(recipient), self._http)

    def _endpoint_named(self, name: str) -> Endpoint:
        try:
            return self.config.endpoint(name)
        except ConfigurationError as error:
            raise DeliveryFailed(name, str(error)) from None


def _still_open(context: JobContext, work_item_id: str) -> bool:
    row = status_of(context.connection, work_item_id)
    return row is not None and row["status"] == WorkItemStatus.OPEN.value


def templates_for(home: Path) -> Templates:
    """The templates of a home folder: the built-in ones, overridden by ``<home>/templates``."""
    folder = home / "templates"
    return Templates(folder if folder.is_dir() else None)
