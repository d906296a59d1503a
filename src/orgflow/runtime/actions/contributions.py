"""What people add to an instance besides decisions: comments, files and deliverables, progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class AddComment:
    """Add a comment (评论) to an instance's record; any time, also after it ended.

    Attributes:
        instance: The instance's id or business key.
        actor: Who writes it.
        text: The comment (at most ``COMMENT_MAX_CHARS`` characters).
    """

    name: ClassVar[str] = "add_comment"
    retry_safe: ClassVar[bool] = True

    instance: str
    actor: str
    text: str

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never the text)."""
        return {"instance": self.instance, "actor": self.actor}


@dataclass(frozen=True, kw_only=True, slots=True)
class AddAttachment:
    """Add a file (附件) to a work item or a running instance, or hand in a deliverable (交付物).

    On a work item, its assignee (or a member of its candidate group) or the
    instance's initiator may add files; on the instance as a whole, the
    initiator or whoever may act on one of its open work items.

    Attributes:
        file_name: The name it was uploaded under (folder parts are dropped).
        content: Its bytes.
        actor: Who adds it.
        work_item_id: The open work item it belongs to; give this or ``instance``.
        instance: The instance's id or business key, for a file not tied to a work item.
        deliverable: The name of a deliverable the work item's node declares (needs ``work_item_id``).
    """

    name: ClassVar[str] = "add_attachment"
    retry_safe: ClassVar[bool] = True

    file_name: str
    content: bytes
    actor: str
    work_item_id: str | None = None
    instance: str | None = None
    deliverable: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never the content)."""
        return {
            "work_item_id": self.work_item_id,
            "instance": self.instance,
            "actor": self.actor,
            "size": len(self.content),
            "deliverable": self.deliverable,
        }


@dataclass(frozen=True, slots=True)
class ReportProgress:
    """Report progress (进度) on an open work item: kept as its latest progress and in the history.

    Attributes:
        work_item_id: The open work item.
        actor: Its assignee, or a member of its candidate group.
        percent: How far along, 0 to 100.
        note: What was done (``研发方案初稿已完成``).
    """

    name: ClassVar[str] = "report_progress"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str
    percent: int
    note: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"work_item_id": self.work_item_id, "actor": self.actor, "percent": self.percent}
