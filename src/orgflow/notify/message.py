"""One rendered notification, as every channel receives it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, kw_only=True, slots=True)
class Message:
    """A notification rendered for one recipient on one channel.

    Attributes:
        key: Idempotency key, the same on every delivery attempt of this message:
            receivers de-duplicate on it (delivery is at least once).
        event: What it is about (``assigned``, ``overdue``, ``escalated`` …).
        recipient: The user id it is for (for a group robot, the robot's name).
        title: One line, plain text (email subject, robot title).
        text: The body in plain text.
        markdown: The body in Markdown (DingTalk, WeCom, Feishu).
        html: The body in HTML (email).
        link: Where to act on it, if there is such a page.
        created_at: When the event happened.
        data: The facts the templates used (task name, current node, business key, due time …).
    """

    key: str
    event: str
    recipient: str
    title: str
    text: str
    markdown: str
    html: str
    link: str | None
    created_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


class Channel(Protocol):
    """Delivers messages to one kind of address (an email address, a webhook URL …)."""

    name: str

    def deliver(self, message: Message, address: str) -> None:
        """Send ``message`` to ``address``.

        Raises:
            DeliveryFailed: The receiver refused it or could not be reached; the
                message names the problem and never a secret.
        """
        ...
