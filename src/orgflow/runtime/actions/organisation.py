"""Changing the org chart: importing it, proxies (代理), and people's own notification channels."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from typing import Any, ClassVar

from orgflow.org.model import OrgSnapshot


@dataclass(frozen=True, slots=True)
class SetProxy:
    """Have ``proxy`` receive ``user``'s new work from ``starts`` until ``ends`` (代理)."""

    name: ClassVar[str] = "set_proxy"
    retry_safe: ClassVar[bool] = True

    user: str
    proxy: str
    starts: datetime
    ends: datetime
    reason: str = ""
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "proxy": self.proxy, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class EndProxy:
    """End ``user``'s proxy now (and drop any still to come)."""

    name: ClassVar[str] = "end_proxy"
    retry_safe: ClassVar[bool] = True

    user: str
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class ImportOrg:
    """Replace the org chart with an imported one; users left out are kept as inactive.

    Attributes:
        org: The chart read from the org file (checked by ``orgflow.org.checks``).
        actor: Who imports it.
    """

    name: ClassVar[str] = "import_org"
    retry_safe: ClassVar[bool] = True

    org: OrgSnapshot
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"departments": len(self.org.departments), "users": len(self.org.users), "actor": self.actor}


@dataclass(frozen=True, slots=True)
class SetNotificationPreference:
    """Have ``user`` told of ``event`` (``None`` or ``*``: every event) on ``channels``, by their own choice.

    Attributes:
        user: Whose choice it is.
        channels: Personal channels (``inbox``, ``email``); the in-app inbox is always among them.
        event: A notice name (``assigned``, ``overdue`` …); ``None`` or ``*`` for every event.
        actor: Who sets it: the person themself or an administrator.
    """

    name: ClassVar[str] = "set_notification_preference"
    retry_safe: ClassVar[bool] = True

    user: str
    channels: tuple[str, ...]
    event: str | None = None
    _: KW_ONLY
    actor: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "event": self.event, "channels": list(self.channels), "actor": self.actor}


@dataclass(frozen=True, slots=True)
class ClearNotificationPreference:
    """Drop ``user``'s own choice for ``event`` (``*``: the one for every event; ``None``: all of them).

    The administrator's settings then apply again.
    """

    name: ClassVar[str] = "clear_notification_preference"
    retry_safe: ClassVar[bool] = True

    user: str
    event: str | None = None
    _: KW_ONLY
    actor: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "event": self.event, "actor": self.actor}
