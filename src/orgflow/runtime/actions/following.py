"""Following an instance: copying it to people (抄送) and urging it on (催办)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class CopyInstance:
    """Copy an instance to people (抄送) so they can follow it, read-only.

    Attributes:
        instance: The instance's id or business key.
        users: User ids to copy it to.
        roles: Roles whose current holders get it (``总经理``, ``财务审核员@财务部``).
        actor: Who copies it (someone who may see it).
        note: Why, kept in the history and on each copy.
    """

    name: ClassVar[str] = "copy_instance"
    retry_safe: ClassVar[bool] = True

    instance: str
    users: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    actor: str | None = None
    note: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {
            "instance": self.instance,
            "users": len(self.users),
            "roles": len(self.roles),
            "actor": self.actor,
        }


@dataclass(frozen=True, slots=True)
class UrgeInstance:
    """Urge the people an instance waits on (催办); the initiator or an administrator, once per interval.

    Attributes:
        instance: The instance's id or business key.
        actor: Who urges.
        note: What they say, kept in the history.
    """

    name: ClassVar[str] = "urge_instance"
    retry_safe: ClassVar[bool] = True

    instance: str
    actor: str | None = None
    note: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"instance": self.instance, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class MarkNotificationsRead:
    """A person marks in-app messages read (站内消息已读): the given ones, or all (``ids`` ``None``)."""

    name: ClassVar[str] = "mark_notifications_read"
    retry_safe: ClassVar[bool] = True

    user: str
    ids: tuple[str, ...] | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "count": None if self.ids is None else len(self.ids)}
