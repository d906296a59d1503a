"""The HTTP notification channels: a generic signed webhook and the DingTalk, WeCom and Feishu group robots.

Each is a :class:`~orgflow.notify.message.Channel` whose address is a URL, and
raises :class:`~orgflow.errors.DeliveryFailed` (never quoting a secret) when a
message does not get through.
"""

from __future__ import annotations

from orgflow.notify.channels.robots import DingTalkRobot, FeishuRobot, WeComRobot
from orgflow.notify.channels.webhook import WebhookChannel, sign_webhook, verify_webhook

__all__ = ["DingTalkRobot", "FeishuRobot", "WeComRobot", "WebhookChannel", "sign_webhook", "verify_webhook"]
